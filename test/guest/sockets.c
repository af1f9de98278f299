// Sockets over loopback (TCP and UDP, IPv4 and IPv6), their errnos, blocking
// and non-blocking modes, and readiness through poll and epoll. With
// `serve PORT [COUNT]` it then echoes COUNT (1) TCP connections from outside
// on PORT, one after another (the test driver publishes it with -p), each
// until the peer shuts down its side.
// Runs natively too.
#include "check.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

static struct sockaddr_in loop4(int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static int port_of(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    CHECK_OK(getsockname(fd, (struct sockaddr *)&ss, &len));
    return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
}

// A listener on 127.0.0.1, any port.
static int listener4(void)
{
    int l = CHECK_OK(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    int one = 1;
    CHECK_OK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    struct sockaddr_in a = loop4(0);
    CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(listen(l, 8));
    return l;
}

static void tcp_loopback(void)
{
    int l = listener4();
    int port = port_of(l);
    CHECK(port > 0);
    int v = 0;
    socklen_t vl = sizeof v;
    CHECK_OK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
    CHECK_EQ(v, 1);
    CHECK_OK(getsockopt(l, SOL_SOCKET, SO_TYPE, &v, &vl));
    CHECK_EQ(v, SOCK_STREAM);
    // TCP_FASTOPEN on a listener: the queue length is taken and reported;
    // a negative one is EINVAL.
    CHECK_OK(setsockopt(l, IPPROTO_TCP, TCP_FASTOPEN, &(int){ 16 }, sizeof(int)));
    CHECK_OK(getsockopt(l, IPPROTO_TCP, TCP_FASTOPEN, &v, &vl));
    CHECK_EQ(v, 16);
    CHECK_ERR(setsockopt(l, IPPROTO_TCP, TCP_FASTOPEN, &(int){ -1 }, sizeof(int)), EINVAL);
    struct stat st;
    CHECK_OK(fstat(l, &st));
    CHECK(S_ISSOCK(st.st_mode));

    // Nothing to accept yet.
    CHECK_OK(fcntl(l, F_SETFL, O_NONBLOCK));
    CHECK_ERR(accept(l, NULL, NULL), EAGAIN);

    // A second bind of the same address and port.
    int dup = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    struct sockaddr_in a = loop4(port);
    CHECK_ERR(bind(dup, (struct sockaddr *)&a, sizeof a), EADDRINUSE);
    CHECK_ERR(bind(dup, (struct sockaddr *)&a, 8), EINVAL);
    CHECK_ERR(getpeername(dup, (struct sockaddr *)&a, &(socklen_t){ sizeof a }), ENOTCONN);
    CHECK_ERR(recv(dup, &v, sizeof v, 0), ENOTCONN);
    close(dup);

    // A non-blocking connect: EINPROGRESS, then writable with SO_ERROR 0.
    int c = CHECK_OK(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), EINPROGRESS);
    struct pollfd pc = { .fd = c, .events = POLLOUT };
    CHECK_EQ(poll(&pc, 1, 5000), 1);
    CHECK(pc.revents & POLLOUT);
    int err = -1;
    socklen_t el = sizeof err;
    CHECK_OK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el));
    CHECK_EQ(err, 0);

    // The listener is readable now, and accept4 gives the peer's address.
    struct pollfd pl = { .fd = l, .events = POLLIN };
    CHECK_EQ(poll(&pl, 1, 5000), 1);
    struct sockaddr_in peer;
    socklen_t pl_len = sizeof peer;
    int s = CHECK_OK(accept4(l, (struct sockaddr *)&peer, &pl_len, SOCK_CLOEXEC));
    CHECK_EQ(pl_len, sizeof peer);
    CHECK_EQ(peer.sin_family, AF_INET);
    CHECK_EQ(ntohl(peer.sin_addr.s_addr), INADDR_LOOPBACK);
    CHECK_EQ(ntohs(peer.sin_port), port_of(c));
    CHECK_EQ(fcntl(s, F_GETFD), FD_CLOEXEC);
    int one = 1;
    CHECK_OK(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
    CHECK_OK(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &vl));
    CHECK(v != 0);
    // ... but not on a connected socket.
    CHECK_ERR(setsockopt(s, IPPROTO_TCP, TCP_FASTOPEN, &one, sizeof one), EINVAL);

    // Nothing to read yet on the non-blocking client.
    char buf[256];
    CHECK_ERR(read(c, buf, sizeof buf), EAGAIN);

    // Data both ways, with FIONREAD, MSG_PEEK and epoll.
    CHECK_EQ(write(s, "hello, client", 13), 13);
    int ep = CHECK_OK(epoll_create1(EPOLL_CLOEXEC));
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = c };
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev));
    struct epoll_event got;
    CHECK_EQ(epoll_wait(ep, &got, 1, 5000), 1);
    CHECK_EQ(got.data.fd, c);
    int avail = 0;
    CHECK_OK(ioctl(c, FIONREAD, &avail));
    CHECK_EQ(avail, 13);
    CHECK_EQ(recv(c, buf, 5, MSG_PEEK), 5);
    CHECK_EQ(recv(c, buf, sizeof buf, 0), 13);
    CHECK_MEM(buf, "hello, client", 13);
    CHECK_EQ(send(c, "hi server", 9, MSG_NOSIGNAL), 9);
    CHECK_EQ(recv(s, buf, 9, MSG_WAITALL), 9);
    CHECK_MEM(buf, "hi server", 9);

    // A big transfer in pieces, blocking on the server side: all bytes in order.
    static unsigned char big[300000], back[300000];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (unsigned char)(i * 7 + (i >> 9));
    size_t sent = 0, received = 0;
    CHECK_OK(fcntl(c, F_SETFL, 0));
    while (received < sizeof big) {
        if (sent < sizeof big) {
            CHECK_OK(fcntl(c, F_SETFL, O_NONBLOCK));
            ssize_t w = send(c, big + sent, sizeof big - sent, 0);
            if (w > 0) sent += (size_t)w;
            else if (errno != EAGAIN) { CHECK(0); break; }
        }
        ssize_t r = recv(s, back + received, sizeof back - received, MSG_DONTWAIT);
        if (r > 0) received += (size_t)r;
        else if (r < 0 && errno != EAGAIN) { CHECK(0); break; }
        else if (r == 0) { CHECK(0); break; }
        if (r < 0 && sent == sizeof big) {
            struct pollfd ps = { .fd = s, .events = POLLIN };
            poll(&ps, 1, 5000);
        }
    }
    CHECK_EQ(received, sizeof big);
    CHECK(memcmp(big, back, sizeof big) == 0);

    // shutdown: the peer reads end of file; then close.
    CHECK_OK(shutdown(c, SHUT_WR));
    CHECK_EQ(read(s, buf, sizeof buf), 0);
    CHECK_EQ(write(s, "bye", 3), 3);
    CHECK_OK(fcntl(c, F_SETFL, 0));
    CHECK_EQ(recv(c, buf, 3, MSG_WAITALL), 3);
    close(s);
    CHECK_EQ(read(c, buf, sizeof buf), 0);
    close(c);
    close(ep);

    // Nobody listens on the port any more: refused.
    close(l);
    c = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), ECONNREFUSED);
    close(c);
}

