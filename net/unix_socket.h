#pragma once
// The inside of AF_UNIX (net/unix.h): a socket, the packets on its queue and
// the file a path names it by. net/unix.cpp: names, connections, options,
// readiness and the end of a socket; net/unix_io.cpp: sending and receiving.
//
// Everything runs in thread context under the giant lock, so a look at a
// socket and the sleep that follows it cannot miss a change: whoever changes
// a socket wakes its queue (UnixSocket::changed) and tells poll/select/epoll.
//
// A message is a Packet on its receiver's queue: the bytes, the sender (its
// address for recvfrom, and its send buffer, which the packet is charged to
// until it is read), the sender's credentials and any passed descriptions.
// A stream is the same queue read across packets.
//
// A description passed with SCM_RIGHTS is in flight from the send to the
// receive: its packet holds a reference to it. When the description is an
// AF_UNIX socket's, sockets can hold each other (or themselves) up from
// their queues after the program has closed them all; net/unix_gc.cpp finds
// such cycles and drops their queues, as Linux's net/unix/garbage.c.
#include "core/process.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/time.h"
#include "fs/procfs_text.h"
#include "net/unix.h"

namespace net::af_unix {

constexpr int SOCK_RAW = 3;
constexpr int SO_REUSEADDR = 2, SO_BROADCAST = 6, SO_KEEPALIVE = 9, SO_PASSCRED = 16, SO_ACCEPTCONN = 30;
constexpr u32 RCV_SHUTDOWN = 1, SEND_SHUTDOWN = 2, SHUTDOWN_MASK = 3;
constexpr int DEFAULT_BUF = 212992;      // net.core.wmem_default / rmem_default
constexpr size_t MAX_DGRAM_QLEN = 10;    // net.unix.max_dgram_qlen
constexpr size_t PACKET_OVERHEAD = 256;  // charged per packet, as Linux charges an skb's truesize
constexpr size_t STREAM_CHUNK = 64 * 1024;
constexpr size_t INFLIGHT_TRIGGER_GC = 16000; // sends of descriptions past it collect first (Linux's)
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
    // Moves every packet to the end of `into`.
    void move_all_to(PacketQueue& into)
    {
        if (!m_head) return;
        if (into.m_tail) into.m_tail->next = m_head;
        else into.m_head = m_head;
        into.m_tail = m_tail;
        into.m_count += m_count;
        m_head = m_tail = nullptr;
        m_count = 0;
    }
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

inline Ucred current_creds()
{
    auto& p = core::process();
    return { p.pid, p.uid, p.gid };
}

inline Ucred current_peer_creds() // SO_PEERCRED reports the effective ids
{
    auto& p = core::process();
    return { p.pid, p.euid, p.egid };
}

inline bool is_abstract(const SockAddr& a) { return a.len > SUN_PATH_OFFSET && a.bytes[SUN_PATH_OFFSET] == 0; }

// unix_validate_addr + unix_mkname_bsd: EINVAL for a bad length or family. A
// path is cut at its first NUL and its length becomes Linux's:
// sizeof(sa_family_t) + strlen(path) + 1.
inline Result<SockAddr> canonical_address(const SockAddr& a)
{
    if (a.len < SUN_PATH_OFFSET || a.len > SOCKADDR_UN_SIZE) return Errno::EINVAL;
    if ((a.bytes[0] | a.bytes[1] << 8) != AF_UNIX) return Errno::EINVAL;
    SockAddr c = a;
    if (a.len == SUN_PATH_OFFSET || is_abstract(a)) return c;
    memset(c.bytes + a.len, 0, sizeof c.bytes - a.len);
    c.len = u32(SUN_PATH_OFFSET + strlen(reinterpret_cast<const char*>(c.bytes + SUN_PATH_OFFSET)) + 1);
    return c;
}

inline core::StringView path_of(const SockAddr& a)
{
    const char* p = reinterpret_cast<const char*>(a.bytes + SUN_PATH_OFFSET);
    return core::StringView(p, strlen(p));
}

inline SockAddr unnamed()
{
    SockAddr a;
    a.bytes[0] = AF_UNIX;
    a.len = SUN_PATH_OFFSET;
    return a;
}

class UnixSocket final : public Socket {
public:
    explicit UnixSocket(int type) : Socket(AF_UNIX, type)
    {
        m_sndbuf = m_rcvbuf = DEFAULT_BUF;
        enlist();
    }
    ~UnixSocket() override { release(); }
    // Every change goes through changed().
    bool reports_readiness() const override { return true; }

