#pragma once
// The file system's side of file-backed mappings: an mm::Backing over a
// regular file of the ramfs, whose page cache is what shared mappings map.
#include "fs/errno_guard.h"
#include "core/ref.h"
#include "core/string.h"
#include "fs/inode.h"
#include "mm/backing.h"

namespace fs {

class InodeBacking final : public mm::Backing {
public:
    // `path` names the mapping in /proc/self/maps.
    static Result<core::Ref<mm::Backing>> create(core::Ref<Inode> inode, core::StringView path);
    size_t read(u64 offset, u8* dst, size_t n) override;
    u64 size() const override { return m_inode->size(); }
    Result<u64> shared_page(u64 offset) override;
    bool resident(u64 offset) const override;
    ErrorOr punch_hole(u64 offset, u64 len) override;
    const void* object() const override { return m_inode.ptr(); }
    const char* name() const override { return m_path.c_str(); }

private:
    explicit InodeBacking(core::Ref<Inode> inode) : m_inode(static_cast<core::Ref<Inode>&&>(inode)) {}
    core::Ref<Inode> m_inode;
    core::String m_path;
};

} // namespace fs
