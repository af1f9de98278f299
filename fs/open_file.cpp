#include "fs/open_file.h"
#include "fs/ramfs.h"
#include "fs/epoll.h"

namespace fs {

namespace {
size_t clamp_count(size_t n) { return n > MAX_RW_COUNT ? MAX_RW_COUNT : n; }
} // namespace

Result<core::Ref<OpenFile>> OpenFile::create(core::Ref<Inode> inode, u32 flags)
{
    // x86-64 Linux forces O_LARGEFILE and keeps neither the creation flags nor
    // O_CLOEXEC (which belongs to the descriptor) in f_flags.
    u32 kept = (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)) | O_LARGEFILE;
    auto* f = new (std::nothrow) OpenFile(std::move(inode), kept);
    if (!f) return Errno::ENOMEM;
    f->m_inode->file_opened(kept);
    return core::Ref<OpenFile>(f);
}

Result<core::Ref<OpenFile>> OpenFile::create_pseudo(core::Ref<Inode> inode, u32 flags)
{
    auto* f = new (std::nothrow) OpenFile(std::move(inode), flags);
    if (!f) return Errno::ENOMEM;
    f->m_inode->file_opened(flags);
    return core::Ref<OpenFile>(f);
}

OpenFile::~OpenFile()
{
    Epoll::file_released(this);
    m_inode->file_closed(m_flags);
}

// O_ACCMODE == 3 opens for neither reading nor writing (ioctl only), as Linux.
bool OpenFile::can_read() const
{
    u32 acc = m_flags & O_ACCMODE;
    return !is_path_only() && (acc == O_RDONLY || acc == O_RDWR);
}

bool OpenFile::can_write() const
{
    u32 acc = m_flags & O_ACCMODE;
    return !is_path_only() && (acc == O_WRONLY || acc == O_RDWR);
}

Result<size_t> OpenFile::read(IoBuffer& buf, size_t n)
{
    if (!can_read()) return Errno::EBADF;
    n = clamp_count(n);
    if (!m_inode->is_seekable() || m_inode->seek_is_noop()) return m_inode->read(0, buf, n, m_flags);
    size_t got = TRY(m_inode->read(m_offset, buf, n, m_flags));
    m_offset += got;
    return got;
}

Result<size_t> OpenFile::write(const IoBuffer& buf, size_t n)
{
    if (!can_write()) return Errno::EBADF;
    n = clamp_count(n);
    if (!m_inode->is_seekable() || m_inode->seek_is_noop()) return m_inode->write(0, buf, n, m_flags);
    u64 at = (m_flags & O_APPEND) ? m_inode->size() : m_offset;
    size_t put = TRY(m_inode->write(at, buf, n, m_flags));
    m_offset = at + put;
    return put;
}

Result<size_t> OpenFile::pread(IoBuffer& buf, size_t n, i64 offset)
{
    if (offset < 0) return Errno::EINVAL;
    if (!m_inode->is_seekable()) return Errno::ESPIPE;
    if (!can_read()) return Errno::EBADF;
    return m_inode->read(static_cast<u64>(offset), buf, clamp_count(n), m_flags);
}

Result<size_t> OpenFile::pwrite(const IoBuffer& buf, size_t n, i64 offset)
{
    if (offset < 0) return Errno::EINVAL;
    if (!m_inode->is_seekable()) return Errno::ESPIPE;
    if (!can_write()) return Errno::EBADF;
    // Linux's documented quirk: O_APPEND wins over the offset.
    u64 at = (m_flags & O_APPEND) ? m_inode->size() : static_cast<u64>(offset);
    return m_inode->write(at, buf, clamp_count(n), m_flags);
}

Result<i64> OpenFile::seek(i64 offset, int whence)
{
    if (whence < WHENCE_SET || whence > WHENCE_HOLE) return Errno::EINVAL;
    if (!m_inode->is_seekable()) return Errno::ESPIPE;
    if (m_inode->seek_is_noop()) return i64(0); // /dev/null and friends
    i64 cur = static_cast<i64>(m_offset);
    i64 size = static_cast<i64>(m_inode->size());
    i64 pos = 0;
    if (m_inode->is_directory()) {
        // Positions in a directory are entry indices; Linux's dcache_dir_lseek
        // knows only SEEK_SET and SEEK_CUR.
        if (whence == WHENCE_SET) pos = offset;
        else if (whence == WHENCE_CUR) { if (__builtin_add_overflow(cur, offset, &pos)) return Errno::EINVAL; }
        else return Errno::EINVAL;
    } else {
        switch (whence) {
        case WHENCE_SET: pos = offset; break;
        case WHENCE_CUR:
            if (__builtin_add_overflow(cur, offset, &pos)) return Errno::EINVAL;
            break;
        case WHENCE_END:
            if (__builtin_add_overflow(size, offset, &pos)) return Errno::EINVAL;
            break;
        case WHENCE_DATA:
        case WHENCE_HOLE:
            // No holes: all data up to the end, the one hole after it.
            if (offset < 0 || offset >= size) return Errno::ENXIO;
            pos = whence == WHENCE_DATA ? offset : size;
            break;
        }
    }
    if (pos < 0) return Errno::EINVAL;
    m_offset = static_cast<u64>(pos);
    return pos;
}

Result<size_t> OpenFile::read_dir(IoBuffer& buf, size_t n)
{
    Directory* dir = m_inode->as_directory();
    if (!dir) return Errno::ENOTDIR;
    // Position 0 is ".", 1 is "..", 2 + i is entry i; d_off is the next position.
    size_t done = 0;
    u64 pos = m_offset;
    for (;; pos++) {
        core::StringView name;
        Inode* inode;
        if (pos == 0) { name = "."; inode = dir; }
        else if (pos == 1) { name = ".."; inode = dir->parent(); }
        else if (pos - 2 < dir->entry_count()) {
            auto& e = dir->entry(pos - 2);
            name = e.name.view();
            inode = e.inode.ptr();
        } else break;

        // struct linux_dirent64 { u64 d_ino; i64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
        constexpr size_t NAME_AT = 19;
        size_t reclen = (NAME_AT + name.length() + 1 + 7) & ~size_t(7);
        if (reclen > n - done) {
            if (done == 0) return Errno::EINVAL;
            break;
        }
        u8 rec[NAME_AT + MAX_NAME_BYTES + 1 + 8] = {};
        u64 ino = inode->ino();
        i64 next = static_cast<i64>(pos + 1);
        u16 len16 = static_cast<u16>(reclen);
        u8 type = DT_UNKNOWN;
        switch (inode->type()) {
        case InodeType::Regular: type = DT_REG; break;
        case InodeType::Directory: type = DT_DIR; break;
        case InodeType::Symlink: type = DT_LNK; break;
        case InodeType::CharDevice: type = DT_CHR; break;
        case InodeType::Fifo: type = DT_FIFO; break;
        case InodeType::Anon: type = DT_UNKNOWN; break;
        case InodeType::Socket: case InodeType::SocketName: type = DT_SOCK; break;
        }
        memcpy(rec, &ino, 8);
        memcpy(rec + 8, &next, 8);
        memcpy(rec + 16, &len16, 2);
        rec[18] = type;
        memcpy(rec + NAME_AT, name.chars(), name.length());
        TRY(buf.copy_out(done, rec, reclen));
        done += reclen;
    }
    m_offset = pos;
    return done;
}

} // namespace fs
