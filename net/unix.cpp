// AF_UNIX sockets (net/unix.h, net/unix_socket.h): making them, their
// names, connections, options and readiness, and their end.
#include "net/unix_socket.h"
#include "core/format.h"
#include "fs/ops.h"
#include "fs/procfs.h"
#include "fs/vfs.h"

namespace net {

namespace af_unix {

namespace {
UnixSocket* g_abstract; // the sockets with abstract names, linked by m_next_abstract
UnixSocket* g_all;      // the sockets not yet released, linked by m_all_next
constexpr u32 ACCEPTCON = 1 << 16; // __SO_ACCEPTCON, /proc/net/unix's flag for a listener
enum : u32 { SS_UNCONNECTED = 1, SS_CONNECTING, SS_CONNECTED, SS_DISCONNECTING };
} // namespace

void UnixSocket::enlist()
{
    if (!g_all) fs::set_proc_net_unix(list_all);
    m_all_next = g_all;
    if (g_all) g_all->m_all_prev = this;
    g_all = this;
}

// unix_seq_show. A connection not yet accepted has no description, so
// neither a file's inode number (0); RefCount is the socket object's.
void UnixSocket::list_all(fs::ProcText& out)
{
    for (UnixSocket* s = g_all; s; s = s->m_all_next) {
        u32 st = s->m_state == State::Connected ? (s->m_files ? SS_CONNECTED : SS_CONNECTING)
                                                : (s->m_files ? SS_UNCONNECTED : SS_DISCONNECTING);
        out.appendf("0000000000000000: %08X %08X %08X %04X %02X %5llu", s->ref_count(), 0u,
                    s->m_state == State::Listening ? ACCEPTCON : 0u, u32(s->m_type), st,
                    static_cast<unsigned long long>(s->m_files ? s->ino() : 0));
        if (s->m_addr.len) {
            out.append_char(' ');
            const u8* path = s->m_addr.bytes + SUN_PATH_OFFSET;
            size_t len = s->m_addr.len - SUN_PATH_OFFSET;
            if (path[0]) len--; // the path's NUL
            for (size_t i = 0; i < len; i++) out.append_char(path[i] ? char(path[i]) : '@');
        }
        out.append_char('\n');
    }
}

void UnixSocket::connect_pair(UnixSocket& a, UnixSocket& b)
{
    a.m_peer = &b;
    b.m_peer = &a;
    a.m_state = b.m_state = State::Connected;
    a.m_peer_creds = b.m_peer_creds = current_peer_creds();
    a.m_has_peer_creds = b.m_has_peer_creds = true;
}

ErrorOr UnixSocket::bind(const SockAddr& given)
{
    SockAddr a = TRY(canonical_address(given));
    if (m_addr.len) {
        // unix_bind_bsd makes the file first: a taken path says so.
        if (a.len > SUN_PATH_OFFSET && !is_abstract(a) && !fs::resolve_path(path_of(a)).is_error())
            return Errno::EADDRINUSE;
        return Errno::EINVAL;
    }
    if (a.len == SUN_PATH_OFFSET) return autobind();
    if (is_abstract(a)) {
        if (find_abstract(a, m_type)) return Errno::EADDRINUSE;
        m_addr = a;
        m_next_abstract = g_abstract;
        g_abstract = this;
        return {};
    }
    auto& ctx = fs::current();
    auto* node = new (std::nothrow) UnixName(0777 & ~ctx.umask);
    if (!node) return Errno::ENOMEM;
    core::Ref<UnixName> name(node);
    auto made = fs::make_node_at(ctx, fs::AT_FDCWD, path_of(a), name);
    if (made.is_error()) return made.error() == Errno::EEXIST ? Errno::EADDRINUSE : made.error();
    name->socket = this;
    m_name = name;
    m_addr = a;
    return {};
}

ErrorOr UnixSocket::listen(int backlog)
{
    if (!m_addr.len) return Errno::EINVAL;
    if (m_state != State::Unconnected && m_state != State::Listening) return Errno::EINVAL;
    m_backlog_max = size_t(backlog);
    if (m_state != State::Listening) m_listen_creds = current_peer_creds();
    m_state = State::Listening;
    changed(); // connects waiting for room may go on
    return {};
}

Result<core::Ref<Socket>> UnixSocket::accept(bool nonblocking, SockAddr* peer)
{
    if (m_state != State::Listening) return Errno::EINVAL;
    TRY(wait_while([&]() -> core::WaitQueue* { return m_pending.is_empty() ? &m_waiters : nullptr; },
                   nonblocking, m_rcvtimeo_ns));
    core::Ref<UnixSocket> s = std::move(m_pending[0]);
    m_pending.remove(0);
    changed(); // room in the backlog
    if (peer) *peer = s->m_peer && s->m_peer->m_addr.len ? s->m_peer->m_addr : unnamed();
    return core::Ref<Socket>(s);
}

ErrorOr UnixSocket::connect(const SockAddr& given, bool nonblocking)
{
    if (m_type == SOCK_DGRAM) return connect_datagram(given);
    SockAddr a = TRY(canonical_address(given));
    if (m_passcred && !m_addr.len) TRY(autobind());
    for (;;) {
        auto other = TRY(find(a, m_type));
        if (other->m_state != State::Listening || (other->m_shutdown & RCV_SHUTDOWN)) return Errno::ECONNREFUSED;
        if (other->m_pending.size() > other->m_backlog_max) {
            // unix_recvq_full: wait for the listener to accept, then look again.
            TRY(wait_while([&]() -> core::WaitQueue* {
                return other->m_state == State::Listening && other->m_pending.size() > other->m_backlog_max
                    ? &other->m_waiters : nullptr;
            }, nonblocking, m_sndtimeo_ns));
            continue;
        }
        if (m_state == State::Connected) return Errno::EISCONN;
        if (m_state != State::Unconnected) return Errno::EINVAL;
        auto* n = new (std::nothrow) UnixSocket(m_type);
        if (!n) return Errno::ENOMEM;
        core::Ref<UnixSocket> server(n);
        TRY(other->m_pending.append(server));
        // The accepted end shares the listener's address, and each end
        // knows the other's credentials: the listener's from listen().
        server->m_addr = other->m_addr;
        server->m_peer = this;
        server->m_state = State::Connected;
        server->m_peer_creds = current_peer_creds();
        server->m_has_peer_creds = true;
        m_peer = server;
        m_state = State::Connected;
        m_peer_creds = other->m_listen_creds;
        m_has_peer_creds = true;
        other->changed();
        changed();
        return {};
    }
}

ErrorOr UnixSocket::shutdown(int how)
{
    if (how < SHUT_RD || how > SHUT_RDWR) return Errno::EINVAL;
    u32 mode = u32(how + 1); // SHUT_RD -> RCV_SHUTDOWN, SHUT_WR -> SEND_SHUTDOWN
    m_shutdown |= mode;
    changed();
    if (m_type != SOCK_DGRAM && m_peer) {
        u32 theirs = (mode & RCV_SHUTDOWN ? SEND_SHUTDOWN : 0) | (mode & SEND_SHUTDOWN ? RCV_SHUTDOWN : 0);
        m_peer->m_shutdown |= theirs;
        m_peer->changed();
    }
    return {};
}

Result<SockAddr> UnixSocket::peer_address()
{
    if (!m_peer) return Errno::ENOTCONN;
    return m_peer->m_addr.len ? m_peer->m_addr : unnamed();
}

Ucred UnixSocket::peer_credentials()
{
    if (!m_has_peer_creds) return Socket::peer_credentials();
    return m_peer_creds;
}

void UnixSocket::file_closed(u32)
{
    if (m_files && --m_files == 0) {
        release();
        // unix_release_sock: what this socket held may have been all that
        // kept a cycle of sockets in flight reachable.
        if (in_flight_total()) collect_garbage();
    }
}

u32 UnixSocket::poll(u32)
{
    u32 m = 0;
    if (m_error) m |= fs::POLLERR;
    if (m_shutdown == SHUTDOWN_MASK) m |= fs::POLLHUP;
    if (m_shutdown & RCV_SHUTDOWN) m |= fs::POLLRDHUP | fs::POLLIN | fs::POLLRDNORM;
    if (!m_queue.is_empty() || !m_pending.is_empty()) m |= fs::POLLIN | fs::POLLRDNORM;
    if (m_type != SOCK_DGRAM && m_state == State::Unconnected) m |= fs::POLLHUP;
    if (m_state != State::Listening && send_buffer_writable() && !peer_queue_full())
        m |= fs::POLLOUT | fs::POLLWRNORM | fs::POLLWRBAND;
    return m;
}

ErrorOr UnixSocket::set_protocol_option(SocketOption o, int v)
{
    if (o.level != SOL_SOCKET) return Errno::ENOPROTOOPT;
    switch (o.name) {
    case SO_PASSCRED: m_passcred = v != 0; return {};
    case SO_KEEPALIVE: m_keepalive = v != 0; return {};
    case SO_BROADCAST: m_broadcast = v != 0; return {};
    case SO_REUSEADDR: return {}; // kept by Socket; no meaning for AF_UNIX
    default: return Errno::ENOPROTOOPT;
    }
}

Result<int> UnixSocket::get_protocol_option(SocketOption o)
{
    if (o.level != SOL_SOCKET) return Errno::ENOPROTOOPT;
    switch (o.name) {
    case SO_PASSCRED: return int(m_passcred);
    case SO_KEEPALIVE: return int(m_keepalive);
    case SO_BROADCAST: return int(m_broadcast);
    case SO_ACCEPTCONN: return int(m_state == State::Listening);
    default: return Errno::ENOPROTOOPT;
    }
}

int UnixSocket::take_error()
{
    int e = m_error;
    m_error = 0;
    return e;
}

void UnixSocket::changed()
{
    core::sched::wake_all(m_waiters);
    fs::readiness_changed(*this);
}

UnixSocket* UnixSocket::find_abstract(const SockAddr& a, int type)
{
    for (UnixSocket* s = g_abstract; s; s = s->m_next_abstract)
        if (s->m_type == type && s->m_addr.len == a.len && memcmp(s->m_addr.bytes, a.bytes, a.len) == 0) return s;
    return nullptr;
}

Result<core::Ref<UnixSocket>> UnixSocket::find(const SockAddr& a, int type)
{
    if (a.len == SUN_PATH_OFFSET || is_abstract(a)) {
        UnixSocket* s = find_abstract(a, type);
        if (!s) return Errno::ECONNREFUSED;
        return core::Ref<UnixSocket>(s);
    }
    auto inode = TRY(fs::resolve_path(path_of(a)));
    if (inode->type() != fs::InodeType::SocketName) return Errno::ECONNREFUSED;
    UnixSocket* s = static_cast<UnixName*>(inode.ptr())->socket;
    if (!s) return Errno::ECONNREFUSED;
    if (s->m_type != type) return Errno::EPROTOTYPE;
    return core::Ref<UnixSocket>(s);
}

ErrorOr UnixSocket::autobind()
{
    static u32 next;
    for (u32 tries = 0; tries < 0x100000; tries++) {
        SockAddr a;
        a.bytes[0] = AF_UNIX;
        core::format(reinterpret_cast<char*>(a.bytes + SUN_PATH_OFFSET + 1), 6, "%05x", next++ & 0xfffff);
        a.len = SUN_PATH_OFFSET + 1 + 5;
        if (find_abstract(a, m_type)) continue;
        m_addr = a;
        m_next_abstract = g_abstract;
        g_abstract = this;
        return {};
    }
    return Errno::ENOSPC;
}

ErrorOr UnixSocket::connect_datagram(const SockAddr& given)
{
    if (given.len >= SUN_PATH_OFFSET && (given.bytes[0] | given.bytes[1] << 8) == AF_UNSPEC) {
        // 1003.1g: AF_UNSPEC breaks the association.
        m_peer = {};
        m_state = State::Unconnected;
        changed();
        return {};
    }
    SockAddr a = TRY(canonical_address(given));
    if (m_passcred && !m_addr.len) TRY(autobind());
    auto other = TRY(find(a, m_type));
    if (other->m_peer && other->m_peer.ptr() != this) return Errno::EPERM; // unix_may_send
    m_peer = other;
    m_state = State::Connected;
    changed();
    return {};
}

bool UnixSocket::queue_full_for(const UnixSocket& other) const
{
    return other.m_peer.ptr() != this && other.m_queue.count() > MAX_DGRAM_QLEN;
}

void UnixSocket::release(bool embryo)
{
    if (m_dead) return;
    m_dead = true;
    if (m_all_prev) m_all_prev->m_all_next = m_all_next;
    else if (g_all == this) g_all = m_all_next;
    if (m_all_next) m_all_next->m_all_prev = m_all_prev;
    m_all_prev = m_all_next = nullptr;
    if (m_name) {
        static_cast<UnixName*>(m_name.ptr())->socket = nullptr;
        m_name = {};
    }
    for (UnixSocket** s = &g_abstract; *s; s = &(*s)->m_next_abstract) {
        if (*s == this) {
            *s = m_next_abstract;
            break;
        }
    }
    bool unread = embryo || !m_queue.is_empty(); // a connection never accepted is reset
    while (!m_pending.is_empty()) {
        core::Ref<UnixSocket> s = std::move(m_pending.last());
        (void)m_pending.take_last();
        s->release(true);
        unread = true;
    }
    if (core::Ref<UnixSocket> peer = std::move(m_peer)) {
        if (m_type != SOCK_DGRAM) {
            peer->m_shutdown = SHUTDOWN_MASK;
            if (unread) peer->m_error = int(Errno::ECONNRESET);
        }
        peer->changed();
    }
    m_queue.purge();
    changed();
}

Result<core::Ref<UnixSocket>> new_socket(int type, int protocol)
{
    if (protocol != 0 && protocol != AF_UNIX) return Errno::EPROTONOSUPPORT; // PF_UNIX is its own protocol
    if (type == SOCK_RAW) type = SOCK_DGRAM; // unix_create does the same
    if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET) return Errno::ESOCKTNOSUPPORT;
    auto* s = new (std::nothrow) UnixSocket(type);
    if (!s) return Errno::ENOMEM;
    return core::Ref<UnixSocket>(s);
}

} // namespace af_unix

using af_unix::new_socket;
using af_unix::UnixSocket;

Result<core::Ref<Socket>> make_unix_socket(int type, int protocol)
{
    return core::Ref<Socket>(TRY(new_socket(type, protocol)));
}

Result<SocketPair> make_unix_pair(int type, int protocol)
{
    auto a = TRY(new_socket(type, protocol));
    auto b = TRY(new_socket(type, protocol));
    UnixSocket::connect_pair(*a, *b);
    return SocketPair { core::Ref<Socket>(a), core::Ref<Socket>(b) };
}

} // namespace net
