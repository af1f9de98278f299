// AF_UNIX sockets: socketpair (stream, datagram, seqpacket), names (paths in
// the filesystem, abstract, autobound) and their address lengths, listen and
// accept with a backlog, blocking with threads, poll and epoll, shutdown,
// EPIPE/SIGPIPE, SO_PEERCRED/SO_PASSCRED, descriptors and credentials passed
// with SCM_RIGHTS/SCM_CREDENTIALS, sendmmsg/recvmmsg, and the errnos. Runs
// natively too.
#include "check.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

// A name in /tmp for this run (several may run at once).
static const char *path_for(char *buf, size_t size, const char *what)
{
    snprintf(buf, size, "/tmp/elfin-unix-%d-%s", getpid(), what);
    return buf;
}

static socklen_t make_path(struct sockaddr_un *a, const char *path)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

// An abstract name: sun_path[0] is 0, the length counts exactly the name.
static socklen_t make_abstract(struct sockaddr_un *a, const char *name)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    size_t n = strlen(name);
    memcpy(a->sun_path + 1, name, n);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static int sigpipes;
static void on_sigpipe(int sig) { (void)sig; sigpipes++; }

static void pair_stream(void)
{
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
    CHECK_EQ(fcntl(sv[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    CHECK_EQ(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
    struct stat st;
    CHECK_OK(fstat(sv[0], &st));
    CHECK(S_ISSOCK(st.st_mode));
    int v = -1;
    socklen_t vl = sizeof v;
    CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &vl));
    CHECK_EQ(v, SOCK_STREAM);
    CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &vl));
    CHECK_EQ(v, AF_UNIX);
    CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_PROTOCOL, &v, &vl));
    CHECK_EQ(v, 0);

    // Unnamed: both names are just the family.
    struct sockaddr_un a;
    socklen_t al = sizeof a;
    CHECK_OK(getsockname(sv[0], (struct sockaddr *)&a, &al));
    CHECK_EQ(al, sizeof(sa_family_t));
    CHECK_EQ(a.sun_family, AF_UNIX);
    al = sizeof a;
    CHECK_OK(getpeername(sv[1], (struct sockaddr *)&a, &al));
    CHECK_EQ(al, sizeof(sa_family_t));

    // SO_PEERCRED: this process on both ends.
    struct ucred cr;
    socklen_t cl = sizeof cr;
    CHECK_OK(getsockopt(sv[1], SOL_SOCKET, SO_PEERCRED, &cr, &cl));
    CHECK_EQ(cl, sizeof cr);
    CHECK_EQ(cr.pid, getpid());
    CHECK_EQ(cr.uid, getuid());
    CHECK_EQ(cr.gid, getgid());

    CHECK_EQ(write(sv[0], "hello", 5), 5);
    CHECK_EQ(send(sv[0], " world", 6, 0), 6);
    int n = -1;
    CHECK_OK(ioctl(sv[1], FIONREAD, &n));
    CHECK_EQ(n, 11);
    char buf[64] = { 0 };
    CHECK_EQ(recv(sv[1], buf, sizeof buf, MSG_PEEK), 11);
    CHECK_MEM(buf, "hello world", 11);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(read(sv[1], buf, 3), 3); // a stream: any split
    CHECK_MEM(buf, "hel", 3);
    CHECK_EQ(read(sv[1], buf, sizeof buf), 8);
    CHECK_MEM(buf, "lo world", 8);
    CHECK_ERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);

    // Both directions; then shutdown: end of file for the reader, EPIPE for the writer.
    CHECK_EQ(write(sv[1], "back", 4), 4);
    CHECK_EQ(read(sv[0], buf, sizeof buf), 4);
    struct pollfd p = { .fd = sv[1], .events = POLLIN | POLLOUT | POLLRDHUP };
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLOUT);
    CHECK_OK(shutdown(sv[0], SHUT_WR));
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLIN | POLLOUT | POLLRDHUP);
    CHECK_EQ(read(sv[1], buf, sizeof buf), 0);
    CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_ERR(shutdown(sv[0], 3), EINVAL);

    // The peer gone: SIGPIPE with EPIPE, none under MSG_NOSIGNAL.
    CHECK_OK(close(sv[1]));
    signal(SIGPIPE, on_sigpipe);
    CHECK_ERR(write(sv[0], "x", 1), EPIPE);
    CHECK_EQ(sigpipes, 1);
    CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_EQ(sigpipes, 1);
    signal(SIGPIPE, SIG_DFL);
    CHECK_OK(close(sv[0]));

    // Unread data at close: the peer reads ECONNRESET once, then end of file.
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
    CHECK_EQ(fcntl(sv[0], F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    CHECK_ERR(read(sv[0], buf, 1), EAGAIN);
    CHECK_EQ(write(sv[0], "unread", 6), 6);
    CHECK_OK(close(sv[1]));
    CHECK_ERR(read(sv[0], buf, sizeof buf), ECONNRESET);
    CHECK_EQ(read(sv[0], buf, sizeof buf), 0);
    CHECK_OK(close(sv[0]));
}

// A sysctl's value, or Linux's default where there is no such file (Elfin's
// /proc has none of net.core; its sockets use the defaults).
static int sysctl_or(const char *path, int fallback)
{
    FILE *f = fopen(path, "r");
    int v = fallback;
    if (f) {
        if (fscanf(f, "%d", &v) != 1)
            v = fallback;
        fclose(f);
    }
    return v;
}

struct transfer {
    int fd;
    size_t bytes;
};

static void *write_pattern(void *arg)
{
    struct transfer *t = arg;
    static unsigned char chunk[10000];
    size_t done = 0;
    while (done < t->bytes) {
        size_t n = t->bytes - done < sizeof chunk ? t->bytes - done : sizeof chunk;
        for (size_t i = 0; i < n; i++)
            chunk[i] = (unsigned char)((done + i) * 7);
        ssize_t w = write(t->fd, chunk, n);
        if (w <= 0)
            return (void *)1;
        done += (size_t)w;
    }
    return NULL;
}

// A megabyte through a stream from another thread: the writer blocks when
// the buffer is full, the reader when it is empty; MSG_WAITALL fills.
static void stream_threads(void)
{
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    struct transfer t = { sv[0], 1 << 20 };
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, write_pattern, &t), 0);
    static unsigned char buf[65536];
    size_t got = 0, bad = 0;
    while (got < t.bytes) {
        ssize_t r = recv(sv[1], buf, sizeof buf, MSG_WAITALL);
        if (r <= 0)
            break;
        if ((size_t)r != sizeof buf && got + (size_t)r != t.bytes)
            bad++; // MSG_WAITALL returned short before the end
        for (ssize_t i = 0; i < r; i++)
            if (buf[i] != (unsigned char)((got + (size_t)i) * 7))
                bad++;
        got += (size_t)r;
    }
    void *rv;
    pthread_join(th, &rv);
    CHECK(rv == NULL);
    CHECK_EQ(got, t.bytes);
    CHECK_EQ(bad, 0);

    // A full buffer: a non-blocking write takes what fits, then EAGAIN;
    // poll says not writable until the reader drains it.
    int small = 65536;
    CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small));
    int v = 0;
    socklen_t vl = sizeof v;
    CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &vl));
    CHECK_EQ(v, 2 * small); // Linux reports it doubled
    int huge = 1 << 30, negative = -1;
    CHECK_OK(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &huge, sizeof huge));
    CHECK_OK(getsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &v, &vl));
    CHECK_EQ(v, 2 * sysctl_or("/proc/sys/net/core/wmem_max", 212992)); // capped, then doubled
    CHECK_OK(setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &negative, sizeof negative));
    CHECK_OK(getsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &v, &vl));
    CHECK_EQ(v, 2 * sysctl_or("/proc/sys/net/core/rmem_max", 212992));
    int tiny = 1;
    CHECK_OK(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &tiny, sizeof tiny));
    CHECK_OK(getsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &v, &vl));
    CHECK_EQ(v, 4608); // SOCK_MIN_SNDBUF
    CHECK_OK(fcntl(sv[0], F_SETFL, O_NONBLOCK));
    size_t queued = 0;
    for (;;) {
        ssize_t w = write(sv[0], buf, sizeof buf);
        if (w < 0)
            break;
        queued += (size_t)w;
    }
    CHECK_EQ(errno, EAGAIN);
    CHECK(queued > 0);
    struct pollfd p = { .fd = sv[0], .events = POLLOUT };
    CHECK_EQ(poll(&p, 1, 0), 0);
    size_t drained = 0;
    while (drained < queued) {
        ssize_t r = read(sv[1], buf, sizeof buf);
        if (r <= 0)
            break;
        drained += (size_t)r;
    }
    CHECK_EQ(drained, queued);
    CHECK_EQ(poll(&p, 1, 0), 1);
    close(sv[0]);
    close(sv[1]);
}