static void tcp_loopback6(void)
{
    int l = CHECK_OK(socket(AF_INET6, SOCK_STREAM, 0));
    struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(listen(l, 1));
    a.sin6_port = htons(port_of(l));
    int c = CHECK_OK(socket(AF_INET6, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    struct sockaddr_in6 peer;
    socklen_t len = sizeof peer;
    int s = CHECK_OK(accept(l, (struct sockaddr *)&peer, &len));
    CHECK_EQ(len, sizeof peer);
    CHECK_EQ(peer.sin6_family, AF_INET6);
    CHECK(IN6_IS_ADDR_LOOPBACK(&peer.sin6_addr));
    CHECK_EQ(write(c, "six", 3), 3);
    char buf[8];
    CHECK_EQ(read(s, buf, sizeof buf), 3);
    CHECK_MEM(buf, "six", 3);
    close(s);
    close(c);
    close(l);

    // A dual-stack listener on :: takes an IPv4 connection; its peer is ::ffff:127.0.0.1.
    l = CHECK_OK(socket(AF_INET6, SOCK_STREAM, 0));
    int off = 0;
    CHECK_OK(setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off));
    struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
    CHECK_OK(bind(l, (struct sockaddr *)&any, sizeof any));
    CHECK_OK(listen(l, 1));
    struct sockaddr_in a4 = loop4(port_of(l));
    c = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a4, sizeof a4));
    len = sizeof peer;
    s = CHECK_OK(accept(l, (struct sockaddr *)&peer, &len));
    CHECK_EQ(peer.sin6_family, AF_INET6);
    CHECK(IN6_IS_ADDR_V4MAPPED(&peer.sin6_addr));
    CHECK_EQ(peer.sin6_addr.s6_addr[15], 1);
    CHECK_EQ(write(c, "four", 4), 4);
    CHECK_EQ(read(s, buf, sizeof buf), 4);
    close(s);
    close(c);
    close(l);
}

