// AF_UNIX garbage collection: sockets passed with SCM_RIGHTS over each other
// (or over themselves) and then closed hold each other up from their queues.
// Once every reference to a socket is in flight and nothing the program still
// holds can reach it, the collector drops its queue and the socket ends: its
// peer sees the end of the stream and a pipe passed inside sees its writer
// go. A cycle reachable from a socket the program holds must survive and
// still deliver. On Linux the collector runs when an AF_UNIX socket is
// released (since 6.10 in a worker, so the observers wait in poll); the
// program closes a spare socket pair to start it. Past 16000 references in
// flight a send of descriptors starts one too. /proc/net/unix lists a socket
// until it is released. Runs natively too.
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

// Long enough for Linux's worker; the collector in Elfin runs in the close.
// A guard against hanging, not a measurement: the checks are on what poll
// reports.
#define GC_WAIT_MS 60000

// Sends one byte with n descriptors (n <= 253, SCM_MAX_FD).
static int send_fds(int sock, const int *fds, int n)
{
    char byte = 'f';
    struct iovec iov = { &byte, 1 };
    union {
        char buf[CMSG_SPACE(253 * sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                        .msg_controllen = CMSG_SPACE((size_t)n * sizeof(int)) };
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
    memcpy(CMSG_DATA(c), fds, (size_t)n * sizeof(int));
    return (int)sendmsg(sock, &m, 0);
}

// Receives one message; returns how many descriptors came with it (into fds).
static int recv_fds(int sock, int *fds, int max)
{
    char byte;
    struct iovec iov = { &byte, 1 };
    union {
        char buf[CMSG_SPACE(4 * sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
    if (recvmsg(sock, &m, MSG_DONTWAIT) != 1)
        return -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
        return 0;
    int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    if (n > max)
        n = max;
    memcpy(fds, CMSG_DATA(c), (size_t)n * sizeof(int));
    return n;
}

// What poll reports for fd, waiting up to ms for any of `events` (or a hangup).
static short poll_for(int fd, short events, int ms)
{
    struct pollfd p = { fd, events, 0 };
    if (poll(&p, 1, ms) < 0)
        return -1;
    return p.revents;
}

// Whether /proc/net/unix lists a socket with inode number ino: a socket is
// listed until it is released.
static int listed(ino_t ino)
{
    FILE *f = fopen("/proc/net/unix", "r");
    if (!f)
        return -1;
    char line[512];
    int found = 0;
    if (!fgets(line, sizeof line, f) || strncmp(line, "Num ", 4) != 0)
        found = -1;
    unsigned long n;
    while (found == 0 && fgets(line, sizeof line, f))
        if (sscanf(line, "%*s %*s %*s %*s %*s %*s %lu", &n) == 1 && n == ino)
            found = 1;
    fclose(f);
    return found;
}

static ino_t ino_of(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return 0;
    return st.st_ino;
}

// Closing an AF_UNIX socket (its last reference) starts a collection.
static void trigger(void)
{
    int t[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, t));
    close(t[0]);
    close(t[1]);
}

// The peer of a collected stream socket: the end of the stream.
static void check_collected_peer(int fd)
{
    short r = poll_for(fd, POLLIN, GC_WAIT_MS);
    CHECK_EQ(r & (POLLIN | POLLHUP), POLLIN | POLLHUP);
    char c;
    CHECK_EQ(recv(fd, &c, 1, MSG_DONTWAIT), 0);
}

// The client of a connection whose listener was collected before accepting
// it: reset, then the end of the stream.
static void check_collected_listener(int fd)
{
    short r = poll_for(fd, POLLIN, GC_WAIT_MS);
    CHECK_EQ(r & (POLLIN | POLLHUP | POLLERR), POLLIN | POLLHUP | POLLERR);
    char c;
    CHECK_ERR(recv(fd, &c, 1, MSG_DONTWAIT), ECONNRESET);
    CHECK_EQ(recv(fd, &c, 1, MSG_DONTWAIT), 0);
}

// A socket held by the program that nothing has ended: no hangup, no data.
static void check_alive_peer(int fd)
{
    CHECK_EQ(poll_for(fd, POLLIN, 0), 0);
}

// Sends fd n times in one message (n <= 253, SCM_MAX_FD).
static int send_copies(int sock, int fd, int n)
{
    int fds[253];
    for (int i = 0; i < n; i++)
        fds[i] = fd;
    return send_fds(sock, fds, n);
}

// More than 16000 references in flight (UNIX_INFLIGHT_TRIGGER_GC): the next
// send of a descriptor collects first, with no socket released. A socket
// sent 64 * 253 times over itself, then closed, is the garbage. Linux counts
// in-flight descriptors against RLIMIT_NOFILE (ETOOMANYREFS but for root):
// the soft limit goes up to the hard one.
static void threshold(void)
{
    struct rlimit rl;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
    rl.rlim_cur = rl.rlim_max;
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &rl));
    int p[2], q[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, p));
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, q));
    ino_t p1_ino = ino_of(p[1]);
    for (int i = 0; i < 64; i++)
        CHECK_EQ(send_copies(p[0], p[1], 253), 1);
    close(p[1]);
    check_alive_peer(p[0]);
    CHECK_EQ(listed(p1_ino), 1);
    CHECK_EQ(send_copies(q[0], q[0], 1), 1); // 16192 in flight: collects
    check_collected_peer(p[0]);
    CHECK_EQ(listed(p1_ino), 0);
    close(p[0]);
    close(q[0]);
    close(q[1]);
}