static void *delayed_write(void *arg)
{
    int fd = *(int *)arg;
    // The main thread is (very likely) asleep in epoll_wait by now; either
    // way it must see the data.
    for (int i = 0; i < 1000; i++)
        sched_yield();
    return write(fd, "ping", 4) == 4 ? NULL : (void *)1;
}

static void readiness(void)
{
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    int ep = CHECK_OK(epoll_create1(EPOLL_CLOEXEC));
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = sv[1] };
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev));
    CHECK_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, delayed_write, &sv[0]), 0);
    struct epoll_event out;
    CHECK_EQ(epoll_wait(ep, &out, 1, -1), 1);
    CHECK_EQ(out.events, EPOLLIN);
    CHECK_EQ(out.data.fd, sv[1]);
    void *rv;
    pthread_join(th, &rv);
    CHECK(rv == NULL);
    char buf[8];
    CHECK_EQ(read(sv[1], buf, sizeof buf), 4);
    // A blocking read woken by the other thread.
    CHECK_EQ(pthread_create(&th, NULL, delayed_write, &sv[0]), 0);
    CHECK_EQ(read(sv[1], buf, sizeof buf), 4);
    CHECK_MEM(buf, "ping", 4);
    pthread_join(th, &rv);
    // select sees the hang-up of a closed peer.
    CHECK_OK(close(sv[0]));
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(sv[1], &rs);
    struct timeval tv = { 0, 0 };
    CHECK_EQ(select(sv[1] + 1, &rs, NULL, NULL, &tv), 1);
    struct pollfd p = { .fd = sv[1], .events = POLLIN };
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLIN | POLLHUP);
    close(sv[1]);
    close(ep);
}