static void udp_loopback(void)
{
    int a = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    int b = CHECK_OK(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    struct sockaddr_in addr = loop4(0);
    CHECK_OK(bind(a, (struct sockaddr *)&addr, sizeof addr));
    CHECK_OK(bind(b, (struct sockaddr *)&addr, sizeof addr));
    struct sockaddr_in to = loop4(port_of(b));
    char buf[64];
    CHECK_ERR(recv(b, buf, sizeof buf, 0), EAGAIN);
    CHECK_ERR(send(a, "x", 1, 0), EDESTADDRREQ);
    CHECK_EQ(sendto(a, "datagram one", 12, 0, (struct sockaddr *)&to, sizeof to), 12);
    CHECK_EQ(sendto(a, "two", 3, 0, (struct sockaddr *)&to, sizeof to), 3);
    struct pollfd p = { .fd = b, .events = POLLIN };
    CHECK_EQ(poll(&p, 1, 5000), 1);
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    // A short buffer cuts the datagram; the rest of it is gone.
    struct iovec iov = { buf, 8 };
    struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1 };
    CHECK_EQ(recvmsg(b, &m, 0), 8);
    CHECK(m.msg_flags & MSG_TRUNC);
    CHECK_MEM(buf, "datagram", 8);
    CHECK_EQ(ntohs(from.sin_port), port_of(a));
    CHECK_EQ(recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl), 3);
    CHECK_MEM(buf, "two", 3);
    // connect() gives send() its peer.
    CHECK_OK(connect(a, (struct sockaddr *)&to, sizeof to));
    CHECK_EQ(send(a, "three", 5, 0), 5);
    CHECK_EQ(poll(&p, 1, 5000), 1);
    CHECK_EQ(recv(b, buf, sizeof buf, 0), 5);
    close(a);
    close(b);
}

static void errors(void)
{
    CHECK_ERR(socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
    CHECK_ERR(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
    CHECK_ERR(socket(AF_INET, SOCK_STREAM | 0x100000, 0), EINVAL);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(listen(p[0], 1), ENOTSOCK);
    CHECK_ERR(accept(p[0], NULL, NULL), ENOTSOCK);
    close(p[0]);
    close(p[1]);
    CHECK_ERR(listen(9999, 1), EBADF);
    int s = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_ERR(accept(s, NULL, NULL), EINVAL);               // not listening
    CHECK_ERR(setsockopt(s, SOL_SOCKET, 9999, &(int){ 1 }, sizeof(int)), ENOPROTOOPT);
    CHECK_ERR(bind(s, (struct sockaddr *)1, 16), EFAULT);
    struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
    CHECK_ERR(bind(s, (struct sockaddr *)&a6, sizeof a6), EAFNOSUPPORT);
    CHECK_ERR(send(s, "x", 1, MSG_NOSIGNAL), EPIPE);        // never connected
    close(s);
    int u = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_ERR(listen(u, 1), EOPNOTSUPP);
    close(u);
}

// The echo server for the host: `count` connections one after another, each
// until the peer's FIN.
static void serve(int port, int count)
{
    int l = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    int one = 1;
    CHECK_OK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(listen(l, 4));
    printf("listening on %d\n", port);
    fflush(stdout);
    for (int i = 0; i < count; i++) {
        struct sockaddr_in peer;
        socklen_t len = sizeof peer;
        int s = CHECK_OK(accept(l, (struct sockaddr *)&peer, &len));
        CHECK_EQ(peer.sin_family, AF_INET);
        static char buf[65536];
        size_t total = 0;
        for (;;) {
            ssize_t r = read(s, buf, sizeof buf);
            if (r <= 0) {
                CHECK_EQ(r, 0);
                break;
            }
            total += (size_t)r;
            for (ssize_t off = 0; off < r;) {
                ssize_t w = write(s, buf + off, (size_t)(r - off));
                if (w <= 0) {
                    CHECK(w > 0);
                    break;
                }
                off += w;
            }
        }
        printf("echoed %zu bytes\n", total);
        close(s);
    }
    close(l);
}

int main(int argc, char **argv)
{
    tcp_loopback();
    tcp_loopback6();
    udp_loopback();
    errors();
    if ((argc == 3 || argc == 4) && !strcmp(argv[1], "serve"))
        serve(atoi(argv[2]), argc == 4 ? atoi(argv[3]) : 1);
    return check_report("sockets");
}
