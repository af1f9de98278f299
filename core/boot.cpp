// From an unpacked initramfs to the program's first instruction: the file
// system and its hooks, descriptors 0-2 on the console, the ELF mapped, the
// initial stack built, and the jump to ring 3.
#include "core/boot.h"
#include "core/klog.h"
#include "core/power.h"
#include "core/process.h"
#include "core/random.h"
#include "core/thread.h"
#include "core/time.h"
#include "core/vector.h"
#include "fs/devices.h"
#include "fs/mmap_backing.h"
#include "fs/procfs.h"
#include "fs/vfs.h"
#include "loader/exec.h"
#include "platform/x86_64/serial.h"
#include "platform/x86_64/trap.h"

namespace core {

namespace {

void console_write(int stream, const u8* data, size_t n)
{
    auto* s = reinterpret_cast<const char*>(data);
    if (stream == 2) serial::write_err(s, n);
    else serial::write(s, n);
}

Result<size_t> console_read(u8* buf, size_t n, bool nonblocking)
{
    // The UART raises no interrupt yet: poll, sleeping 1 ms between looks.
    while (!serial::has_input()) {
        if (nonblocking) return Errno::EAGAIN;
        time::sleep_until_ns(time::monotonic_ns() + 1000000);
    }
    size_t got = 0;
    while (got < n && serial::has_input()) buf[got++] = u8(serial::read_byte());
    return got;
}

void random_hook(u8* buf, size_t n) { random_bytes(buf, n); }

fs::Timespec clock_hook()
{
    u64 ns = time::realtime_ns();
    return { i64(ns / 1000000000ull), i64(ns % 1000000000ull) };
}

[[noreturn]] void fail(const char* what, const char* detail)
{
    // The program never started: say why on the console, exit like a shell
    // that cannot run a command (126 not executable, 127 not found).
    klog::error("%s: %s", what, detail);
    program_exited(127);
}

} // namespace

namespace {
void (*g_after_unpack)();
}

void set_after_unpack_hook(void (*hook)()) { g_after_unpack = hook; }

void boot_program(const u8* initramfs, size_t size, u32 stdio_tty_mask)
{
    fs::set_console_hooks(console_write, console_read);
    fs::set_random_hook(random_hook);
    fs::set_clock_hook(clock_hook);

    fs::Manifest manifest;
    const char* why = nullptr;
    auto r = fs::unpack_initramfs(initramfs, size, manifest, &why);
    if (r.is_error()) fail("cannot unpack the image", why ? why : errno_name(r.error()));
    if (!manifest.present) fail("the image has no .elfin/manifest", "build it with `elfin build` or `elfin run`");
    if (fs::init_stdio(stdio_tty_mask).is_error()) fail("cannot open /dev/console", "for descriptors 0, 1 and 2");
    if (g_after_unpack) g_after_unpack();

    auto inode = fs::resolve_path(manifest.exe.view());
    if (inode.is_error()) fail(manifest.exe.c_str(), errno_name(inode.error()));
    if (fs::check_executable(*inode.value()).is_error()) {
        klog::error("%s: not executable", manifest.exe.c_str());
        program_exited(126);
    }
    auto span = inode.value()->as_regular()->contents();
    auto backing = fs::InodeBacking::create(inode.value(), manifest.exe.view());
    if (backing.is_error()) fail(manifest.exe.c_str(), errno_name(backing.error()));

    // argv/envp as NULL-terminated arrays of C strings.
    Vector<const char*> argv, envp;
    for (auto& a : manifest.argv) MUST(argv.append(a.c_str()));
    MUST(argv.append(nullptr));
    for (auto& e : manifest.envp) MUST(envp.append(e.c_str()));
    MUST(envp.append(nullptr));

    const char* refusal = nullptr;
    loader::ExecImage image { span.data, span.size, backing.release_value(), manifest.exe.c_str() };
    auto ex = loader::exec(image, { argv.data(), envp.data(), process().aslr }, &refusal);
    if (ex.is_error()) {
        if (refusal) klog::error("%s: %s", manifest.exe.c_str(), refusal);
        else klog::error("%s: cannot load: %s", manifest.exe.c_str(), errno_name(ex.error()));
        program_exited(ex.error() == Errno::ENOENT ? 127 : 126);
    }
    // The first thread's name (prctl PR_GET_NAME, comm) is the program's, as Linux's exec sets it.
    auto comm = fs::proc_comm();
    memcpy(current()->name, comm.chars(), comm.length());
    current()->name[comm.length()] = 0;
    klog::info("starting %s at %#lx", manifest.exe.c_str(), ex.value().entry);
    x86::enter_user(ex.value().entry, ex.value().stack);
}

} // namespace core