static void pair_datagrams(void)
{
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    CHECK_EQ(send(sv[0], "one", 3, 0), 3);
    CHECK_EQ(send(sv[0], "", 0, 0), 0);
    CHECK_EQ(send(sv[0], "three33", 7, 0), 7);
    int n = -1;
    CHECK_OK(ioctl(sv[1], FIONREAD, &n));
    CHECK_EQ(n, 3); // the first datagram
    char buf[16];
    CHECK_EQ(recv(sv[1], buf, sizeof buf, 0), 3);
    CHECK_EQ(recv(sv[1], buf, sizeof buf, 0), 0); // boundaries kept, empty included
    struct iovec iov = { buf, 5 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    CHECK_EQ(recvmsg(sv[1], &m, MSG_PEEK), 5);
    CHECK_EQ(m.msg_flags & MSG_TRUNC, MSG_TRUNC);
    CHECK_EQ(recv(sv[1], buf, 2, MSG_TRUNC), 7); // the real length
    CHECK_ERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    // Writes and reads are datagrams too; a non-blocking sender fills the queue.
    CHECK_OK(fcntl(sv[0], F_SETFL, O_NONBLOCK));
    int sent = 0;
    while (sent < 100000 && write(sv[0], "datagram", 8) == 8)
        sent++;
    CHECK_EQ(errno, EAGAIN);
    CHECK(sent > 0 && sent < 100000);
    int got = 0;
    while (recv(sv[1], buf, sizeof buf, MSG_DONTWAIT) == 8)
        got++;
    CHECK_EQ(got, sent);
    int big = 300000;
    static char huge[300000];
    CHECK_ERR(send(sv[0], huge, (size_t)big, 0), EMSGSIZE);
    close(sv[0]);
    close(sv[1]);

    // Seqpacket: records, truncation, end of file when the peer closes.
    CHECK_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
    CHECK_EQ(send(sv[0], "abc", 3, 0), 3);
    CHECK_EQ(send(sv[0], "defgh", 5, 0), 5);
    CHECK_EQ(recv(sv[1], buf, 2, 0), 2);
    CHECK_EQ(recv(sv[1], buf, sizeof buf, 0), 5);
    CHECK_MEM(buf, "defgh", 5);
    CHECK_OK(close(sv[0]));
    CHECK_EQ(recv(sv[1], buf, sizeof buf, 0), 0);
    CHECK_ERR(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
    close(sv[1]);
}

struct connector {
    struct sockaddr_un addr;
    socklen_t len;
    int result;
};

static void *connect_later(void *arg)
{
    struct connector *c = arg;
    for (int i = 0; i < 1000; i++)
        sched_yield();
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    c->result = connect(s, (struct sockaddr *)&c->addr, c->len) == 0 ? s : -errno;
    return NULL;
}

static void named_stream(void)
{
    char path_buf[64];
    const char *path = path_for(path_buf, sizeof path_buf, "stream");
    struct sockaddr_un a;
    socklen_t alen = make_path(&a, path);
    int l = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(listen(l, 4), EINVAL); // not bound
    CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof a)); // the full size: the name ends at its NUL
    struct stat st;
    CHECK_ERR(bind(l, (struct sockaddr *)&a, alen), EADDRINUSE); // the name is taken
    struct sockaddr_un a2;
    char path2[64];
    socklen_t a2len = make_path(&a2, path_for(path2, sizeof path2, "second"));
    CHECK_ERR(bind(l, (struct sockaddr *)&a2, a2len), EINVAL); // bound already
    CHECK_ERR(stat(path2, &st), ENOENT);
    CHECK_OK(stat(path, &st));
    CHECK(S_ISSOCK(st.st_mode));
    CHECK_ERR(open(path, O_RDONLY), ENXIO);
    struct sockaddr_un got;
    socklen_t gl = sizeof got;
    CHECK_OK(getsockname(l, (struct sockaddr *)&got, &gl));
    CHECK_EQ(gl, alen); // sizeof(sa_family_t) + strlen + 1
    CHECK_STR(got.sun_path, path);
    int other = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(bind(other, (struct sockaddr *)&a, alen), EADDRINUSE);
    CHECK_ERR(connect(other, (struct sockaddr *)&a, alen), ECONNREFUSED); // not listening yet
    CHECK_OK(listen(l, 1));
    int v = 0;
    socklen_t vl = sizeof v;
    CHECK_OK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
    CHECK_EQ(v, 1);
    CHECK_ERR(ioctl(l, FIONREAD, &v), EINVAL);

    // A backlog of 1 takes two connections; the next would wait.
    CHECK_OK(fcntl(l, F_SETFL, O_NONBLOCK));
    CHECK_ERR(accept(l, NULL, NULL), EAGAIN);
    struct pollfd p = { .fd = l, .events = POLLIN };
    CHECK_EQ(poll(&p, 1, 0), 0);
    int c1 = CHECK_OK(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_OK(connect(c1, (struct sockaddr *)&a, alen));
    CHECK_ERR(connect(c1, (struct sockaddr *)&a, alen), EISCONN);
    CHECK_EQ(poll(&p, 1, 0), 1);
    int c2 = CHECK_OK(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_OK(connect(c2, (struct sockaddr *)&a, alen));
    int c3 = CHECK_OK(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_ERR(connect(c3, (struct sockaddr *)&a, alen), EAGAIN);

    // The client's peer is the path; the accepted end's peer is unnamed.
    gl = sizeof got;
    CHECK_OK(getpeername(c1, (struct sockaddr *)&got, &gl));
    CHECK_EQ(gl, alen);
    CHECK_STR(got.sun_path, path);
    gl = sizeof got;
    int s1 = CHECK_OK(accept4(l, (struct sockaddr *)&got, &gl, SOCK_CLOEXEC));
    CHECK_EQ(gl, sizeof(sa_family_t));
    CHECK_EQ(fcntl(s1, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    gl = sizeof got;
    CHECK_OK(getsockname(s1, (struct sockaddr *)&got, &gl));
    CHECK_EQ(gl, alen);
    struct ucred cr;
    socklen_t cl = sizeof cr;
    CHECK_OK(getsockopt(s1, SOL_SOCKET, SO_PEERCRED, &cr, &cl));
    CHECK_EQ(cr.pid, getpid());
    CHECK_EQ(cr.uid, getuid());
    CHECK_EQ(cr.gid, getgid());
    CHECK_OK(getsockopt(c1, SOL_SOCKET, SO_PEERCRED, &cr, &cl));
    CHECK_EQ(cr.pid, getpid());
    CHECK_EQ(cr.uid, geteuid());
    // An unconnected socket has no peer: pid 0, ids -1.
    CHECK_OK(getsockopt(other, SOL_SOCKET, SO_PEERCRED, &cr, &cl));
    CHECK_EQ(cr.pid, 0);
    CHECK_EQ(cr.uid, (uid_t)-1);
    CHECK_ERR(getpeername(other, (struct sockaddr *)&got, &gl), ENOTCONN);
    CHECK_ERR(send(other, "x", 1, MSG_NOSIGNAL), ENOTCONN);
    CHECK_ERR(recv(l, &v, 1, 0), EINVAL);

    char buf[16];
    CHECK_EQ(send(c1, "via path", 8, 0), 8);
    CHECK_EQ(recv(s1, buf, sizeof buf, 0), 8);
    CHECK_MEM(buf, "via path", 8);
    // recvfrom on a stream names the sender: the accepted end has the path.
    CHECK_EQ(send(s1, "back", 4, 0), 4);
    gl = sizeof got;
    memset(&got, 0, sizeof got);
    CHECK_EQ(recvfrom(c1, buf, sizeof buf, 0, (struct sockaddr *)&got, &gl), 4);
    CHECK_EQ(gl, alen);
    CHECK_STR(got.sun_path, path);
    CHECK_ERR(sendto(c1, "x", 1, 0, (struct sockaddr *)&a, alen), EISCONN);

    // Accepting made room.
    CHECK_OK(connect(c3, (struct sockaddr *)&a, alen));
    int s2 = CHECK_OK(accept(l, NULL, NULL));
    int s3 = CHECK_OK(accept(l, NULL, NULL));
    // A blocking accept that a thread's connect wakes.
    CHECK_OK(fcntl(l, F_SETFL, 0));
    struct connector cn = { a, alen, 0 };
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, connect_later, &cn), 0);
    int s4 = CHECK_OK(accept(l, NULL, NULL));
    pthread_join(th, NULL);
    CHECK(cn.result >= 0);
    CHECK_EQ(write(cn.result, "t", 1), 1);
    CHECK_EQ(read(s4, buf, 1), 1);

    // Type mismatch, a closed socket's file, a file that is no socket, no file.
    int d = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_ERR(connect(d, (struct sockaddr *)&a, alen), EPROTOTYPE);
    close(l);
    CHECK_OK(stat(path, &st)); // the name stays
    int c5 = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(connect(c5, (struct sockaddr *)&a, alen), ECONNREFUSED);
    CHECK_OK(unlink(path));
    CHECK_ERR(stat(path, &st), ENOENT);
    CHECK_ERR(connect(c5, (struct sockaddr *)&a, alen), ENOENT);
    int f = CHECK_OK(open(path, O_CREAT | O_WRONLY, 0600));
    close(f);
    CHECK_ERR(connect(c5, (struct sockaddr *)&a, alen), ECONNREFUSED);
    CHECK_OK(unlink(path));

    // Bad addresses.
    struct sockaddr_un bad = a;
    bad.sun_family = AF_INET;
    CHECK_ERR(bind(c5, (struct sockaddr *)&bad, alen), EINVAL);
    CHECK_ERR(bind(c5, (struct sockaddr *)&a, sizeof a + 1), EINVAL);
    CHECK_ERR(bind(c5, (struct sockaddr *)&a, 1), EINVAL);
    CHECK_ERR(connect(c5, (struct sockaddr *)&bad, alen), EINVAL);
    struct sockaddr_un nodir;
    socklen_t ndl = make_path(&nodir, "/tmp/elfin-no-such-dir/s");
    CHECK_ERR(bind(c5, (struct sockaddr *)&nodir, ndl), ENOENT);
    int s[] = { c1, c2, c3, c5, s1, s2, s3, s4, cn.result, d, other };
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        close(s[i]);
}

static void abstract_names(void)
{
    char name[64];
    snprintf(name, sizeof name, "elfin-unix-%d", getpid());
    struct sockaddr_un a, got;
    socklen_t alen = make_abstract(&a, name);
    int l = CHECK_OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
    CHECK_OK(bind(l, (struct sockaddr *)&a, alen));
    socklen_t gl = sizeof got;
    CHECK_OK(getsockname(l, (struct sockaddr *)&got, &gl));
    CHECK_EQ(gl, alen);
    CHECK_MEM(&got, &a, alen);
    int dup_ = CHECK_OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
    CHECK_ERR(bind(dup_, (struct sockaddr *)&a, alen), EADDRINUSE);
    CHECK_OK(listen(l, 8));
    int c = CHECK_OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a, alen));
    int s = CHECK_OK(accept(l, NULL, NULL));
    CHECK_EQ(send(c, "rec1", 4, 0), 4);
    CHECK_EQ(send(c, "record2", 7, 0), 7);
    char buf[16];
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 4);
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 7);
    // A name that differs by one byte, or by its length, is another name.
    struct sockaddr_un b = a;
    CHECK_ERR(connect(dup_, (struct sockaddr *)&b, alen - 1), ECONNREFUSED);
    close(c);
    close(s);
    close(l);
    // The name is free again once its socket is closed.
    CHECK_OK(bind(dup_, (struct sockaddr *)&a, alen));
    close(dup_);

    // Autobind: an empty address gets an abstract name of five hex digits.
    int x = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(bind(x, (struct sockaddr *)&a, sizeof(sa_family_t)));
    gl = sizeof got;
    CHECK_OK(getsockname(x, (struct sockaddr *)&got, &gl));
    CHECK_EQ(gl, sizeof(sa_family_t) + 6);
    CHECK_EQ(got.sun_path[0], 0);
    int hex = 1;
    for (int i = 1; i <= 5; i++)
        hex &= (got.sun_path[i] >= '0' && got.sun_path[i] <= '9') || (got.sun_path[i] >= 'a' && got.sun_path[i] <= 'f');
    CHECK(hex);
    close(x);
}

