#pragma once
// An inode: one file system object (regular file, directory, symlink, character
// device) with its metadata. Subclasses hold the data: fs/ramfs.h (the in-image
// filesystem) and fs/devices.h (/dev). Reference-counted: a directory entry, an
// open file, the cwd each hold a Ref.
#include "fs/errno_guard.h"
#include "core/ref.h"
#include "core/result.h"
#include "core/types.h"
#include "fs/abi.h"
#include "fs/io_buffer.h"
#include "fs/poll.h"

namespace fs {

struct EpollWatch;

struct Timespec {
    i64 sec { 0 };
    i64 nsec { 0 };
};

// What stat/statx report, in neutral form; the syscalls lay it out per the ABI.
struct Stat {
    u64 dev, ino;
    u32 mode, nlink, uid, gid;
    u64 rdev;
    i64 size, blksize, blocks;
    Timespec atime, mtime, ctime;
};

// Fifo: a pipe (S_IFIFO). Anon: an object with no file type of its own
// (eventfd, signalfd, timerfd, epoll), which Linux reports with no S_IFMT
// bits, as its anon_inode does. Socket: a socket (net/socket.h); SocketName:
// the file a socket bound to a path makes (S_IFSOCK too, but not a socket).
enum class InodeType : u8 { Regular, Directory, Symlink, CharDevice, Fifo, Anon, Socket, SocketName };

class Directory;
class RamFile;
class StreamInode;
class Symlink;

// The device number every inode of the root filesystem reports as st_dev.
constexpr u64 ROOT_DEV = make_dev(0, 1);

// The clock new and modified inodes are stamped with; the kernel registers it
// at boot. Without one, times are 0 (the epoch).
using ClockHook = Timespec (*)();
void set_clock_hook(ClockHook);
Timespec now();

// Inodes alive now (statfs's f_files - f_ffree).
u64 live_inode_count();

class Inode : public core::RefCounted {
public:
    ~Inode() override;
    InodeType type() const { return m_type; }
    bool is_regular() const { return m_type == InodeType::Regular; }
    bool is_directory() const { return m_type == InodeType::Directory; }
    bool is_symlink() const { return m_type == InodeType::Symlink; }
    bool is_char_device() const { return m_type == InodeType::CharDevice; }
    bool is_fifo() const { return m_type == InodeType::Fifo; }
    // Downcasts (no RTTI in the kernel); null when the type differs. Defined in fs/ramfs.h.
    Directory* as_directory();
    RamFile* as_regular();
    Symlink* as_symlink();
    // Pipes, eventfd, timerfd, signalfd, epoll (fs/stream_inode.h: stream_cast).
    virtual StreamInode* as_stream() { return nullptr; }

    u64 ino() const { return m_ino; }
    u32 mode() const; // S_IFMT | permission bits, as st_mode
    u32 permissions() const { return m_perms; }
    void set_permissions(u32 perms) { m_perms = perms & S_IALLUGO; }
    u32 uid() const { return m_uid; }
    u32 gid() const { return m_gid; }
    void set_owner(u32 uid, u32 gid) { m_uid = uid; m_gid = gid; }
    u32 nlink() const { return m_nlink; }
    void set_nlink(u32 n) { m_nlink = n; }
    Timespec atime() const { return m_atime; }
    Timespec mtime() const { return m_mtime; }
    Timespec ctime() const { return m_ctime; }
    void set_times(Timespec t) { m_atime = m_mtime = m_ctime = t; }
    void set_atime(Timespec t) { m_atime = t; }
    void set_mtime(Timespec t) { m_mtime = t; }
    // Data changed: mtime and ctime are now.
    void touch_modified();
    // Metadata changed (chmod, chown, link count, rename): ctime is now.
    void touch_changed();

    // An Anon inode's name in /proc/self/fd links ("[eventfd]": Linux's
    // "anon_inode:[eventfd]"); null for the others.
    virtual const char* anon_name() const { return nullptr; }

    virtual u64 size() const { return 0; }
    virtual u64 rdev() const { return 0; }
    // st_blocks, in 512-byte units.
    virtual u64 blocks() const { return 0; }
    Stat stat() const;

    // Data access at an explicit offset; OpenFile keeps the file position.
    // `flags` are the open file's status flags (O_NONBLOCK matters to devices).
    virtual Result<size_t> read(u64 offset, IoBuffer& buf, size_t n, u32 flags);
    virtual Result<size_t> write(u64 offset, const IoBuffer& buf, size_t n, u32 flags);
    virtual ErrorOr truncate(u64 length);
    // False for stream-like files (the console): lseek/pread/pwrite give ESPIPE.
    virtual bool is_seekable() const { return true; }
    // Character devices whose lseek leaves the position at 0 (/dev/null, /dev/zero...).
    virtual bool seek_is_noop() const { return false; }
    // A terminal: answers TCGETS/TIOCGWINSZ.
    virtual bool is_tty() const { return false; }
    // Called when the inode is opened (a device node with no driver says ENXIO).
    virtual ErrorOr on_open() { return {}; }
    // An open file description on this inode was made / released, with its
    // open flags (a pipe counts its readers and writers).
    virtual void file_opened(u32) {}
    virtual void file_closed(u32) {}
    // EAGAIN from read/write means "would block" (pipes, eventfd): the syscall
    // layer waits unless the file is O_NONBLOCK. Elsewhere EAGAIN is final.
    virtual bool can_block() const { return false; }
    // fsync/fdatasync: EINVAL for objects without the operation (pipes,
    // devices), as Linux; ramfs files and directories have nothing to flush.
    virtual bool can_fsync() const { return is_regular() || is_directory(); }
    // Readiness (fs/poll.h). has_poll: the kind has a poll operation (epoll
    // refuses the others with EPERM; poll/select find them always ready).
    // poll: the POLL* mask now for an open file with `flags`. poll_deadline:
    // the monotonic time at which the mask changes by itself (timerfd).
    virtual bool has_poll() const { return false; }
    virtual u32 poll(u32 flags) { (void)flags; return POLL_DEFAULT; }
    virtual u64 poll_deadline() { return POLL_NO_DEADLINE; }
    // A blocking read or write of the inode waits no later than this
    // monotonic time, then looks again (a timerfd: its next expiry, or now
    // once it expired, so a wake-up from the timer interrupt between the
    // look and the sleep is not lost).
    virtual u64 io_deadline() { return POLL_NO_DEADLINE; }
    // Events counted by readiness_changed(): epoll's EPOLLET reports each.
    // Counted from interrupts too: epoll must read it before it polls.
    u64 poll_events() const { return __atomic_load_n(&m_poll_events, __ATOMIC_ACQUIRE); }
    void count_poll_event() { __atomic_fetch_add(&m_poll_events, 1, __ATOMIC_ACQ_REL); }
    // True for a kind that calls readiness_changed() for every change that
    // can make it readable, writable, hung up or in error (sockets, pipes,
    // eventfd): epoll then looks at it only after such a call, not on every
    // epoll_wait (fs/epoll.h).
    virtual bool reports_readiness() const { return false; }

protected:
    Inode(InodeType type, u32 perms);

private:
    InodeType m_type;
    u32 m_perms;
    u64 m_ino;
    u32 m_uid { 0 }, m_gid { 0 };
    u32 m_nlink { 0 }; // counted by the directories that name it
    Timespec m_atime, m_mtime, m_ctime;
    u64 m_poll_events { 0 };
    // The epoll entries watching this inode, when it reports_readiness()
    // (fs/epoll.cpp's list; opaque here).
    friend class Epoll;
    EpollWatch* m_epoll_watchers { nullptr };
};

} // namespace fs
