// AF_UNIX garbage collection (net/unix_socket.h): Linux's unix_gc
// (net/unix/garbage.c, as it was before 6.10's graph of strongly connected
// components).
//
// A socket's description passed with SCM_RIGHTS is held by its packet until
// received. Closed by the program while in flight over itself, or over a
// socket that is itself in flight over it, it keeps itself alive from its own
// queue. The collector finds them: a candidate is a socket every reference to
// whose one description is in flight; a candidate that a queue outside the
// candidates holds is reachable, and so is every candidate a reachable one's
// queue holds; the candidates left are garbage. Their queues are dropped
// whole, which closes what they carried (their own descriptions among it),
// and each socket ends as a closed one does.
//
// Everything runs under the giant lock and never sleeps, so no other CPU sees
// a half-done collection. It runs in thread context: a socket's last
// description closes in a syscall or a process's exit, never in an interrupt
// (no interrupt handler holds descriptions).
#include "net/unix_socket.h"

namespace net::af_unix {

namespace {

UnixSocket* g_inflight;    // sockets with m_inflight > 0, linked by m_inflight_next
size_t g_inflight_total;   // the sum of their m_inflight
bool g_collecting;

UnixSocket* unix_socket_of(const fs::OpenFile& f)
{
    Socket* s = Socket::from(f.inode());
    return s && s->family() == AF_UNIX ? static_cast<UnixSocket*>(s) : nullptr;
}

} // namespace

size_t UnixSocket::in_flight_total() { return g_inflight_total; }

void UnixSocket::files_sent(const core::Vector<core::Ref<fs::OpenFile>>& files)
{
    for (auto& f : files) {
        UnixSocket* s = unix_socket_of(*f);
        if (!s) continue;
        g_inflight_total++;
        if (s->m_inflight++) {
            if (s->m_inflight_file != f.ptr()) s->m_inflight_mixed = true;
            continue;
        }
        s->m_inflight_file = f.ptr();
        s->m_inflight_mixed = false;
        s->m_inflight_prev = nullptr;
        s->m_inflight_next = g_inflight;
        if (g_inflight) g_inflight->m_inflight_prev = s;
        g_inflight = s;
    }
}

void UnixSocket::files_landed(const core::Vector<core::Ref<fs::OpenFile>>& files)
{
    for (auto& f : files) {
        UnixSocket* s = unix_socket_of(*f);
        if (!s) continue;
        VERIFY(s->m_inflight && g_inflight_total);
        g_inflight_total--;
        if (--s->m_inflight) continue;
        if (s->m_inflight_prev) s->m_inflight_prev->m_inflight_next = s->m_inflight_next;
        else g_inflight = s->m_inflight_next;
        if (s->m_inflight_next) s->m_inflight_next->m_inflight_prev = s->m_inflight_prev;
        s->m_inflight_prev = s->m_inflight_next = nullptr;
        s->m_inflight_file = nullptr;
    }
}

// The sockets whose descriptions wait in our queue, and in the queues of a
// listener's connections not yet accepted (scan_children): each once per
// reference.
template<typename Visit>
void UnixSocket::for_each_queued_socket(Visit visit)
{
    auto scan = [&](const PacketQueue& q) {
        for (Packet* p = q.head(); p; p = p->next)
            for (auto& f : p->files)
                if (UnixSocket* s = unix_socket_of(*f)) visit(*s);
    };
    scan(m_queue);
    for (auto& embryo : m_pending) scan(embryo->m_queue);
}

void UnixSocket::mark_reachable(UnixSocket*& work)
{
    if (m_gc_reachable) return;
    m_gc_reachable = true;
    m_gc_work_next = work;
    work = this;
}

void UnixSocket::collect_garbage()
{
    // Closing the garbage releases sockets, which would start another
    // collection: this one already sees everything they held.
    if (g_collecting) return;
    g_collecting = true;

    // Candidates: one description (an O_PATH reopening would be a second),
    // and no reference to it but in flight. Holding the description in a
    // descriptor table, or in a syscall still at work on it, is one more.
    for (UnixSocket* s = g_inflight; s; s = s->m_inflight_next) {
        s->m_gc_candidate = !s->m_inflight_mixed && s->m_files == 1
            && s->m_inflight_file->ref_count() == s->m_inflight;
        s->m_gc_reachable = false;
        s->m_gc_refs = s->m_inflight;
    }
    // Every socket met in a queue is in flight, so on the list above.
    for (UnixSocket* s = g_inflight; s; s = s->m_inflight_next) {
        if (!s->m_gc_candidate) continue;
        s->for_each_queued_socket([](UnixSocket& t) {
            if (!t.m_gc_candidate) return;
            VERIFY(t.m_gc_refs);
            t.m_gc_refs--;
        });
    }
    // What is left of a candidate's count comes from outside the candidates
    // (or from a packet on its way into or out of a queue): it is reachable,
    // and so is whatever its queue holds.
    UnixSocket* work = nullptr;
    for (UnixSocket* s = g_inflight; s; s = s->m_inflight_next)
        if (s->m_gc_candidate && s->m_gc_refs) s->mark_reachable(work);
    while (UnixSocket* s = work) {
        work = s->m_gc_work_next;
        s->for_each_queued_socket([&](UnixSocket& t) {
            if (t.m_gc_candidate) t.mark_reachable(work);
        });
    }

    // Garbage: take every packet off its queues first (unix_collect_skb),
    // then free them; the sockets end as their last references go.
    PacketQueue garbage;
    for (UnixSocket* s = g_inflight; s; s = s->m_inflight_next) {
        if (s->m_gc_candidate && !s->m_gc_reachable) {
            s->m_queue.move_all_to(garbage);
            for (auto& embryo : s->m_pending) embryo->m_queue.move_all_to(garbage);
        }
        s->m_gc_candidate = s->m_gc_reachable = false;
    }
    garbage.purge();
    g_collecting = false;
}

} // namespace net::af_unix
