// The one place where a Result becomes Linux's raw return value (-errno), and
// where --trace prints each call strace-style.
#include "syscalls/table.h"
#include "platform/x86_64/trap.h"
#include "core/deferred.h"
#include "core/flush.h"
#include "core/klog.h"
#include "core/process.h"
#include "core/signal.h"
#include "core/format.h"
#include "core/string.h"
#include "fs/vfs.h"
#include "net/socket.h"

namespace sys {

namespace {
u64 g_reported[(SYSCALL_TABLE_SIZE + 63) / 64 + 1];

void report_unknown(u64 nr)
{
    u64 slot = nr < SYSCALL_TABLE_SIZE ? nr : SYSCALL_TABLE_SIZE;
    if (g_reported[slot / 64] & (1ull << (slot % 64))) return;
    g_reported[slot / 64] |= 1ull << (slot % 64);
    const char* name = nr < SYSCALL_TABLE_SIZE ? SYSCALL_NAMES[nr].name : nullptr;
    if (name) klog::status("elfin-status unknown-syscall %s", name);
    else klog::status("elfin-status unknown-syscall syscall_%lu", nr);
}

// Appends one decoded argument, strace-style.
size_t trace_arg(char* buf, size_t size, const char* kind, size_t klen, u64 v)
{
    auto is = [&](const char* k) { return strlen(k) == klen && strncmp(kind, k, klen) == 0; };
    if (is("fd") || is("int")) return core::format(buf, size, "%d", int(v));
    if (is("dirfd")) return int(v) == -100 ? core::format(buf, size, "AT_FDCWD") : core::format(buf, size, "%d", int(v));
    if (is("size")) return core::format(buf, size, "%lu", v);
    if (is("mode") || is("oflags")) return core::format(buf, size, "0%lo", v);
    if (is("path")) {
        auto s = mm::copy_string_from_user(v, 256);
        if (s.is_error()) return core::format(buf, size, "%#lx", v);
        return core::format(buf, size, "\"%s\"", s.value().c_str());
    }
    if (is("ibuf")) {
        return core::format(buf, size, "%#lx", v); // contents printed by the caller with the size
    }
    if (v == 0) return core::format(buf, size, "NULL");
    return core::format(buf, size, "%#lx", v);
}

void trace(u64 nr, const Args& a, i64 ret)
{
    char line[512];
    size_t n = 0;
    const SyscallName* info = nr < SYSCALL_TABLE_SIZE && SYSCALL_NAMES[nr].name ? &SYSCALL_NAMES[nr] : nullptr;
    n += core::format(line + n, sizeof line - n, "[trace] %s(", info ? info->name : "syscall");
    if (!info) n += core::format(line + n, sizeof line - n, "%lu, ", nr);
    const char* k = info ? info->args : "";
    for (int i = 0; *k && i < 6 && n < sizeof line; i++) {
        const char* e = k;
        while (*e && *e != ',') e++;
        if (i) n += core::format(line + n, sizeof line - n, ", ");
        if (size_t(e - k) == 4 && !strncmp(k, "ibuf", 4) && a[i + 1] <= 4096) {
            // Show up to 32 bytes of what is written, escaped.
            u8 tmp[32];
            size_t len = a[i + 1] < 32 ? a[i + 1] : 32;
            if (!mm::copy_from_user(tmp, a[i], len).is_error()) {
                n += core::format(line + n, sizeof line - n, "\"");
                for (size_t j = 0; j < len && n < sizeof line - 8; j++) {
                    u8 c = tmp[j];
                    if (c == '\n') n += core::format(line + n, sizeof line - n, "\\n");
                    else if (c == '"' || c == '\\') n += core::format(line + n, sizeof line - n, "\\%c", c);
                    else if (c >= 32 && c < 127) n += core::format(line + n, sizeof line - n, "%c", c);
                    else n += core::format(line + n, sizeof line - n, "\\x%02x", c);
                }
                n += core::format(line + n, sizeof line - n, a[i + 1] > 32 ? "\"..." : "\"");
            } else {
                n += trace_arg(line + n, sizeof line - n, k, e - k, a[i]);
            }
        } else {
            n += trace_arg(line + n, sizeof line - n, k, e - k, a[i]);
        }
        k = *e ? e + 1 : e;
    }
    if (n >= sizeof line) n = sizeof line - 1;
    if (ret < 0 && ret >= -4095)
        n += core::format(line + n, sizeof line - n, ") = -1 %s\n", core::errno_name(Errno(-ret)));
    else if (ret > 0xffff || ret < -4095)
        n += core::format(line + n, sizeof line - n, ") = %#lx\n", ret);
    else
        n += core::format(line + n, sizeof line - n, ") = %ld\n", ret);
    klog::write_raw(line, n < sizeof line ? n : sizeof line - 1);
}
} // namespace

} // namespace sys

