// AF_UNIX sending and receiving (net/unix_socket.h): packets charged to
// their sender, streams read across them, datagrams one at a time, and the
// ancillary data they carry.
#include "net/unix_socket.h"

namespace net::af_unix {

Packet::~Packet()
{
    delete[] data;
    UnixSocket::files_landed(files);
    if (sender) sender->uncharge(len + PACKET_OVERHEAD);
}

Result<size_t> UnixSocket::send(const fs::IoBuffer& buf, size_t n, u32 flags, const SockAddr* to, bool nonblocking)
{
    Ancillary none;
    return send_message(buf, n, flags, to, nonblocking, none);
}

Result<size_t> UnixSocket::recv(fs::IoBuffer& buf, size_t n, u32 flags, SockAddr* from, bool nonblocking,
                                u32* flags_out)
{
    Ancillary dropped; // read() and recvfrom() cannot take descriptors: they are closed
    return recv_message(buf, n, flags, from, nonblocking, flags_out, dropped);
}

Result<size_t> UnixSocket::send_message(const fs::IoBuffer& buf, size_t n, u32 flags, const SockAddr* to, bool nonblocking,
                                        Ancillary& anc)
{
    if (flags & MSG_OOB) return Errno::EOPNOTSUPP; // Linux's out-of-band byte on streams is not done
    if (flags & MSG_DONTWAIT) nonblocking = true;
    if (to && to->len == 0) to = nullptr; // msg_namelen 0: no address
    // wait_for_unix_gc: many sockets in flight, maybe as garbage.
    if (!anc.files.is_empty() && in_flight_total() > INFLIGHT_TRIGGER_GC) collect_garbage();
    if (m_type == SOCK_STREAM) return send_stream(buf, n, to, nonblocking, anc);
    return send_datagram(buf, n, to, nonblocking, anc);
}

Result<size_t> UnixSocket::recv_message(fs::IoBuffer& buf, size_t n, u32 flags, SockAddr* from, bool nonblocking,
                                        u32* flags_out, Ancillary& anc)
{
    if (flags & MSG_DONTWAIT) nonblocking = true;
    if (flags & MSG_OOB) return Errno::EOPNOTSUPP;
    if (m_type == SOCK_STREAM) return recv_stream(buf, n, flags, from, nonblocking, anc);
    return recv_datagram(buf, n, flags, from, nonblocking, flags_out, anc);
}

u32 UnixSocket::bytes_readable()
{
    if (m_type == SOCK_DGRAM) return m_queue.head() ? u32(m_queue.head()->len) : 0;
    size_t n = 0;
    for (Packet* p = m_queue.head(); p; p = p->next) n += p->len - p->consumed;
    return u32(n);
}

Result<u32> UnixSocket::fionread()
{
    if (m_state == State::Listening) return Errno::EINVAL;
    return bytes_readable();
}

void UnixSocket::uncharge(size_t bytes)
{
    m_wmem -= bytes;
    changed();
}

Result<Packet*> UnixSocket::make_packet(const fs::IoBuffer& buf, size_t at, size_t n, Ancillary& anc)
{
    auto* p = new (std::nothrow) Packet();
    if (!p) return Errno::ENOMEM;
    if (n) {
        p->data = new (std::nothrow) u8[n];
        if (!p->data) {
            delete p;
            return Errno::ENOMEM;
        }
        auto copied = buf.copy_in(p->data, at, n);
        if (copied.is_error()) {
            delete p;
            return copied.error();
        }
    }
    p->len = n;
    p->creds = anc.has_creds ? anc.creds : current_creds();
    p->files = std::move(anc.files);
    files_sent(p->files);
    p->sender = this;
    m_wmem += n + PACKET_OVERHEAD;
    return p;
}

Result<size_t> UnixSocket::send_stream(const fs::IoBuffer& buf, size_t n, const SockAddr* to, bool nonblocking, Ancillary& anc)
{
    if (to) return m_state == State::Connected ? Errno::EISCONN : Errno::EOPNOTSUPP;
    if (!m_peer) return Errno::ENOTCONN;
    if (m_shutdown & SEND_SHUTDOWN) return Errno::EPIPE;
    size_t done = 0;
    while (done < n) {
        auto waited = wait_while([&]() -> core::WaitQueue* {
            if (m_shutdown & SEND_SHUTDOWN || m_peer->m_dead || (m_peer->m_shutdown & RCV_SHUTDOWN)) return nullptr;
            return m_wmem < size_t(m_sndbuf) ? nullptr : &m_waiters;
        }, nonblocking, m_sndtimeo_ns);
        if (waited.is_error()) {
            if (done) return done;
            return waited.error();
        }
        if (m_shutdown & SEND_SHUTDOWN || m_peer->m_dead || (m_peer->m_shutdown & RCV_SHUTDOWN)) {
            if (done) return done;
            return Errno::EPIPE;
        }
        size_t room = size_t(m_sndbuf) - m_wmem;
        size_t chunk = n - done;
        if (chunk > room) chunk = room;
        if (chunk > STREAM_CHUNK) chunk = STREAM_CHUNK;
        auto p = make_packet(buf, done, chunk, anc);
        if (p.is_error()) {
            if (done) return done;
            return p.error();
        }
        m_peer->m_queue.push(p.value());
        m_peer->changed();
        done += chunk;
    }
    return done;
}

Result<size_t> UnixSocket::send_datagram(const fs::IoBuffer& buf, size_t n, const SockAddr* to, bool nonblocking,
                                         Ancillary& anc)
{
    if (m_type == SOCK_SEQPACKET) {
        if (m_state != State::Connected) return Errno::ENOTCONN;
        to = nullptr;
    }
    SockAddr dest;
    if (to) dest = TRY(canonical_address(*to));
    else if (!m_peer) return Errno::ENOTCONN;
    if (m_passcred && !m_addr.len) TRY(autobind());
    if (n > size_t(m_sndbuf) - 32) return Errno::EMSGSIZE;
    if (m_shutdown & SEND_SHUTDOWN) return Errno::EPIPE; // sock_alloc_send_pskb
    for (;;) {
        core::Ref<UnixSocket> other = to ? TRY(find(dest, m_type)) : m_peer;
        if (other->m_peer && other->m_peer.ptr() != this) return Errno::EPERM; // unix_may_send
        if (other->m_dead) {
            if (m_type == SOCK_SEQPACKET) return Errno::EPIPE;
            if (other == m_peer) {
                m_peer = {};
                m_state = State::Unconnected;
            }
            return Errno::ECONNREFUSED;
        }
        if (other->m_shutdown & RCV_SHUTDOWN) return Errno::EPIPE;
        if (other.ptr() != this && queue_full_for(*other)) {
            TRY(wait_while([&]() -> core::WaitQueue* {
                return !other->m_dead && queue_full_for(*other) ? &other->m_waiters : nullptr;
            }, nonblocking, m_sndtimeo_ns));
            continue; // look the name up again: the socket may have gone
        }
        if (m_wmem >= size_t(m_sndbuf)) {
            TRY(wait_while([&]() -> core::WaitQueue* {
                return m_wmem >= size_t(m_sndbuf) ? &m_waiters : nullptr;
            }, nonblocking, m_sndtimeo_ns));
            continue;
        }
        Packet* p = TRY(make_packet(buf, 0, n, anc));
        other->m_queue.push(p);
        other->changed();
        return n;
    }
}

ErrorOr UnixSocket::deliver_control(Packet* p, bool peek, Ancillary& anc)
{
    if (m_passcred) {
        anc.has_creds = true;
        anc.creds = p->creds;
    }
    if (peek) {
        for (auto& f : p->files) TRY(anc.files.append(f));
    } else if (!p->files.is_empty()) {
        files_landed(p->files);
        anc.files = std::move(p->files);
    }
    return {};
}

void UnixSocket::fill_sender(Packet* p, SockAddr* from)
{
    if (!from) return;
    if (p->sender && p->sender->m_addr.len) *from = p->sender->m_addr;
    else from->len = 0;
}

void UnixSocket::consume(Packet* p)
{
    VERIFY(m_queue.head() == p);
    delete m_queue.pop();
    changed();
}

Result<size_t> UnixSocket::recv_stream(fs::IoBuffer& buf, size_t n, u32 flags, SockAddr* from, bool nonblocking, Ancillary& anc)
{
    if (m_state != State::Connected) return Errno::EINVAL; // never connected, or listening
    if (n == 0) {
        // Linux still waits for data (or its end) before reading none of it.
        TRY(wait_while([&]() -> core::WaitQueue* {
            return m_queue.is_empty() && !m_error && !(m_shutdown & RCV_SHUTDOWN) ? &m_waiters : nullptr;
        }, nonblocking, m_rcvtimeo_ns));
        return size_t(0);
    }
    bool peek = flags & MSG_PEEK;
    size_t target = flags & MSG_WAITALL ? n : 1;
    size_t done = 0;
    Packet* p = nullptr;   // with MSG_PEEK: the packet reached
    size_t skip = 0;       // with MSG_PEEK: bytes of it already copied
    bool first = true;
    Ucred first_creds {};
    while (done < n) {
        Packet* next = peek && p ? p->next : m_queue.head();
        if (peek && p && skip < p->len - p->consumed) next = p;
        if (!next) {
            if (done >= target) break;
            if (m_error) {
                if (done) break;
                return Errno(take_error());
            }
            if (m_shutdown & RCV_SHUTDOWN) break;
            auto waited = wait_while([&]() -> core::WaitQueue* {
                bool more = peek && p ? p->next != nullptr : !m_queue.is_empty();
                return more || m_error || (m_shutdown & RCV_SHUTDOWN) ? nullptr : &m_waiters;
            }, nonblocking, m_rcvtimeo_ns);
            if (waited.is_error()) {
                if (done) break;
                return waited.error();
            }
            continue;
        }
        if (next != p) skip = 0;
        p = next;
        if (!first && m_passcred && (p->creds.pid != first_creds.pid || p->creds.uid != first_creds.uid
                                     || p->creds.gid != first_creds.gid)) break;
        size_t avail = p->len - p->consumed - skip;
        size_t take = avail < n - done ? avail : n - done;
        auto copied = buf.copy_out(done, p->data + p->consumed + skip, take);
        if (copied.is_error()) {
            if (done) break;
            return copied.error();
        }
        if (first) {
            fill_sender(p, from);
            first_creds = p->creds;
            first = false;
        }
        done += take;
        bool had_files = !p->files.is_empty();
        TRY(deliver_control(p, peek, anc));
        if (peek) {
            skip += take;
        } else {
            p->consumed += take;
            if (p->consumed == p->len) consume(p);
            p = nullptr;
        }
        if (had_files) break;
    }
    return done;
}

Result<size_t> UnixSocket::recv_datagram(fs::IoBuffer& buf, size_t n, u32 flags, SockAddr* from, bool nonblocking,
                                         u32* flags_out, Ancillary& anc)
{
    if (m_type == SOCK_SEQPACKET && m_state != State::Connected) return Errno::ENOTCONN;
    // Shut down and empty: end of file for a blocking reader, and for a
    // non-blocking one on a seqpacket; a datagram one gets EAGAIN.
    if (nonblocking && m_queue.is_empty() && !m_error && !(m_type == SOCK_SEQPACKET && (m_shutdown & RCV_SHUTDOWN)))
        return Errno::EAGAIN;
    TRY(wait_while([&]() -> core::WaitQueue* {
        return m_queue.is_empty() && !m_error && !(m_shutdown & RCV_SHUTDOWN) ? &m_waiters : nullptr;
    }, nonblocking, m_rcvtimeo_ns));
    Packet* p = m_queue.head();
    if (!p) {
        if (m_error) return Errno(take_error());
        return size_t(0);
    }
    size_t take = p->len < n ? p->len : n;
    TRY(buf.copy_out(0, p->data, take));
    if (take < p->len && flags_out) *flags_out |= MSG_TRUNC;
    fill_sender(p, from);
    size_t len = p->len;
    TRY(deliver_control(p, flags & MSG_PEEK, anc));
    if (!(flags & MSG_PEEK)) consume(p);
    return flags & MSG_TRUNC ? len : take;
}

} // namespace net::af_unix