static void named_datagrams(void)
{
    char path_buf[64], missing_buf[64];
    const char *path = path_for(path_buf, sizeof path_buf, "dgram");
    struct sockaddr_un a, from;
    socklen_t alen = make_path(&a, path);
    int srv = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(bind(srv, (struct sockaddr *)&a, alen));
    int cli = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_ERR(send(cli, "x", 1, 0), ENOTCONN);
    CHECK_EQ(sendto(cli, "unnamed", 7, 0, (struct sockaddr *)&a, alen), 7);
    char buf[16];
    socklen_t fl = sizeof from;
    CHECK_EQ(recvfrom(srv, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl), 7);
    CHECK_EQ(fl, 0); // an unbound sender has no name
    // A bound sender is named; the reply goes back to that name.
    CHECK_OK(bind(cli, (struct sockaddr *)&a, sizeof(sa_family_t)));
    CHECK_EQ(sendto(cli, "named", 5, 0, (struct sockaddr *)&a, alen), 5);
    fl = sizeof from;
    CHECK_EQ(recvfrom(srv, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl), 5);
    CHECK_EQ(fl, sizeof(sa_family_t) + 6);
    CHECK_EQ(sendto(srv, "reply", 5, 0, (struct sockaddr *)&from, fl), 5);
    CHECK_EQ(recv(cli, buf, sizeof buf, 0), 5);
    CHECK_MEM(buf, "reply", 5);

    // Connected: send() goes to the peer; a third socket may not send to a
    // socket connected to another.
    CHECK_OK(connect(cli, (struct sockaddr *)&a, alen));
    CHECK_EQ(send(cli, "conn", 4, 0), 4);
    CHECK_EQ(recv(srv, buf, sizeof buf, 0), 4);
    CHECK_OK(connect(srv, (struct sockaddr *)&from, fl));
    int third = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_ERR(sendto(third, "x", 1, 0, (struct sockaddr *)&a, alen), EPERM);
    struct sockaddr_un missing;
    socklen_t ml = make_path(&missing, path_for(missing_buf, sizeof missing_buf, "missing"));
    CHECK_ERR(sendto(third, "x", 1, 0, (struct sockaddr *)&missing, ml), ENOENT);
    int st = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(sendto(st, "x", 1, 0, (struct sockaddr *)&a, alen), EOPNOTSUPP);
    // The peer closed: ECONNREFUSED, and the socket is no longer connected.
    close(srv);
    CHECK_ERR(send(cli, "x", 1, 0), ECONNREFUSED);
    CHECK_ERR(send(cli, "x", 1, 0), ENOTCONN);
    CHECK_OK(unlink(path));
    close(cli);
    close(third);
    close(st);
}

