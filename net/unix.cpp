// AF_UNIX sockets (net/unix.h). Everything here runs in thread context
// under the giant lock, so a look at a socket and the sleep that follows it
// cannot miss a change: whoever changes a socket wakes its queue
// (UnixSocket::changed) and tells poll/select/epoll.
//
// A message is a Packet on its receiver's queue: the bytes, the sender (its
// address for recvfrom, and its send buffer, which the packet is charged to
// until it is read), the sender's credentials and any passed descriptions.
// A stream is the same queue read across packets.
#include "net/unix.h"
#include "core/process.h"
#include "core/sched.h"
#include "core/format.h"
#include "core/string.h"
#include "core/time.h"
#include "fs/ops.h"
#include "fs/vfs.h"

namespace net {

namespace {

constexpr int SOCK_RAW = 3;
constexpr int SO_REUSEADDR = 2, SO_BROADCAST = 6, SO_KEEPALIVE = 9, SO_PASSCRED = 16, SO_ACCEPTCONN = 30;
constexpr u32 RCV_SHUTDOWN = 1, SEND_SHUTDOWN = 2, SHUTDOWN_MASK = 3;
constexpr int DEFAULT_BUF = 212992;      // net.core.wmem_default / rmem_default
constexpr size_t MAX_DGRAM_QLEN = 10;    // net.unix.max_dgram_qlen
constexpr size_t PACKET_OVERHEAD = 256;  // charged per packet, as Linux charges an skb's truesize
constexpr size_t STREAM_CHUNK = 64 * 1024;
constexpr u32 SUN_PATH_OFFSET = 2, SOCKADDR_UN_SIZE = 110;

class UnixSocket;

// The file bind() makes for a path. It names the socket until the socket
// closes; then it stays, naming nothing (connect: ECONNREFUSED), as on Linux.
class UnixName final : public fs::Inode {
public:
    explicit UnixName(u32 perms) : Inode(fs::InodeType::SocketName, perms) {}
    ErrorOr on_open() override { return Errno::ENXIO; }
    UnixSocket* socket { nullptr };
};

struct Packet {
    ~Packet();
    Packet* next { nullptr };
    u8* data { nullptr };
    size_t len { 0 }, consumed { 0 };
    core::Ref<UnixSocket> sender;
    Ucred creds {};
    core::Vector<core::Ref<fs::OpenFile>> files;
};

class PacketQueue {
public:
    Packet* head() const { return m_head; }
    size_t count() const { return m_count; }
    bool is_empty() const { return m_head == nullptr; }
    void push(Packet* p)
    {
        p->next = nullptr;
        if (m_tail) m_tail->next = p;
        else m_head = p;
        m_tail = p;
        m_count++;
    }
    Packet* pop()
    {
        Packet* p = m_head;
        m_head = p->next;
        if (!m_head) m_tail = nullptr;
        m_count--;
        return p;
    }
    // Frees every packet, unlinked first: freeing one may close a socket
    // that was passed in it, which may free other queues.
    void purge()
    {
        Packet* p = m_head;
        m_head = m_tail = nullptr;
        m_count = 0;
        while (p) {
            Packet* next = p->next;
            delete p;
            p = next;
        }
    }

private:
    Packet* m_head { nullptr };
    Packet* m_tail { nullptr };
    size_t m_count { 0 };
};

Ucred current_creds()
{
    auto& p = core::process();
    return { p.pid, p.uid, p.gid };
}

Ucred current_peer_creds() // SO_PEERCRED reports the effective ids
{
    auto& p = core::process();
    return { p.pid, p.euid, p.egid };
}

bool is_abstract(const SockAddr& a) { return a.len > SUN_PATH_OFFSET && a.bytes[SUN_PATH_OFFSET] == 0; }

// unix_validate_addr + unix_mkname_bsd: EINVAL for a bad length or family. A
// path is cut at its first NUL and its length becomes Linux's:
// sizeof(sa_family_t) + strlen(path) + 1.
Result<SockAddr> canonical_address(const SockAddr& a)
{
    if (a.len < SUN_PATH_OFFSET || a.len > SOCKADDR_UN_SIZE) return Errno::EINVAL;
    if ((a.bytes[0] | a.bytes[1] << 8) != AF_UNIX) return Errno::EINVAL;
    SockAddr c = a;
    if (a.len == SUN_PATH_OFFSET || is_abstract(a)) return c;
    memset(c.bytes + a.len, 0, sizeof c.bytes - a.len);
    c.len = u32(SUN_PATH_OFFSET + strlen(reinterpret_cast<const char*>(c.bytes + SUN_PATH_OFFSET)) + 1);
    return c;
}

core::StringView path_of(const SockAddr& a)
{
    const char* p = reinterpret_cast<const char*>(a.bytes + SUN_PATH_OFFSET);
    return core::StringView(p, strlen(p));
}

SockAddr unnamed()
{
    SockAddr a;
    a.bytes[0] = AF_UNIX;
    a.len = SUN_PATH_OFFSET;
    return a;
}

UnixSocket* g_abstract; // the sockets with abstract names, linked by m_next_abstract

class UnixSocket final : public Socket {
public:
    explicit UnixSocket(int type) : Socket(AF_UNIX, type)
    {
        m_sndbuf = m_rcvbuf = DEFAULT_BUF;
    }
    ~UnixSocket() override { release(); }

