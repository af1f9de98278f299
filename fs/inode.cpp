#include "fs/inode.h"
#include <atomic>

namespace fs {

namespace {
ClockHook g_clock = nullptr;
// Inode numbers are unique for the life of the kernel; 1 goes to the first
// inode made, the root directory.
std::atomic<u64> g_next_ino { 1 };
std::atomic<u64> g_live_inodes { 0 };
} // namespace

void set_clock_hook(ClockHook hook) { g_clock = hook; }
Timespec now() { return g_clock ? g_clock() : Timespec {}; }

Inode::Inode(InodeType type, u32 perms)
    : m_type(type)
    , m_perms(perms & S_IALLUGO)
    , m_ino(g_next_ino.fetch_add(1, std::memory_order_relaxed))
{
    set_times(now());
    g_live_inodes.fetch_add(1, std::memory_order_relaxed);
}

Inode::~Inode() { g_live_inodes.fetch_sub(1, std::memory_order_relaxed); }

u64 live_inode_count() { return g_live_inodes.load(std::memory_order_relaxed); }

u32 Inode::mode() const
{
    u32 fmt = 0;
    switch (m_type) {
    case InodeType::Regular: fmt = S_IFREG; break;
    case InodeType::Directory: fmt = S_IFDIR; break;
    case InodeType::Symlink: fmt = S_IFLNK; break;
    case InodeType::CharDevice: fmt = S_IFCHR; break;
    case InodeType::Fifo: fmt = S_IFIFO; break;
    case InodeType::Anon: fmt = 0; break;
    case InodeType::Socket: case InodeType::SocketName: fmt = S_IFSOCK; break;
    }
    return fmt | m_perms;
}

void Inode::touch_modified()
{
    Timespec t = now();
    m_mtime = m_ctime = t;
}

void Inode::touch_changed() { m_ctime = now(); }

Stat Inode::stat() const
{
    Stat st {};
    st.dev = ROOT_DEV;
    st.ino = m_ino;
    st.mode = mode();
    st.nlink = m_nlink;
    st.uid = m_uid;
    st.gid = m_gid;
    st.rdev = rdev();
    st.size = static_cast<i64>(size());
    st.blksize = PAGE_SIZE;
    st.blocks = static_cast<i64>(blocks());
    st.atime = m_atime;
    st.mtime = m_mtime;
    st.ctime = m_ctime;
    return st;
}

// The defaults are what Linux says for an object without the operation.
Result<size_t> Inode::read(u64, IoBuffer&, size_t, u32) { return Errno::EINVAL; }
Result<size_t> Inode::write(u64, const IoBuffer&, size_t, u32) { return Errno::EINVAL; }
ErrorOr Inode::truncate(u64) { return Errno::EINVAL; }

} // namespace fs
