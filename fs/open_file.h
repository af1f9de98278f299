#pragma once
// An open file description: what open() makes and dup() shares. It holds the
// inode, the file position and the status flags (F_GETFL/F_SETFL).
#include "fs/errno_guard.h"
#include "core/ref.h"
#include "fs/inode.h"

namespace fs {

class OpenFile final : public core::RefCounted {
public:
    // `flags` as given to open(); the creation flags are dropped, as Linux does.
    static Result<core::Ref<OpenFile>> create(core::Ref<Inode> inode, u32 flags);
    // A file no open() made (a pipe end, an eventfd): Linux's
    // alloc_file_pseudo keeps `flags` as given, without O_LARGEFILE.
    static Result<core::Ref<OpenFile>> create_pseudo(core::Ref<Inode> inode, u32 flags);
    ~OpenFile();

    Inode& inode() const { return *m_inode; }
    const core::Ref<Inode>& inode_ref() const { return m_inode; }
    // Access mode and status flags, as F_GETFL reports them.
    u32 flags() const { return m_flags; }
    // F_SETFL: only O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT, O_NOATIME change.
    void set_status_flags(u32 flags) { m_flags = (m_flags & ~SETFL_MASK) | (flags & SETFL_MASK); }
    bool is_path_only() const { return m_flags & O_PATH; }
    bool can_read() const;
    bool can_write() const;
    // EAGAIN from this file means the caller must wait (a blocking pipe or eventfd).
    bool must_wait_on_again() const { return !(m_flags & O_NONBLOCK) && m_inode->can_block(); }
    u64 offset() const { return m_offset; }

    // read/write at the file position (clamped to MAX_RW_COUNT, as Linux).
    Result<size_t> read(IoBuffer& buf, size_t n);
    Result<size_t> write(const IoBuffer& buf, size_t n);
    // pread/pwrite: ESPIPE on a stream; pwrite with O_APPEND appends (as Linux).
    Result<size_t> pread(IoBuffer& buf, size_t n, i64 offset);
    Result<size_t> pwrite(const IoBuffer& buf, size_t n, i64 offset);
    Result<i64> seek(i64 offset, int whence);
    // Sets the position (sendfile, copy_file_range use it after moving data).
    void set_offset(u64 offset) { m_offset = offset; }
    // getdents64: packs struct linux_dirent64 records, resuming at the position.
    Result<size_t> read_dir(IoBuffer& buf, size_t n);

    // F_SETOWN/F_GETOWN.
    i32 owner() const { return m_owner; }
    void set_owner(i32 pid) { m_owner = pid; }

private:
    OpenFile(core::Ref<Inode> inode, u32 flags) : m_inode(std::move(inode)), m_flags(flags) {}

    core::Ref<Inode> m_inode;
    u32 m_flags;
    u64 m_offset { 0 };
    i32 m_owner { 0 };
};

} // namespace fs
