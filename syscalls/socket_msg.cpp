// sendmsg, recvmsg, sendmmsg, recvmmsg: struct msghdr, its iovecs and its
// ancillary data in Linux's layout (struct cmsghdr, CMSG_ALIGN to 8 bytes).
// SCM_RIGHTS and SCM_CREDENTIALS travel on AF_UNIX sockets (net/unix.h);
// other kinds take none and report none.
#include "core/process.h"
#include "fs/user_io.h"
#include "fs/vfs.h"
#include "syscalls/poll_wait.h"
#include "syscalls/socket.h"

namespace sys {

namespace {

using net::SockAddr;

struct MsgHdr {
    u64 name;
    u32 namelen, pad0;
    u64 iov, iovlen, control, controllen;
    i32 flags, pad1;
};

struct MMsgHdr {
    MsgHdr hdr;
    u32 len, pad;
};

struct CmsgHdr {
    u64 len;
    i32 level, type;
};

constexpr int SOL_SOCKET = 1, SCM_RIGHTS = 1, SCM_CREDENTIALS = 2;
constexpr size_t SCM_MAX_FD = 253;
constexpr u64 OPTMEM_MAX = 20480;      // net.core.optmem_max: a larger control buffer is ENOBUFS
constexpr u64 UIO_MAXIOV = 1024;       // iovecs per message, and messages per sendmmsg/recvmmsg
constexpr u32 MSG_CTRUNC = 8, MSG_WAITFORONE = 0x10000;

constexpr u64 cmsg_align(u64 n) { return (n + 7) & ~u64(7); }

// SCM_CREDENTIALS from the sender (scm_check_creds): its own pid, and ids it
// could take (any for root, as CAP_SETUID/CAP_SETGID allow).
ErrorOr check_creds(const net::Ucred& c)
{
    auto& p = core::process();
    bool root = p.euid == 0;
    if (c.pid != p.pid) return root ? Errno::ESRCH : Errno::EPERM;
    if (!root && c.uid != p.uid && c.uid != p.euid && c.uid != p.suid) return Errno::EPERM;
    if (!root && c.gid != p.gid && c.gid != p.egid && c.gid != p.sgid) return Errno::EPERM;
    return {};
}

// __scm_send: the SOL_SOCKET messages of the control buffer; messages of
// other levels are skipped, as Linux does.
ErrorOr read_control(u64 control, u64 controllen, net::Ancillary& anc)
{
    if (controllen > OPTMEM_MAX) return Errno::ENOBUFS;
    if (controllen < sizeof(CmsgHdr)) return {};
    auto* buf = new (std::nothrow) u8[controllen];
    if (!buf) return Errno::ENOMEM;
    struct Free {
        u8* p;
        ~Free() { delete[] p; }
    } free_buf { buf };
    TRY(mm::copy_from_user(buf, control, controllen));
    for (u64 at = 0; at + sizeof(CmsgHdr) <= controllen;) {
        CmsgHdr h;
        memcpy(&h, buf + at, sizeof h);
        if (h.len < sizeof h || h.len > controllen - at) return Errno::EINVAL; // CMSG_OK
        if (h.level == SOL_SOCKET) {
            const u8* data = buf + at + sizeof h;
            u64 data_len = h.len - sizeof h;
            if (h.type == SCM_RIGHTS) {
                u64 count = data_len / sizeof(int);
                if (anc.files.size() + count > SCM_MAX_FD) return Errno::EINVAL;
                for (u64 i = 0; i < count; i++) {
                    int fd;
                    memcpy(&fd, data + i * sizeof fd, sizeof fd);
                    TRY(anc.files.append(TRY(fs::current_fds().get_raw(fd))));
                }
            } else if (h.type == SCM_CREDENTIALS) {
                if (data_len != sizeof(net::Ucred)) return Errno::EINVAL;
                memcpy(&anc.creds, data, sizeof anc.creds);
                TRY(check_creds(anc.creds));
                anc.has_creds = true;
            } else {
                return Errno::EINVAL;
            }
        }
        at += cmsg_align(h.len);
    }
    return {};
}

// The control buffer of a recvmsg being filled: put_cmsg and scm_detach_fds.
class ControlWriter {
public:
    ControlWriter(u64 base, u64 capacity) : m_base(base), m_capacity(capacity) {}
    u64 used() const { return m_used; }
    u32 flags() const { return m_flags; }