int main(void)
{
    // 1. A socket in its own queue: b is sent over a (so it lands on b) and
    // the program closes b. Also a pipe's writer, passed in the same message.
    int self[2], pipe1[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, self));
    CHECK_OK(pipe2(pipe1, O_NONBLOCK));
    ino_t self_ino = ino_of(self[1]);
    int pass1[2] = { self[1], pipe1[1] };
    CHECK_EQ(send_fds(self[0], pass1, 2), 1);
    close(self[1]);
    close(pipe1[1]);

    // 2. Two sockets in each other's queues: x1 on y1, y1 on x1.
    int x[2], y[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, x));
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, y));
    ino_t x1_ino = ino_of(x[1]), y1_ino = ino_of(y[1]);
    CHECK_EQ(send_fds(x[0], &y[1], 1), 1);
    CHECK_EQ(send_fds(y[0], &x[1], 1), 1);
    close(x[1]);
    close(y[1]);

    // 3. The same cycle (c1 on d1, d1 on c1), but c1 is also on l1, which the
    // program holds: c1 and d1 are reachable and must stay.
    int c[2], d[2], l[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, c));
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, d));
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, l));
    ino_t c1_ino = ino_of(c[1]), d1_ino = ino_of(d[1]);
    CHECK_EQ(send_fds(c[0], &d[1], 1), 1);
    CHECK_EQ(send_fds(d[0], &c[1], 1), 1);
    CHECK_EQ(send_fds(l[0], &c[1], 1), 1);
    close(c[1]);
    close(d[1]);

    // 4. A listener on a connection it never accepted: the client sends the
    // listener over the connection, so it waits in the accepted end's queue,
    // which the listener holds.
    char path[64];
    snprintf(path, sizeof path, "/tmp/elfin-unixgc-%d", getpid());
    unlink(path);
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    strcpy(a.sun_path, path);
    socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
    int lis = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(bind(lis, (struct sockaddr *)&a, alen));
    CHECK_OK(listen(lis, 4));
    int client = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(connect(client, (struct sockaddr *)&a, alen));
    ino_t lis_ino = ino_of(lis);
    CHECK_EQ(send_fds(client, &lis, 1), 1);
    close(lis);

    // Nothing has been collected yet: every cycle still stands.
    check_alive_peer(self[0]);
    check_alive_peer(x[0]);
    check_alive_peer(y[0]);
    check_alive_peer(client);
    CHECK_EQ(listed(self_ino), 1);
    CHECK_EQ(listed(x1_ino), 1);
    CHECK_EQ(listed(y1_ino), 1);
    CHECK_EQ(listed(lis_ino), 1);
    CHECK_EQ(listed(c1_ino), 1);
    CHECK_EQ(listed(d1_ino), 1);
    char ch;
    CHECK_ERR(read(pipe1[0], &ch, 1), EAGAIN); // its writer is still in flight

    trigger();

    // The garbage went: the ends the program holds see their peers close and
    // the pipe sees its last writer go.
    check_collected_peer(self[0]);
    check_collected_peer(x[0]);
    check_collected_peer(y[0]);
    check_collected_listener(client);
    CHECK_EQ(poll_for(pipe1[0], POLLIN, GC_WAIT_MS) & POLLHUP, POLLHUP);
    CHECK_EQ(read(pipe1[0], &ch, 1), 0);
    int probe = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(connect(probe, (struct sockaddr *)&a, alen), ECONNREFUSED); // the listener is gone
    close(probe);
    unlink(path);
    CHECK_EQ(listed(self_ino), 0);
    CHECK_EQ(listed(x1_ino), 0);
    CHECK_EQ(listed(y1_ino), 0);
    CHECK_EQ(listed(lis_ino), 0);

    // The reachable cycle survived the same collection and still delivers:
    // c1 from l1, d1 from c1, c1 again from d1; and c1 still talks to c0.
    check_alive_peer(c[0]);
    check_alive_peer(d[0]);
    CHECK_EQ(listed(c1_ino), 1);
    CHECK_EQ(listed(d1_ino), 1);
    int c1 = -1, d1 = -1, c1b = -1;
    CHECK_EQ(recv_fds(l[1], &c1, 1), 1);
    CHECK_EQ(recv_fds(c1, &d1, 1), 1);
    CHECK_EQ(recv_fds(d1, &c1b, 1), 1);
    CHECK_EQ(write(c[0], "k", 1), 1);
    CHECK_EQ(read(c1b, &ch, 1), 1);
    CHECK_EQ(ch, 'k');
    CHECK_EQ(write(d1, "m", 1), 1);
    CHECK_EQ(read(d[0], &ch, 1), 1);
    CHECK_EQ(ch, 'm');
    close(c1);
    close(c1b);
    close(d1);
    check_collected_peer(c[0]);
    check_collected_peer(d[0]);
    CHECK_EQ(listed(c1_ino), 0);
    CHECK_EQ(listed(d1_ino), 0);

    close(self[0]);
    close(pipe1[0]);
    close(x[0]);
    close(y[0]);
    close(c[0]);
    close(d[0]);
    close(l[0]);
    close(l[1]);
    close(client);

    threshold();
    return check_report("unixgc");
}