    static void connect_pair(UnixSocket& a, UnixSocket& b)
    {
        a.m_peer = &b;
        b.m_peer = &a;
        a.m_state = b.m_state = State::Connected;
        a.m_peer_creds = b.m_peer_creds = current_peer_creds();
        a.m_has_peer_creds = b.m_has_peer_creds = true;
    }

    ErrorOr bind(const SockAddr& given) override
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

    ErrorOr listen(int backlog) override
    {
        if (!m_addr.len) return Errno::EINVAL;
        if (m_state != State::Unconnected && m_state != State::Listening) return Errno::EINVAL;
        m_backlog_max = size_t(backlog);
        if (m_state != State::Listening) m_listen_creds = current_peer_creds();
        m_state = State::Listening;
        changed(); // connects waiting for room may go on
        return {};
    }

    Result<core::Ref<Socket>> accept(bool nonblocking, SockAddr* peer) override
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

    ErrorOr connect(const SockAddr& given, bool nonblocking) override
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

    Result<size_t> send(const fs::IoBuffer& buf, size_t n, u32 flags, const SockAddr* to, bool nonblocking) override
    {
        Ancillary none;
        return send_message(buf, n, flags, to, nonblocking, none);
    }

    Result<size_t> recv(fs::IoBuffer& buf, size_t n, u32 flags, SockAddr* from, bool nonblocking,
                        u32* flags_out) override
    {
        Ancillary dropped; // read() and recvfrom() cannot take descriptors: they are closed
        return recv_message(buf, n, flags, from, nonblocking, flags_out, dropped);
    }

    Result<size_t> send_message(const fs::IoBuffer& buf, size_t n, u32 flags, const SockAddr* to, bool nonblocking,
                                Ancillary& anc) override
    {
        if (flags & MSG_DONTWAIT) nonblocking = true;
        if (to && to->len == 0) to = nullptr; // msg_namelen 0: no address
        if (m_type == SOCK_STREAM) return send_stream(buf, n, to, nonblocking, anc);
        return send_datagram(buf, n, to, nonblocking, anc);
    }

    Result<size_t> recv_message(fs::IoBuffer& buf, size_t n, u32 flags, SockAddr* from, bool nonblocking,
                                u32* flags_out, Ancillary& anc) override
    {
        if (flags & MSG_DONTWAIT) nonblocking = true;
        if (flags & MSG_OOB) return Errno::EOPNOTSUPP;
        if (m_type == SOCK_STREAM) return recv_stream(buf, n, flags, from, nonblocking, anc);
        return recv_datagram(buf, n, flags, from, nonblocking, flags_out, anc);
    }