// Sends `nfds` descriptors (and `data`) over `sock`, with SCM_CREDENTIALS when asked.
static ssize_t send_fds(int sock, const int *fds, int nfds, const char *data, int with_creds)
{
    union {
        char buf[CMSG_SPACE(sizeof(int) * 8) + CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct iovec iov = { (void *)data, strlen(data) };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = 0 };
    struct cmsghdr *c = (struct cmsghdr *)u.buf;
    if (nfds) {
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
        m.msg_controllen += CMSG_SPACE(sizeof(int) * (size_t)nfds);
        c = (struct cmsghdr *)(u.buf + m.msg_controllen);
    }
    if (with_creds) {
        struct ucred cr = { getpid(), getuid(), getgid() };
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_CREDENTIALS;
        c->cmsg_len = CMSG_LEN(sizeof cr);
        memcpy(CMSG_DATA(c), &cr, sizeof cr);
        m.msg_controllen += CMSG_SPACE(sizeof cr);
    }
    return sendmsg(sock, &m, 0);
}

static void pass_rights(void)
{
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    // A pipe with data in it, and a file whose offset is shared.
    int pfd[2];
    CHECK_OK(pipe(pfd));
    CHECK_EQ(write(pfd[1], "through the pipe", 16), 16);
    char fpath_buf[64];
    const char *fpath = path_for(fpath_buf, sizeof fpath_buf, "file");
    int file = CHECK_OK(open(fpath, O_CREAT | O_RDWR | O_TRUNC, 0600));
    CHECK_EQ(write(file, "0123456789", 10), 10);
    CHECK_OK(lseek(file, 4, SEEK_SET));
    int fds[2] = { pfd[0], file };
    CHECK_EQ(send_fds(sv[0], fds, 2, "fds", 0), 3);

    char data[8];
    union {
        char buf[CMSG_SPACE(sizeof(int) * 4)];
        struct cmsghdr align;
    } u;
    struct iovec iov = { data, sizeof data };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
    CHECK_EQ(recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC), 3);
    CHECK_EQ(m.msg_flags, MSG_CMSG_CLOEXEC); // Linux hands the flag back
    CHECK_EQ(m.msg_controllen, CMSG_SPACE(sizeof(int) * 2));
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    CHECK(c != NULL);
    int got[2] = { -1, -1 };
    if (c) {
        CHECK_EQ(c->cmsg_level, SOL_SOCKET);
        CHECK_EQ(c->cmsg_type, SCM_RIGHTS);
        CHECK_EQ(c->cmsg_len, CMSG_LEN(sizeof(int) * 2));
        memcpy(got, CMSG_DATA(c), sizeof got);
        CHECK(CMSG_NXTHDR(&m, c) == NULL);
    }
    CHECK(got[0] >= 0 && got[0] != pfd[0] && got[1] >= 0 && got[1] != file);
    CHECK_EQ(fcntl(got[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    char buf[32] = { 0 };
    CHECK_EQ(read(got[0], buf, sizeof buf), 16);
    CHECK_MEM(buf, "through the pipe", 16);
    CHECK_EQ(read(got[1], buf, 3), 3); // the same open file: its offset
    CHECK_MEM(buf, "456", 3);
    CHECK_EQ(lseek(file, 0, SEEK_CUR), 7);
    close(got[0]);
    close(got[1]);

    // Without MSG_CMSG_CLOEXEC: no close-on-exec. With SO_PASSCRED: the
    // credentials come first. A control buffer with room for one descriptor
    // (and the padding of one) of three: MSG_CTRUNC, and the third is closed.
    int on = 1;
    CHECK_OK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    int p2[2];
    CHECK_OK(pipe(p2));
    int three[3] = { file, file, p2[1] };
    CHECK_EQ(send_fds(sv[0], three, 3, "three", 1), 5);
    CHECK_OK(close(p2[1])); // now only the messages hold the write end
    union {
        char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } small;
    iov.iov_len = sizeof data;
    m.msg_control = small.buf;
    m.msg_controllen = sizeof small.buf;
    CHECK_EQ(recvmsg(sv[1], &m, 0), 5);
    CHECK_EQ(m.msg_flags, MSG_CTRUNC);
    CHECK_EQ(m.msg_controllen, sizeof small.buf);
    c = CMSG_FIRSTHDR(&m);
    CHECK(c != NULL);
    if (c) {
        CHECK_EQ(c->cmsg_type, SCM_CREDENTIALS);
        CHECK_EQ(c->cmsg_len, CMSG_LEN(sizeof(struct ucred)));
        struct ucred cr;
        memcpy(&cr, CMSG_DATA(c), sizeof cr);
        CHECK_EQ(cr.pid, getpid());
        CHECK_EQ(cr.uid, getuid());
        CHECK_EQ(cr.gid, getgid());
        c = CMSG_NXTHDR(&m, c);
        CHECK(c != NULL);
    }
    if (c) {
        CHECK_EQ(c->cmsg_type, SCM_RIGHTS);
        CHECK_EQ(c->cmsg_len, CMSG_LEN(sizeof(int) * 2));
        int two[2];
        memcpy(two, CMSG_DATA(c), sizeof two);
        for (int i = 0; i < 2; i++) {
            CHECK_EQ(fcntl(two[i], F_GETFD) & FD_CLOEXEC, 0);
            CHECK_EQ(lseek(two[i], 0, SEEK_CUR), 7);
            close(two[i]);
        }
    }
    CHECK_EQ(read(p2[0], buf, sizeof buf), 0); // the write ends were closed: end of file
    close(p2[0]);

    // Plain credentials, sent explicitly, reach a receiver with SO_PASSCRED.
    CHECK_EQ(send_fds(sv[0], NULL, 0, "cred", 1), 4);
    m.msg_controllen = sizeof small.buf;
    CHECK_EQ(recvmsg(sv[1], &m, 0), 4);
    CHECK_EQ(m.msg_controllen, CMSG_SPACE(sizeof(struct ucred)));
    c = CMSG_FIRSTHDR(&m);
    CHECK(c != NULL && c->cmsg_type == SCM_CREDENTIALS);

    // A descriptor in a datagram never read: closed with the socket.
    int dv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, dv));
    int p3[2];
    CHECK_OK(pipe(p3));
    CHECK_EQ(send_fds(dv[0], &p3[1], 1, "lost", 0), 4);
    close(p3[1]);
    struct pollfd pp = { .fd = p3[0], .events = POLLIN };
    CHECK_EQ(poll(&pp, 1, 0), 0); // the message still holds the write end
    close(dv[0]);
    close(dv[1]);
    CHECK_EQ(read(p3[0], buf, sizeof buf), 0);
    close(p3[0]);

    // Bad control data.
    int badfd = 999;
    CHECK_ERR(send_fds(sv[0], &badfd, 1, "x", 0), EBADF);
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } b;
    memset(&b, 0, sizeof b);
    struct cmsghdr *bc = (struct cmsghdr *)b.buf;
    bc->cmsg_level = SOL_SOCKET;
    bc->cmsg_type = SCM_RIGHTS;
    bc->cmsg_len = sizeof b.buf + 8; // past the buffer
    iov.iov_base = "x";
    iov.iov_len = 1;
    struct msghdr bm = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = b.buf, .msg_controllen = sizeof b.buf };
    CHECK_ERR(sendmsg(sv[0], &bm, 0), EINVAL);
    bc->cmsg_len = CMSG_LEN(sizeof(int));
    bc->cmsg_type = 77;
    CHECK_ERR(sendmsg(sv[0], &bm, 0), EINVAL);
    bm.msg_control = NULL;
    bm.msg_controllen = 0;
    bm.msg_iovlen = 1025; // past UIO_MAXIOV
    CHECK_ERR(sendmsg(sv[0], &bm, 0), EMSGSIZE);
    CHECK_ERR(recvmsg(sv[1], &bm, 0), EMSGSIZE);
    CHECK_ERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN); // nothing went
    close(sv[0]);
    close(sv[1]);
    close(file);
    unlink(fpath);
}

