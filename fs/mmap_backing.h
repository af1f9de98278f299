#pragma once
// The file system's side of file-backed mappings: an mm::Backing that reads
// pages from an inode.
#include "fs/errno_guard.h"
#include "core/ref.h"
#include "core/string.h"
#include "fs/inode.h"
#include "mm/backing.h"

namespace fs {

class InodeBacking final : public mm::Backing {
public:
    static Result<core::Ref<mm::Backing>> create(core::Ref<Inode> inode, core::StringView path);
    size_t read(u64 offset, u8* dst, size_t n) override;
    const char* name() const override { return m_path.c_str(); }

private:
    explicit InodeBacking(core::Ref<Inode> inode) : m_inode(static_cast<core::Ref<Inode>&&>(inode)) {}
    core::Ref<Inode> m_inode;
    core::String m_path;
};

} // namespace fs