    static void connect_pair(UnixSocket& a, UnixSocket& b);
    ErrorOr bind(const SockAddr& given) override;
    ErrorOr listen(int backlog) override;
    Result<core::Ref<Socket>> accept(bool nonblocking, SockAddr* peer) override;
    ErrorOr connect(const SockAddr& given, bool nonblocking) override;
    Result<size_t> send(const fs::IoBuffer& buf, size_t n, u32 flags, const SockAddr* to, bool nonblocking) override;
    Result<size_t> recv(fs::IoBuffer& buf, size_t n, u32 flags, SockAddr* from, bool nonblocking,
                        u32* flags_out) override;
    Result<size_t> send_message(const fs::IoBuffer& buf, size_t n, u32 flags, const SockAddr* to, bool nonblocking,
                                Ancillary& anc) override;
    Result<size_t> recv_message(fs::IoBuffer& buf, size_t n, u32 flags, SockAddr* from, bool nonblocking,
                                u32* flags_out, Ancillary& anc) override;
    ErrorOr shutdown(int how) override;
    Result<SockAddr> local_address() override { return m_addr.len ? m_addr : unnamed(); }
    Result<SockAddr> peer_address() override;
    u32 bytes_readable() override;
    Result<u32> fionread() override;
    Ucred peer_credentials() override;
    void file_opened(u32) override { m_files++; }
    void file_closed(u32) override;
    u32 poll(u32) override;
    void uncharge(size_t bytes);

    // In-flight accounting and the collector (net/unix_gc.cpp). `files`
    // enter a packet (sent) or leave it (received, or the packet freed).
    static void files_sent(const core::Vector<core::Ref<fs::OpenFile>>& files);
    static void files_landed(const core::Vector<core::Ref<fs::OpenFile>>& files);
    // unix_gc: frees the queues of the sockets only in-flight references
    // reach. Thread context only; never sleeps.
    static void collect_garbage();
    // The total of in-flight references to AF_UNIX sockets' descriptions.
    static size_t in_flight_total();

protected:
    ErrorOr set_protocol_option(SocketOption o, int v) override;
    Result<int> get_protocol_option(SocketOption o) override;
    int take_error() override;

private:
    enum class State : u8 { Unconnected, Listening, Connected };

    void changed();

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

    static UnixSocket* find_abstract(const SockAddr& a, int type);

    // The sockets not yet released, for /proc/net/unix (unix_socket_table).
    void enlist();
    static void list_all(fs::ProcText& out);

    // unix_find_other: the socket an address names. A path that is not a
    // socket's, or whose socket is closed, refuses (ECONNREFUSED); one bound
    // by a socket of another type is EPROTOTYPE.
    static Result<core::Ref<UnixSocket>> find(const SockAddr& a, int type);

    // unix_autobind: an abstract name of five hex digits.
    ErrorOr autobind();
    ErrorOr connect_datagram(const SockAddr& given);

    bool send_buffer_writable() const { return m_wmem * 4 <= size_t(m_sndbuf); }

    // A datagram receiver connected elsewhere takes at most max_dgram_qlen + 1.
    bool queue_full_for(const UnixSocket& other) const;
    bool peer_queue_full() const { return m_type != SOCK_STREAM && m_peer && queue_full_for(*m_peer); }

    Result<Packet*> make_packet(const fs::IoBuffer& buf, size_t at, size_t n, Ancillary& anc);
    Result<size_t> send_stream(const fs::IoBuffer& buf, size_t n, const SockAddr* to, bool nonblocking, Ancillary& anc);
    Result<size_t> send_datagram(const fs::IoBuffer& buf, size_t n, const SockAddr* to, bool nonblocking,
                                 Ancillary& anc);

    // What a read hands over with the bytes of p.
    ErrorOr deliver_control(Packet* p, bool peek, Ancillary& anc);
    void fill_sender(Packet* p, SockAddr* from);
    void consume(Packet* p);

    // unix_stream_read_generic: waits for a first byte (all n with
    // MSG_WAITALL), reads across packets, stops after one that carried
    // descriptors and before one with other credentials.
    Result<size_t> recv_stream(fs::IoBuffer& buf, size_t n, u32 flags, SockAddr* from, bool nonblocking, Ancillary& anc);
    Result<size_t> recv_datagram(fs::IoBuffer& buf, size_t n, u32 flags, SockAddr* from, bool nonblocking,
                                 u32* flags_out, Ancillary& anc);

    // The last description of the socket closed (or, for a connection never
    // accepted, its listener did, `embryo`): unix_release_sock.
    void release(bool embryo = false);

    // The collector's look at the descriptions queued on this socket (and,
    // for a listener, on its connections not yet accepted).
    template<typename Visit>
    void for_each_queued_socket(Visit visit);
    void mark_reachable(UnixSocket*& work);

    State m_state { State::Unconnected };
    SockAddr m_addr;                 // len 0 while unbound
    core::Ref<fs::Inode> m_name;     // the UnixName of a path
    UnixSocket* m_next_abstract { nullptr };
    UnixSocket* m_all_prev { nullptr };
    UnixSocket* m_all_next { nullptr };
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

    // In flight (net/unix_gc.cpp): references to our descriptions in
    // packets, and the description they are to while all are to one (true
    // but for an O_PATH reopening). On the in-flight list while nonzero.
    u32 m_inflight { 0 };
    fs::OpenFile* m_inflight_file { nullptr };
    bool m_inflight_mixed { false };
    UnixSocket* m_inflight_prev { nullptr };
    UnixSocket* m_inflight_next { nullptr };
    // A collection's own: in-flight references from outside the candidates.
    u32 m_gc_refs { 0 };
    bool m_gc_candidate { false }, m_gc_reachable { false };
    UnixSocket* m_gc_work_next { nullptr };
};

} // namespace net::af_unix
