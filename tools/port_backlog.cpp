#include "tools/port_backlog.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <netinet/in.h>
#include <set>
#include <string>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

namespace elfin {

int tcp_port_count(const std::vector<PortForward>& ports)
{
    int n = 0;
    for (auto& p : ports) n += !p.udp;
    return n;
}

int raise_listen_backlogs(pid_t qemu, const std::vector<PortForward>& ports)
{
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, qemu, 0));
    if (pidfd < 0) return -1;
    std::string dir = "/proc/" + std::to_string(qemu) + "/fd";
    DIR* d = opendir(dir.c_str());
    if (!d) {
        close(pidfd);
        return 0; // QEMU is going away: nothing to raise
    }
    std::set<uint16_t> found;
    bool refused = false;
    while (dirent* e = readdir(d)) {
        char target[64];
        std::string link = dir + "/" + e->d_name;
        ssize_t k = readlink(link.c_str(), target, sizeof target - 1);
        if (k <= 0) continue;
        target[k] = 0;
        if (strncmp(target, "socket:", 7) != 0) continue;
        int fd = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, atoi(e->d_name), 0));
        if (fd < 0) {
            if (errno == EPERM || errno == ENOSYS) refused = true;
            continue;
        }
        int listening = 0, type = 0;
        socklen_t len = sizeof listening;
        sockaddr_in a {};
        socklen_t alen = sizeof a;
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening
            && (len = sizeof type, getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0) && type == SOCK_STREAM
            && getsockname(fd, reinterpret_cast<sockaddr*>(&a), &alen) == 0 && a.sin_family == AF_INET) {
            for (auto& p : ports) {
                in_addr want {};
                if (p.udp || ntohs(a.sin_port) != p.host_port || inet_pton(AF_INET, p.host_ip.c_str(), &want) != 1
                    || want.s_addr != a.sin_addr.s_addr)
                    continue;
                // The same socket, shared: its backlog is QEMU's too.
                if (listen(fd, SOMAXCONN) == 0) found.insert(p.host_port);
            }
        }
        close(fd);
    }
    closedir(d);
    close(pidfd);
    if (found.empty() && refused) return -1;
    return static_cast<int>(found.size());
}

StartingQemuBacklogs::StartingQemuBacklogs(pid_t qemu, std::vector<PortForward> ports)
    : m_qemu(qemu)
    , m_ports(std::move(ports))
    , m_give_up(std::chrono::steady_clock::now() + GIVE_UP)
    , m_pending(tcp_port_count(m_ports) > 0)
{
}

void StartingQemuBacklogs::look()
{
    if (!m_pending) return;
    int found = raise_listen_backlogs(m_qemu, m_ports);
    m_found = std::max(found, 0);
    m_pending = found >= 0 && !all_raised() && std::chrono::steady_clock::now() < m_give_up;
}

} // namespace elfin