// Descriptors and stream reads: a read stops after the bytes that carried
// descriptors; MSG_PEEK hands over copies and leaves them queued.
static void rights_and_streams(void)
{
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    int pfd[2];
    CHECK_OK(pipe(pfd));
    CHECK_EQ(send(sv[0], "one", 3, 0), 3);
    CHECK_EQ(send_fds(sv[0], &pfd[0], 1, "two", 0), 3);
    CHECK_EQ(send(sv[0], "three", 5, 0), 5);
    char data[32];
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct iovec iov = { data, sizeof data };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
    CHECK_EQ(recvmsg(sv[1], &m, MSG_PEEK), 6);
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    int peeked = -1, got = -1;
    CHECK(c != NULL && c->cmsg_type == SCM_RIGHTS);
    if (c)
        memcpy(&peeked, CMSG_DATA(c), sizeof peeked);
    m.msg_controllen = sizeof u.buf;
    CHECK_EQ(recvmsg(sv[1], &m, 0), 6);
    CHECK_MEM(data, "onetwo", 6);
    c = CMSG_FIRSTHDR(&m);
    CHECK(c != NULL && c->cmsg_type == SCM_RIGHTS);
    if (c)
        memcpy(&got, CMSG_DATA(c), sizeof got);
    CHECK(peeked >= 0 && got >= 0 && peeked != got);
    m.msg_controllen = sizeof u.buf;
    CHECK_EQ(recvmsg(sv[1], &m, 0), 5);
    CHECK_EQ(m.msg_controllen, 0);
    // Both copies are the pipe's read end.
    CHECK_EQ(write(pfd[1], "xy", 2), 2);
    CHECK_EQ(read(peeked, data, 1), 1);
    CHECK_EQ(read(got, data + 1, 1), 1);
    CHECK_MEM(data, "xy", 2);
    close(peeked);
    close(got);
    close(pfd[0]);
    close(pfd[1]);

    // SO_RCVTIMEO bounds a blocking read: EAGAIN.
    struct timeval tv = { 0, 1000 };
    CHECK_OK(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    CHECK_ERR(recv(sv[1], data, 1, 0), EAGAIN);
    close(sv[0]);
    close(sv[1]);

    // SO_PASSCRED on an unbound socket: connect gives it an abstract name.
    int srv = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    struct sockaddr_un a, got_name;
    socklen_t al = sizeof(sa_family_t), gl = sizeof got_name;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    CHECK_OK(bind(srv, (struct sockaddr *)&a, al));
    al = sizeof a;
    CHECK_OK(getsockname(srv, (struct sockaddr *)&a, &al));
    int cli = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    int on = 1;
    CHECK_OK(setsockopt(cli, SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    CHECK_OK(connect(cli, (struct sockaddr *)&a, al));
    CHECK_OK(getsockname(cli, (struct sockaddr *)&got_name, &gl));
    CHECK_EQ(gl, sizeof(sa_family_t) + 6);
    close(srv);
    close(cli);
}

static void batches(void)
{
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    char *words[3] = { "a", "bb", "ccc" };
    struct iovec iov[3];
    struct mmsghdr out[3];
    memset(out, 0, sizeof out);
    for (int i = 0; i < 3; i++) {
        iov[i].iov_base = words[i];
        iov[i].iov_len = strlen(words[i]);
        out[i].msg_hdr.msg_iov = &iov[i];
        out[i].msg_hdr.msg_iovlen = 1;
    }
    CHECK_EQ(sendmmsg(sv[0], out, 3, 0), 3);
    CHECK_EQ(out[0].msg_len, 1);
    CHECK_EQ(out[2].msg_len, 3);
    CHECK_EQ(sendmmsg(sv[0], out, 0, 0), 0);

    char bufs[5][8];
    struct iovec riov[5];
    struct mmsghdr in[5];
    memset(in, 0, sizeof in);
    for (int i = 0; i < 5; i++) {
        riov[i].iov_base = bufs[i];
        riov[i].iov_len = sizeof bufs[i];
        in[i].msg_hdr.msg_iov = &riov[i];
        in[i].msg_hdr.msg_iovlen = 1;
    }
    // MSG_WAITFORONE: after the first, no waiting; three are there.
    CHECK_EQ(recvmmsg(sv[1], in, 5, MSG_WAITFORONE, NULL), 3);
    CHECK_EQ(in[0].msg_len, 1);
    CHECK_EQ(in[1].msg_len, 2);
    CHECK_EQ(in[2].msg_len, 3);
    CHECK_MEM(bufs[2], "ccc", 3);
    CHECK_ERR(recvmmsg(sv[1], in, 5, MSG_DONTWAIT, NULL), EAGAIN);
    // A timeout: checked after each message; what is left is written back.
    CHECK_EQ(sendmmsg(sv[0], out, 2, 0), 2);
    struct timespec ts = { 5, 0 };
    CHECK_EQ(recvmmsg(sv[1], in, 2, 0, &ts), 2);
    CHECK(ts.tv_sec <= 5 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
    struct timespec bad = { 0, 1000000000 };
    CHECK_ERR(recvmmsg(sv[1], in, 2, 0, &bad), EINVAL);
    CHECK_ERR(sendmmsg(-1, out, 1, 0), EBADF);
    int file = CHECK_OK(open("/proc/self/exe", O_RDONLY));
    CHECK_ERR(recvmmsg(file, in, 1, 0, NULL), ENOTSOCK);
    close(file);
    close(sv[0]);
    close(sv[1]);

    // The same calls on UDP, whose recvmsg reports no control data.
    int u = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    struct sockaddr_in la = { .sin_family = AF_INET };
    la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK_OK(bind(u, (struct sockaddr *)&la, sizeof la));
    socklen_t ll = sizeof la;
    CHECK_OK(getsockname(u, (struct sockaddr *)&la, &ll));
    CHECK_OK(connect(u, (struct sockaddr *)&la, sizeof la));
    CHECK_EQ(sendmmsg(u, out, 3, 0), 3);
    char ctl[64];
    for (int i = 0; i < 5; i++) {
        in[i].msg_hdr.msg_control = ctl;
        in[i].msg_hdr.msg_controllen = sizeof ctl;
    }
    CHECK_EQ(recvmmsg(u, in, 3, 0, NULL), 3);
    CHECK_EQ(in[1].msg_len, 2);
    CHECK_EQ(in[2].msg_hdr.msg_controllen, 0);
    close(u);
}

// States and shutdowns, each as Linux answers them.
static void edges(void)
{
    char buf[8];
    int s = CHECK_OK(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_ERR(recv(s, buf, 1, 0), EINVAL); // never connected
    CHECK_ERR(send(s, "x", 1, MSG_NOSIGNAL), ENOTCONN);
    CHECK_ERR(accept(s, NULL, NULL), EINVAL);
    struct pollfd p = { .fd = s, .events = POLLIN | POLLOUT };
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLOUT | POLLHUP);
    close(s);
    int q = CHECK_OK(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0));
    CHECK_ERR(recv(q, buf, 1, 0), ENOTCONN);
    CHECK_ERR(send(q, "x", 1, MSG_NOSIGNAL), ENOTCONN);
    close(q);

    // A datagram socket shut for writing: EPIPE, and no SIGPIPE (only
    // streams raise it); shut for reading: EAGAIN when non-blocking.
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv));
    sigpipes = 0;
    signal(SIGPIPE, on_sigpipe);
    CHECK_OK(shutdown(sv[0], SHUT_WR));
    CHECK_ERR(send(sv[0], "x", 1, 0), EPIPE);
    CHECK_ERR(write(sv[0], "x", 1), EPIPE);
    CHECK_ERR(recv(sv[1], buf, 1, 0), EAGAIN); // nothing went; the peer is not shut
    CHECK_OK(shutdown(sv[1], SHUT_RD));
    CHECK_ERR(recv(sv[1], buf, 1, 0), EAGAIN);
    close(sv[0]);
    close(sv[1]);
    // A seqpacket whose peer closed: EPIPE without SIGPIPE, end of file.
    CHECK_OK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv));
    close(sv[1]);
    CHECK_ERR(send(sv[0], "x", 1, 0), EPIPE);
    CHECK_EQ(recv(sv[0], buf, 1, 0), 0);
    CHECK_EQ(sigpipes, 0);
    signal(SIGPIPE, SIG_DFL);
    close(sv[0]);

    // A read of 0 bytes still waits for data; a connected socket cannot listen.
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
    CHECK_ERR(recv(sv[0], buf, 0, 0), EAGAIN);
    CHECK_EQ(send(sv[1], "z", 1, 0), 1);
    CHECK_EQ(recv(sv[0], buf, 0, 0), 0);
    CHECK_EQ(recv(sv[0], buf, 1, 0), 1);
    CHECK_ERR(listen(sv[0], 1), EINVAL);
    close(sv[0]);
    close(sv[1]);
}

