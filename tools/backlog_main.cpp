// elfin-backlog: starts QEMU and raises the listen backlog of its published
// TCP ports, as `elfin run -p` does for its own QEMU (port_backlog.h says
// why), for what starts QEMU without the elfin tool: the run script `elfin
// build` writes (which gets a copy of this program) and scripts/bench's Linux
// microVM.
//
//   elfin-backlog [HOSTIP:]PORT... -- QEMU [ARGS...]
//
// QEMU runs as its child: a parent may take a child's sockets under ptrace's
// rules (Yama's ptrace_scope 1 included), a sibling may not. It stays in the
// same process group and keeps every descriptor, so the terminal and the
// script's redirections reach it as before. SIGINT, SIGTERM, SIGHUP and
// SIGQUIT sent to elfin-backlog are passed on, and elfin-backlog ends as QEMU
// ended (the same exit status, or killed by the same signal): it can stand in
// front of QEMU in a script without changing what the script sees.
#include "tools/port_backlog.h"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace elfin;

namespace {

constexpr const char* USAGE = "usage: elfin-backlog [HOSTIP:]PORT... -- QEMU [ARGS...]\n";

// "[HOSTIP:]PORT", a published TCP port as QEMU's hostfwd names it.
bool parse_port(const std::string& word, PortForward& p)
{
    auto colon = word.rfind(':');
    std::string port = colon == std::string::npos ? word : word.substr(colon + 1);
    if (colon != std::string::npos) p.host_ip = word.substr(0, colon);
    in_addr a {};
    if (inet_pton(AF_INET, p.host_ip.c_str(), &a) != 1) return false;
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return false;
    int n = std::stoi(port);
    if (n < 1 || n > 65535) return false;
    p.host_port = static_cast<uint16_t>(n);
    return true;
}

// Ends this process as `wstatus` says QEMU ended.
[[noreturn]] void end_like(int wstatus)
{
    if (WIFSIGNALED(wstatus)) {
        int sig = WTERMSIG(wstatus);
        signal(sig, SIG_DFL);
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, sig);
        sigprocmask(SIG_UNBLOCK, &s, nullptr);
        raise(sig);
        _exit(128 + sig); // a signal whose default action is not to end
    }
    _exit(WEXITSTATUS(wstatus));
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<PortForward> ports;
    int i = 1;
    for (; i < argc && std::strcmp(argv[i], "--") != 0; i++) {
        PortForward p;
        if (!parse_port(argv[i], p)) {
            std::fprintf(stderr, "elfin-backlog: %s is not [HOSTIP:]PORT\n%s", argv[i], USAGE);
            return EXIT_USAGE;
        }
        ports.push_back(p);
    }
    if (i + 1 >= argc) {
        std::fputs(USAGE, stderr);
        return EXIT_USAGE;
    }
    char** qemu_argv = argv + i + 1;

    sigset_t handled, old_mask;
    sigemptyset(&handled);
    for (int sig : { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD }) sigaddset(&handled, sig);
    sigprocmask(SIG_BLOCK, &handled, &old_mask);
    pid_t parent = getpid();
    pid_t qemu = fork();
    if (qemu < 0) {
        std::fprintf(stderr, "elfin-backlog: cannot start %s: %s\n", qemu_argv[0], std::strerror(errno));
        return 1;
    }
    if (qemu == 0) {
        // QEMU must not outlive us, even if we are SIGKILLed.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        sigprocmask(SIG_SETMASK, &old_mask, nullptr);
        execvp(qemu_argv[0], qemu_argv);
        std::fprintf(stderr, "elfin-backlog: cannot start %s: %s\n", qemu_argv[0], std::strerror(errno));
        _exit(127);
    }

    StartingQemuBacklogs backlogs(qemu, ports);
    for (;;) {
        siginfo_t si;
        int sig;
        if (backlogs.pending()) {
            backlogs.look();
            if (!backlogs.pending() && !backlogs.all_raised())
                std::fprintf(stderr, "elfin-backlog: could not raise the listen backlog of QEMU's published ports: "
                                     "a burst of connections will wait\n");
        }
        if (backlogs.pending()) {
            auto ns = std::chrono::nanoseconds(StartingQemuBacklogs::RETRY).count();
            timespec wait { 0, static_cast<long>(ns) };
            sig = sigtimedwait(&handled, &si, &wait);
        } else {
            sig = sigwaitinfo(&handled, &si);
        }
        if (sig > 0 && sig != SIGCHLD) kill(qemu, sig);
        int wstatus;
        if (waitpid(qemu, &wstatus, WNOHANG) == qemu) end_like(wstatus);
    }
}
