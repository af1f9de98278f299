#include "fs/devices.h"
#include "fs/ramfs.h"

namespace fs {

namespace {

ConsoleWriteHook g_console_write = nullptr;
ConsoleReadHook g_console_read = nullptr;
RandomHook g_random = nullptr;

// Linux's numbers (Documentation/admin-guide/devices.txt).
constexpr u32 MEM_MAJOR = 1, NULL_MINOR = 3, ZERO_MINOR = 5, FULL_MINOR = 7, RANDOM_MINOR = 8,
              URANDOM_MINOR = 9;
constexpr u32 TTYAUX_MAJOR = 5, TTY_MINOR = 0, CONSOLE_MINOR = 1;

constexpr size_t CHUNK = 256;

// Reads `n` bytes from the buffer in chunks and hands them to `sink`.
template<typename Sink>
ErrorOr drain(const IoBuffer& buf, size_t n, Sink sink)
{
    u8 chunk[CHUNK];
    for (size_t at = 0; at < n;) {
        size_t len = n - at < CHUNK ? n - at : CHUNK;
        TRY(buf.copy_in(chunk, at, len));
        sink(chunk, len);
        at += len;
    }
    return {};
}

// /dev/null, /dev/zero, /dev/full: the position stays 0 whatever lseek says.
class MemDevice final : public CharDevice {
public:
    MemDevice(u32 minor, u32 perms) : CharDevice(MEM_MAJOR, minor, perms), m_minor(minor) {}
    bool seek_is_noop() const override { return true; }

    Result<size_t> read(u64, IoBuffer& buf, size_t n, u32) override
    {
        switch (m_minor) {
        case NULL_MINOR: return size_t(0);
        case ZERO_MINOR:
        case FULL_MINOR: TRY(buf.fill_zero(0, n)); return n;
        case RANDOM_MINOR:
        case URANDOM_MINOR: {
            if (!g_random) return Errno::EIO;
            u8 chunk[CHUNK];
            for (size_t at = 0; at < n;) {
                size_t len = n - at < CHUNK ? n - at : CHUNK;
                g_random(chunk, len);
                TRY(buf.copy_out(at, chunk, len));
                at += len;
            }
            return n;
        }
        }
        return Errno::ENXIO;
    }

    Result<size_t> write(u64, const IoBuffer& buf, size_t n, u32) override
    {
        switch (m_minor) {
        case NULL_MINOR:
        case ZERO_MINOR: return n; // discarded unread, as Linux does
        case FULL_MINOR: return Errno::ENOSPC;
        case RANDOM_MINOR:
        case URANDOM_MINOR:
            // Linux mixes the bytes into the pool; ours has no pool to mix into.
            TRY(drain(buf, n, [](const u8*, size_t) {}));
            return n;
        }
        return Errno::ENXIO;
    }

private:
    u32 m_minor;
};

Result<size_t> console_read(IoBuffer& buf, size_t n, u32 flags)
{
    if (!g_console_read || n == 0) return size_t(0);
    u8 chunk[CHUNK];
    size_t len = n < CHUNK ? n : CHUNK;
    size_t got = TRY(g_console_read(chunk, len, flags & O_NONBLOCK));
    TRY(buf.copy_out(0, chunk, got));
    return got;
}

// /dev/console and /dev/tty: a stream (no seeking) and a terminal.
class ConsoleDevice final : public CharDevice {
public:
    ConsoleDevice(u32 minor, u32 perms) : CharDevice(TTYAUX_MAJOR, minor, perms) {}
    bool is_seekable() const override { return false; }
    bool is_tty() const override { return true; }
    // Always writable; input is not tracked, so it reads as ready too.
    bool has_poll() const override { return true; }

    Result<size_t> read(u64, IoBuffer& buf, size_t n, u32 flags) override { return console_read(buf, n, flags); }