namespace sys {
namespace {
// The syscalls that write, by number: SIGPIPE and the send batch look at them.
enum : u64 { WRITE = 1, WRITEV = 20, SENDFILE = 40, SENDTO = 44, SENDMSG = 46, PWRITEV = 296, SPLICE = 275,
             TEE = 276, VMSPLICE = 278, SENDMMSG = 307, PWRITEV2 = 328 };

// A call that may send more frames adds to the batch a card holds back
// (core/flush.h); any other call flushes it first.
bool adds_to_send_batch(u64 nr)
{
    switch (nr) {
    case WRITE: case WRITEV: case SENDFILE: case SENDTO: case SENDMSG: case SENDMMSG:
        return true;
    default:
        return false;
    }
}

// Linux sends SIGPIPE to the writer when a write into a pipe (or socket)
// fails with EPIPE for want of a reader. fs/ is host-testable and knows no
// signals, so the syscalls that write are recognised here; the socket
// sends skip it under MSG_NOSIGNAL.
void sigpipe_on_epipe(u64 nr, const Args& a, i64 ret)
{
    constexpr u64 MSG_NOSIGNAL = 0x4000;
    if (ret != -i64(Errno::EPIPE)) return;
    // Only stream sockets signal (tcp's sk_stream_error, unix_stream_sendmsg);
    // an AF_UNIX datagram or seqpacket socket just says EPIPE.
    if (nr != SENDFILE && nr != SPLICE && nr != TEE && nr != VMSPLICE) {
        auto file = fs::current_fds().get(int(a[0]));
        if (!file.is_error()) {
            net::Socket* s = net::Socket::from(file.value()->inode());
            if (s && s->type() != net::SOCK_STREAM) return;
        }
    }
    switch (nr) {
    case WRITE: case WRITEV: case SENDFILE: case PWRITEV: case PWRITEV2: case SPLICE: case TEE: case VMSPLICE:
        break;
    case SENDTO: case SENDMSG: case SENDMMSG:
        if (a[nr == SENDTO ? 3 : nr == SENDMSG ? 2 : 3] & MSG_NOSIGNAL) return;
        break;
    default: return;
    }
    core::SigInfo info {};
    info.signo = core::signal::SIGPIPE;
    info.code = core::signal::SI_USER;
    info.kill.pid = core::process().pid;
    info.kill.uid = core::process().uid;
    (void)core::signal::send_to_thread(core::current_signal_state(), info);
}
} // namespace
} // namespace sys

extern "C" void syscall_dispatch(x86::TrapFrame* f)
{
    constexpr u64 NR_RT_SIGRETURN = 15;
    u64 nr = f->rax;
    if (!sys::adds_to_send_batch(nr)) core::flush::run();
    core::current_signal_state().syscall_frame = f;
    core::run_deferred();
    sys::Args args { { f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9 } };
    i64 ret;
    sys::Handler h = nr < sys::SYSCALL_TABLE_SIZE ? sys::SYSCALL_HANDLERS[nr] : nullptr;
    if (!h) {
        sys::report_unknown(nr);
        ret = -i64(Errno::ENOSYS);
    } else {
        auto r = h(args);
        ret = r.is_error() ? -i64(r.error()) : r.value();
    }
    if (core::process().trace) sys::trace(nr, args, ret);
    sys::sigpipe_on_epipe(nr, args, ret);
    f->rax = u64(ret);
    // Signals are delivered on the way out; an interrupted syscall restarts
    // or fails with EINTR there. rt_sigreturn has put back the registers of
    // the interrupted code, whose rax is no return value to act on.
    core::signal::deliver(*f, nr == NR_RT_SIGRETURN ? -1 : i64(nr), ret);
}