    ErrorOr put(int type, const void* data, u64 len)
    {
        u64 left = m_capacity - m_used;
        if (left < sizeof(CmsgHdr)) {
            m_flags |= MSG_CTRUNC;
            return {};
        }
        u64 cmlen = sizeof(CmsgHdr) + len;
        if (left < cmlen) {
            m_flags |= MSG_CTRUNC;
            cmlen = left;
        }
        CmsgHdr h { cmlen, SOL_SOCKET, type };
        TRY(mm::copy_to_user(m_base + m_used, &h, sizeof h));
        TRY(mm::copy_to_user(m_base + m_used + sizeof h, data, cmlen - sizeof h));
        u64 space = cmsg_align(sizeof(CmsgHdr) + len);
        m_used += space < left ? space : left;
        return {};
    }

    // Installs as many of the descriptions as the buffer has room for; the
    // others are closed (they go when `files` does) and MSG_CTRUNC says so.
    ErrorOr put_files(core::Vector<core::Ref<fs::OpenFile>>& files, bool cloexec)
    {
        if (files.is_empty()) return {};
        u64 left = m_capacity - m_used;
        u64 room = left > sizeof(CmsgHdr) ? (left - sizeof(CmsgHdr)) / sizeof(int) : 0;
        int fds[SCM_MAX_FD];
        u64 n = 0;
        while (n < room && n < files.size()) {
            auto fd = fs::current_fds().install(files[n], cloexec);
            if (fd.is_error()) break;
            fds[n++] = fd.value();
        }
        if (n < files.size()) m_flags |= MSG_CTRUNC;
        if (n) TRY(put(SCM_RIGHTS, fds, n * sizeof(int)));
        return {};
    }

private:
    u64 m_base, m_capacity;
    u64 m_used { 0 };
    u32 m_flags { 0 };
};

Result<size_t> send_one(int fd, u64 msg_addr, u32 flags)
{
    auto sf = TRY(socket_of(fd));
    MsgHdr m;
    TRY(mm::copy_from_user(&m, msg_addr, sizeof m));
    if (m.iovlen > UIO_MAXIOV) return Errno::EMSGSIZE; // copy_msghdr_from_user
    if (i64(m.controllen) < 0 || m.controllen > 0x7fffffff) return Errno::ENOBUFS;
    core::Vector<fs::UserSegment> segs;
    size_t total = TRY(fs::copy_iovecs_from_user(m.iov, m.iovlen, segs));
    fs::UserBuffer buf(segs.data(), segs.size());
    net::Ancillary anc;
    if (sf.socket->family() == net::AF_UNIX) TRY(read_control(m.control, m.controllen, anc));
    SockAddr storage;
    const SockAddr* to = TRY(read_destination(m.name, m.namelen, storage));
    return sf.socket->send_message(buf, total, flags, to, sf.nonblocking(), anc);
}

Result<size_t> recv_one(int fd, u64 msg_addr, u32 flags)
{
    auto sf = TRY(socket_of(fd));
    MsgHdr m;
    TRY(mm::copy_from_user(&m, msg_addr, sizeof m));
    if (m.iovlen > UIO_MAXIOV) return Errno::EMSGSIZE;
    core::Vector<fs::UserSegment> segs;
    size_t total = TRY(fs::copy_iovecs_from_user(m.iov, m.iovlen, segs));
    fs::UserBuffer buf(segs.data(), segs.size());
    SockAddr from;
    u32 out_flags = 0;
    net::Ancillary anc;
    size_t n = TRY(sf.socket->recv_message(buf, total, flags, &from, sf.nonblocking(), &out_flags, anc));
    if (m.name && reports_sender(*sf.socket)) {
        u32 len = m.namelen < from.len ? m.namelen : from.len;
        TRY(mm::copy_to_user(m.name, from.bytes, len));
        TRY(mm::copy_to_user(msg_addr + offsetof(MsgHdr, namelen), &from.len, sizeof from.len));
    } else {
        u32 zero = 0;
        TRY(mm::copy_to_user(msg_addr + offsetof(MsgHdr, namelen), &zero, sizeof zero));
    }
    // scm_recv: the credentials first, then the descriptors.
    ControlWriter control(m.control, m.controllen);
    if (anc.has_creds) TRY(control.put(SCM_CREDENTIALS, &anc.creds, sizeof anc.creds));
    TRY(control.put_files(anc.files, flags & net::MSG_CMSG_CLOEXEC));
    u64 used = control.used();
    TRY(mm::copy_to_user(msg_addr + offsetof(MsgHdr, controllen), &used, sizeof used));
    // Linux hands MSG_CMSG_CLOEXEC back in msg_flags.
    i32 out = i32(out_flags | control.flags() | (flags & net::MSG_CMSG_CLOEXEC));
    TRY(mm::copy_to_user(msg_addr + offsetof(MsgHdr, flags), &out, sizeof out));
    return n;
}

} // namespace

Ret sys_sendmsg(const Args& a) { return i64(TRY(send_one(a.fd(0), a[1], u32(a[2])))); }

Ret sys_recvmsg(const Args& a) { return i64(TRY(recv_one(a.fd(0), a[1], u32(a[2])))); }

// __sys_sendmmsg: the messages in turn, each msg_len filled in; an error
// after the first is not reported (the count of those sent is).
Ret sys_sendmmsg(const Args& a)
{
    (void)TRY(socket_of(a.fd(0)));
    u64 vlen = u32(a[2]) > UIO_MAXIOV ? UIO_MAXIOV : u32(a[2]);
    u64 i = 0;
    for (; i < vlen; i++) {
        u64 entry = a[1] + i * sizeof(MMsgHdr);
        auto r = send_one(a.fd(0), entry, u32(a[3]));
        if (r.is_error()) {
            if (i == 0) return r.error();
            break;
        }
        u32 len = u32(r.value());
        TRY(mm::copy_to_user(entry + offsetof(MMsgHdr, len), &len, sizeof len));
    }
    return i64(i);
}

// do_recvmmsg: MSG_WAITFORONE turns on MSG_DONTWAIT after the first message;
// the timeout is looked at between messages (a blocking receive is not cut
// short by it, as on Linux) and what is left of it is written back.
Ret sys_recvmmsg(const Args& a)
{
    using namespace pollwait;
    u64 deadline = a[4] ? TRY(read_timespec_deadline(a[4])) : NONE;
    (void)TRY(socket_of(a.fd(0)));
    u32 flags = u32(a[3]);
    u64 vlen = u32(a[2]) > UIO_MAXIOV ? UIO_MAXIOV : u32(a[2]);
    u64 i = 0;
    Errno error {};
    bool failed = false;
    while (i < vlen) {
        u64 entry = a[1] + i * sizeof(MMsgHdr);
        u32 f = flags & ~MSG_WAITFORONE;
        if (i && (flags & MSG_WAITFORONE)) f |= net::MSG_DONTWAIT;
        auto r = recv_one(a.fd(0), entry, f);
        if (r.is_error()) {
            error = r.error();
            failed = true;
            break;
        }
        u32 len = u32(r.value());
        TRY(mm::copy_to_user(entry + offsetof(MMsgHdr, len), &len, sizeof len));
        i++;
        if (deadline != NONE && left_until(deadline) == 0) break;
    }
    if (a[4] && deadline != NONE) {
        u64 left = left_until(deadline);
        Timespec t { i64(left / NS), i64(left % NS) };
        TRY(mm::copy_to_user(a[4], &t, sizeof t));
    }
    if (i == 0 && failed) return error;
    return i64(i);
}

} // namespace sys
