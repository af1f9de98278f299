#pragma once
// Character devices in /dev: null, zero, full, random, urandom, console, tty.
// What only the kernel can do (talk to the serial console, produce random bytes)
// comes through hooks it registers at boot; without them the console swallows
// output and reads end of file, and the random devices fail with EIO (the unit
// tests register fakes).
#include "fs/errno_guard.h"
#include "core/ref.h"
#include "fs/inode.h"

namespace fs {

class Directory;

// Writes program output to the console (`stream` 1: stdout, 2: stderr; /dev/console
// and /dev/tty write as 1).
using ConsoleWriteHook = void (*)(int stream, const u8* data, size_t n);
// Reads console input: waits for at least one byte unless `nonblocking` (then
// EAGAIN when none is ready); 0 means end of input.
using ConsoleReadHook = Result<size_t> (*)(u8* buf, size_t n, bool nonblocking);
void set_console_hooks(ConsoleWriteHook write, ConsoleReadHook read);
// Fills a buffer with cryptographically random bytes.
using RandomHook = void (*)(u8* buf, size_t n);
void set_random_hook(RandomHook);

class CharDevice : public Inode {
public:
    u64 rdev() const override { return make_dev(m_major, m_minor); }
    ErrorOr truncate(u64) override { return {}; } // O_TRUNC on a device is ignored

protected:
    CharDevice(u32 major, u32 minor, u32 perms)
        : Inode(InodeType::CharDevice, perms), m_major(major), m_minor(minor) {}

private:
    u32 m_major, m_minor;
};

// The device with that number (as in a cpio entry or mknod). One Elfin has no
// driver for still exists, and opening it fails with ENXIO, as on Linux.
Result<core::Ref<Inode>> make_char_device(u32 major, u32 minor, u32 perms);

// Descriptor 0, 1 or 2 when the host's end is not a terminal (`elfin run … > file`,
// a pipe): a FIFO that is not a tty (isatty is false, tcgetattr ENOTTY, lseek
// ESPIPE), reading from the console input and writing to stream `fd` — stderr
// may then leave on a port of its own, apart from stdout.
Result<core::Ref<Inode>> make_host_stream(int fd);

// Puts null, zero, full, random, urandom, tty and console into `dev`,
// replacing entries of the same names, and the directory shm (01777) unless
// `dev` has one.
ErrorOr populate_dev(Directory& dev);

} // namespace fs
