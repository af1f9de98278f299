// raise_listen_backlogs: a child process listens with a backlog of 1 and never
// accepts, as QEMU's user network does on a published port; once the tool has
// raised that socket's backlog, many connections complete where only two
// could before.
#include "tools/port_backlog.h"

#include <catch2/catch.hpp>
#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace elfin;

namespace {

// A child that listens on 127.0.0.1 with a backlog of 1 and sleeps.
struct Listener {
    pid_t pid = -1;
    uint16_t port = 0;
    Listener()
    {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(listen(s, 1) == 0);
        socklen_t len = sizeof a;
        getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
        pid = fork();
        if (pid == 0) {
            for (;;) pause();
        }
        close(s); // only the child holds it now
    }
    ~Listener()
    {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    }
};

// How many of `n` connections to the port complete (each may wait 2 s).
int connections(uint16_t port, int n)
{
    std::vector<int> fds;
    int done = 0;
    for (int i = 0; i < n; i++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        timeval tv { 2, 0 };
        setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) done++;
        fds.push_back(s);
    }
    for (int s : fds) close(s);
    return done;
}

} // namespace

TEST_CASE("raise_listen_backlogs raises the backlog of another process's listener")
{
    Listener l;
    std::vector<PortForward> ports = { { "127.0.0.1", l.port, 80, false }, { "127.0.0.1", 1, 53, true } };
    REQUIRE(tcp_port_count(ports) == 1);
    int found = raise_listen_backlogs(l.pid, ports);
    if (found < 0) WARN("pidfd_getfd is not available or not permitted here");
    if (found < 0) return;
    CHECK(found == 1);
    // With a backlog of 1 and nobody accepting, a third connection could not complete.
    CHECK(connections(l.port, 8) == 8);
}

TEST_CASE("raise_listen_backlogs leaves other ports alone")
{
    Listener l;
    std::vector<PortForward> ports = { { "127.0.0.1", static_cast<uint16_t>(l.port == 65535 ? 1 : l.port + 1), 80, false } };
    int found = raise_listen_backlogs(l.pid, ports);
    if (found < 0) return;
    CHECK(found == 0);
    CHECK(connections(l.port, 4) < 4);
}

TEST_CASE("StartingQemuBacklogs looks until every TCP port is raised")
{
    Listener l;
    StartingQemuBacklogs none(l.pid, { { "127.0.0.1", l.port, 80, true } });
    CHECK_FALSE(none.pending()); // UDP only: nothing to look for
    StartingQemuBacklogs b(l.pid, { { "127.0.0.1", l.port, 80, false } });
    REQUIRE(b.pending());
    b.look();
    if (!b.pending() && !b.all_raised()) return; // pidfd_getfd not permitted here (the first test warns)
    CHECK_FALSE(b.pending());
    CHECK(b.all_raised());
    CHECK(connections(l.port, 8) == 8);
    // A port nobody listens on yet: look again.
    StartingQemuBacklogs later(l.pid, { { "127.0.0.1", static_cast<uint16_t>(l.port == 65535 ? 1 : l.port + 1), 80, false } });
    later.look();
    CHECK(later.pending());
    CHECK_FALSE(later.all_raised());
}