static void errors(void)
{
    int sv[2];
    CHECK_ERR(socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
    CHECK_ERR(socketpair(4242, SOCK_STREAM, 0, sv), EAFNOSUPPORT);
    CHECK_ERR(socketpair(AF_UNIX, 9, 0, sv), ESOCKTNOSUPPORT);
    CHECK_ERR(socketpair(AF_UNIX, SOCK_STREAM, 2, sv), EPROTONOSUPPORT);
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, PF_UNIX, sv)); // its own protocol number is fine
    close(sv[0]);
    close(sv[1]);
    CHECK_ERR(socketpair(AF_UNIX, SOCK_STREAM | 0x10, 0, sv), EINVAL);
    int *volatile unmapped = (int *)8;
    CHECK_ERR(socketpair(AF_UNIX, SOCK_STREAM, 0, unmapped), EFAULT);
    CHECK_ERR(socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
    int d = CHECK_OK(socket(AF_UNIX, SOCK_RAW, 0)); // taken as SOCK_DGRAM
    int v = 0;
    socklen_t vl = sizeof v;
    CHECK_OK(getsockopt(d, SOL_SOCKET, SO_TYPE, &v, &vl));
    CHECK_EQ(v, SOCK_DGRAM);
    CHECK_ERR(listen(d, 1), EOPNOTSUPP);
    CHECK_ERR(send(d, "x", 1, MSG_OOB), EOPNOTSUPP);
    CHECK_ERR(accept(d, NULL, NULL), EOPNOTSUPP);
    close(d);
}

int main(void)
{
    pair_stream();
    stream_threads();
    readiness();
    pair_datagrams();
    named_stream();
    abstract_names();
    named_datagrams();
    pass_rights();
    rights_and_streams();
    batches();
    edges();
    errors();
    return check_report("unix");
}