    ErrorOr shutdown(int how) override
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

    Result<SockAddr> local_address() override { return m_addr.len ? m_addr : unnamed(); }

    Result<SockAddr> peer_address() override
    {
        if (!m_peer) return Errno::ENOTCONN;
        return m_peer->m_addr.len ? m_peer->m_addr : unnamed();
    }

    u32 bytes_readable() override
    {
        if (m_type == SOCK_DGRAM) return m_queue.head() ? u32(m_queue.head()->len) : 0;
        size_t n = 0;
        for (Packet* p = m_queue.head(); p; p = p->next) n += p->len - p->consumed;
        return u32(n);
    }

    Ucred peer_credentials() override
    {
        if (!m_has_peer_creds) return Socket::peer_credentials();
        return m_peer_creds;
    }

    void file_opened(u32) override { m_files++; }
    void file_closed(u32) override
    {
        if (m_files && --m_files == 0) release();
    }

    u32 poll(u32) override
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

    void uncharge(size_t bytes)
    {
        m_wmem -= bytes;
        changed();
    }

protected:
    ErrorOr set_protocol_option(SocketOption o, int v) override
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

    Result<int> get_protocol_option(SocketOption o) override
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

    int take_error() override
    {
        int e = m_error;
        m_error = 0;
        return e;
    }

private:
    enum class State : u8 { Unconnected, Listening, Connected };

    void changed()
    {
        core::sched::wake_all(m_waiters);
        fs::readiness_changed(*this);
    }

    // Sleeps while blocker() names a queue to wait on (null: go on). EAGAIN
    // when nonblocking or past the timeout; a signal ends the wait
    // (ERESTARTSYS, or EINTR under a timeout, as sock_intr_errno).
    template<typename Blocker>
    ErrorOr wait_while(Blocker blocker, bool nonblocking, u64 timeout_ns)
    {
        u64 deadline = timeout_ns ? core::time::monotonic_ns() + timeout_ns : core::NO_DEADLINE;
        while (core::WaitQueue* q = blocker()) {
            if (nonblocking) return Errno::EAGAIN;
            auto r = core::sched::wait(*q, deadline, true);
            if (r.is_error()) {
                if (r.error() == Errno::EINTR) return timeout_ns ? Errno::EINTR : Errno::ERESTARTSYS;
                if (r.error() == Errno::ETIMEDOUT) return Errno::EAGAIN;
                return r.error();
            }
        }
        return {};
    }

    static UnixSocket* find_abstract(const SockAddr& a, int type)
    {
        for (UnixSocket* s = g_abstract; s; s = s->m_next_abstract)
            if (s->m_type == type && s->m_addr.len == a.len && memcmp(s->m_addr.bytes, a.bytes, a.len) == 0) return s;
        return nullptr;
    }

    // unix_find_other: the socket an address names. A path that is not a
    // socket's, or whose socket is closed, refuses (ECONNREFUSED); one bound
    // by a socket of another type is EPROTOTYPE.
    static Result<core::Ref<UnixSocket>> find(const SockAddr& a, int type)
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

    // unix_autobind: an abstract name of five hex digits.
    ErrorOr autobind()
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

    ErrorOr connect_datagram(const SockAddr& given)
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

    bool send_buffer_writable() const { return m_wmem * 4 <= size_t(m_sndbuf); }

    // A datagram receiver connected elsewhere takes at most max_dgram_qlen + 1.
    bool queue_full_for(const UnixSocket& other) const
    {
        return other.m_peer.ptr() != this && other.m_queue.count() > MAX_DGRAM_QLEN;
    }

    bool peer_queue_full() const { return m_type != SOCK_STREAM && m_peer && queue_full_for(*m_peer); }