    Result<size_t> write(u64, const IoBuffer& buf, size_t n, u32) override
    {
        TRY(drain(buf, n, [](const u8* p, size_t len) {
            if (g_console_write) g_console_write(1, p, len);
        }));
        return n;
    }
};

// A standard stream whose host end is a file or a pipe (see make_host_stream).
class HostStream final : public Inode {
public:
    explicit HostStream(int fd) : Inode(InodeType::Fifo, 0600), m_fd(fd) {}
    bool is_seekable() const override { return false; }

    // The descriptor's access mode (O_RDONLY for 0, O_WRONLY for 1 and 2)
    // decides which of these may be called.
    Result<size_t> read(u64, IoBuffer& buf, size_t n, u32 flags) override { return console_read(buf, n, flags); }

    Result<size_t> write(u64, const IoBuffer& buf, size_t n, u32) override
    {
        int stream = m_fd == 2 ? 2 : 1;
        TRY(drain(buf, n, [stream](const u8* p, size_t len) {
            if (g_console_write) g_console_write(stream, p, len);
        }));
        return n;
    }

private:
    int m_fd;
};

// A device node from the image for which Elfin has no driver.
class UnboundDevice final : public CharDevice {
public:
    UnboundDevice(u32 major, u32 minor, u32 perms) : CharDevice(major, minor, perms) {}
    ErrorOr on_open() override { return Errno::ENXIO; }
};

template<typename T, typename... Args>
Result<core::Ref<Inode>> adopt_device(Args... args)
{
    T* p = new (std::nothrow) T(args...);
    if (!p) return Errno::ENOMEM;
    return core::Ref<Inode>(p);
}

} // namespace

Result<core::Ref<Inode>> make_host_stream(int fd)
{
    if (fd < 0 || fd > 2) return Errno::EINVAL;
    return adopt_device<HostStream>(fd);
}

void set_console_hooks(ConsoleWriteHook write, ConsoleReadHook read)
{
    g_console_write = write;
    g_console_read = read;
}

void set_random_hook(RandomHook hook) { g_random = hook; }

Result<core::Ref<Inode>> make_char_device(u32 major, u32 minor, u32 perms)
{
    if (major == MEM_MAJOR
        && (minor == NULL_MINOR || minor == ZERO_MINOR || minor == FULL_MINOR
            || minor == RANDOM_MINOR || minor == URANDOM_MINOR))
        return adopt_device<MemDevice>(minor, perms);
    if (major == TTYAUX_MAJOR && (minor == TTY_MINOR || minor == CONSOLE_MINOR))
        return adopt_device<ConsoleDevice>(minor, perms);
    return adopt_device<UnboundDevice>(major, minor, perms);
}

ErrorOr populate_dev(Directory& dev)
{
    struct Node {
        const char* name;
        u32 major, minor, perms;
    };
    static constexpr Node nodes[] = {
        { "null", MEM_MAJOR, NULL_MINOR, 0666 },
        { "zero", MEM_MAJOR, ZERO_MINOR, 0666 },
        { "full", MEM_MAJOR, FULL_MINOR, 0666 },
        { "random", MEM_MAJOR, RANDOM_MINOR, 0666 },
        { "urandom", MEM_MAJOR, URANDOM_MINOR, 0666 },
        { "tty", TTYAUX_MAJOR, TTY_MINOR, 0666 },
        { "console", TTYAUX_MAJOR, CONSOLE_MINOR, 0600 },
    };
    for (auto& n : nodes) {
        auto inode = TRY(make_char_device(n.major, n.minor, n.perms));
        TRY(dev.put(n.name, inode));
    }
    // /dev/shm: where glibc's shm_open and sem_open make their files, sticky
    // and world-writable as Linux mounts it (a tmpfs there; the in-memory
    // file system here). One from the image is kept.
    if (!dev.lookup("shm")) {
        auto shm = TRY(Directory::create(01777));
        TRY(dev.add("shm", shm));
    }
    return {};
}

} // namespace fs