    Result<Packet*> make_packet(const fs::IoBuffer& buf, size_t at, size_t n, Ancillary& anc)
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
        p->sender = this;
        m_wmem += n + PACKET_OVERHEAD;
        return p;
    }

    Result<size_t> send_stream(const fs::IoBuffer& buf, size_t n, const SockAddr* to, bool nonblocking, Ancillary& anc)
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

    Result<size_t> send_datagram(const fs::IoBuffer& buf, size_t n, const SockAddr* to, bool nonblocking,
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

    // What a read hands over with the bytes of p.
    ErrorOr deliver_control(Packet* p, bool peek, Ancillary& anc)
    {
        if (m_passcred) {
            anc.has_creds = true;
            anc.creds = p->creds;
        }
        if (peek) {
            for (auto& f : p->files) TRY(anc.files.append(f));
        } else if (!p->files.is_empty()) {
            anc.files = std::move(p->files);
        }
        return {};
    }

    void fill_sender(Packet* p, SockAddr* from)
    {
        if (!from) return;
        if (p->sender && p->sender->m_addr.len) *from = p->sender->m_addr;
        else from->len = 0;
    }

    void consume(Packet* p)
    {
        VERIFY(m_queue.head() == p);
        delete m_queue.pop();
        changed();
    }

    // unix_stream_read_generic: waits for a first byte (all n with
    // MSG_WAITALL), reads across packets, stops after one that carried
    // descriptors and before one with other credentials.
    Result<size_t> recv_stream(fs::IoBuffer& buf, size_t n, u32 flags, SockAddr* from, bool nonblocking, Ancillary& anc)
    {
        if (m_state == State::Listening) return Errno::EINVAL;
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

    Result<size_t> recv_datagram(fs::IoBuffer& buf, size_t n, u32 flags, SockAddr* from, bool nonblocking,
                                 u32* flags_out, Ancillary& anc)
    {
        TRY(wait_while([&]() -> core::WaitQueue* {
            if (!m_queue.is_empty() || m_error || (m_shutdown & RCV_SHUTDOWN)) return nullptr;
            if (m_type == SOCK_SEQPACKET && m_state != State::Connected) return nullptr;
            return &m_waiters;
        }, nonblocking, m_rcvtimeo_ns));
        Packet* p = m_queue.head();
        if (!p) {
            if (m_error) return Errno(take_error());
            if (m_type == SOCK_SEQPACKET && m_state != State::Connected) return Errno::ENOTCONN;
            return size_t(0); // shut down
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

    // The last description of the socket closed (or, for a connection never
    // accepted, its listener did): unix_release_sock.
    void release()
    {
        if (m_dead) return;
        m_dead = true;
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
        bool unread = !m_queue.is_empty();
        while (!m_pending.is_empty()) {
            core::Ref<UnixSocket> s = std::move(m_pending.last());
            (void)m_pending.take_last();
            s->release();
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

    State m_state { State::Unconnected };
    SockAddr m_addr;                 // len 0 while unbound
    core::Ref<fs::Inode> m_name;     // the UnixName of a path
    UnixSocket* m_next_abstract { nullptr };
    core::Ref<UnixSocket> m_peer;
    PacketQueue m_queue;
    core::Vector<core::Ref<UnixSocket>> m_pending; // a listener's connections not yet accepted
    size_t m_backlog_max { 0 };
    size_t m_wmem { 0 };             // bytes of our packets not yet read, with their overhead
    u32 m_shutdown { 0 };
    int m_error { 0 };
    u32 m_files { 0 };               // open descriptions of the socket
    bool m_dead { false };
    bool m_passcred { false }, m_keepalive { false }, m_broadcast { false };
    bool m_has_peer_creds { false };
    Ucred m_peer_creds {}, m_listen_creds {};
    core::WaitQueue m_waiters;
};

Packet::~Packet()
{
    delete[] data;
    if (sender) sender->uncharge(len + PACKET_OVERHEAD);
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

} // namespace

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
