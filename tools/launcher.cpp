#include "tools/launcher.h"

#include "tools/file_util.h"
#include "tools/port_backlog.h"
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace elfin {

namespace {

using Clock = std::chrono::steady_clock;

// Grace given to QEMU between SIGTERM and SIGKILL.
constexpr auto KILL_GRACE = std::chrono::seconds(2);

struct Fd {
    int fd = -1;
    Fd() = default;
    explicit Fd(int f) : fd(f) { }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    void reset()
    {
        if (fd >= 0) close(fd);
        fd = -1;
    }
};

// Restores the terminal if QEMU dies without undoing its raw mode.
class TerminalGuard {
public:
    TerminalGuard() { m_saved = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &m_tio) == 0; }
    ~TerminalGuard()
    {
        if (m_saved) tcsetattr(STDIN_FILENO, TCSANOW, &m_tio);
    }

private:
    termios m_tio {};
    bool m_saved = false;
};

// The signals elfin handles itself while QEMU runs; blocked and read from a signalfd.
sigset_t handled_signals()
{
    sigset_t s;
    sigemptyset(&s);
    for (int sig : { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGPIPE }) sigaddset(&s, sig);
    return s;
}

[[noreturn]] void exec_child(const std::vector<std::string>& argv, int status_w, int stderr_w, const sigset_t& old_mask, pid_t parent)
{
    // QEMU must not outlive elfin, even if elfin is SIGKILLed.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    // Lift the three sources above the targets first: a pipe end may sit on 3 or 4.
    int status_hi = fcntl(status_w, F_DUPFD, 10), stderr_hi = fcntl(stderr_w, F_DUPFD, 10);
    int program_err_hi = fcntl(STDERR_FILENO, F_DUPFD, 10);
    if (status_hi < 0 || stderr_hi < 0 || program_err_hi < 0) _exit(127);
    if (dup2(status_hi, STATUS_FD) < 0 || dup2(program_err_hi, PROGRAM_STDERR_FD) < 0
        || dup2(stderr_hi, STDERR_FILENO) < 0)
        _exit(127);
    close(status_hi), close(stderr_hi), close(program_err_hi);
    for (int sig : { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGPIPE }) signal(sig, SIG_DFL);
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    dprintf(STDERR_FILENO, "cannot start %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
}

} // namespace

std::string find_in_path(const std::string& name)
{
    if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
    const char* path = std::getenv("PATH");
    std::string p = path ? path : "/usr/local/bin:/usr/bin:/bin";
    size_t i = 0;
    while (i <= p.size()) {
        size_t j = p.find(':', i);
        if (j == std::string::npos) j = p.size();
        std::string cand = (j > i ? p.substr(i, j - i) : ".") + "/" + name;
        struct stat st;
        if (stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(cand.c_str(), X_OK) == 0) return cand;
        i = j + 1;
    }
    return "";
}

bool kvm_usable()
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;
    close(fd);
    return true;
}

namespace {

// Starts QEMU with KVM and Elfin's CPU model, stopped before the first
// instruction (-S), and quits it from the monitor. Creating the vCPU already
// loads its registers and MSRs into KVM, which is where a nested or
// restricted KVM fails (QEMU aborts: "failed to set MSR 0x10a").
KvmProbe run_kvm_probe(const std::string& qemu)
{
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0) return { false, "cannot create a pipe: " + error_text(errno) };
    if (pipe2(out, O_CLOEXEC) != 0) {
        close(in[0]), close(in[1]);
        return { false, "cannot create a pipe: " + error_text(errno) };
    }
    Fd in_r(in[0]), in_w(in[1]), out_r(out[0]), out_w(out[1]);
    std::vector<std::string> argv { qemu, "-M", "microvm", "-accel", "kvm", "-cpu", "host", "-S", "-nodefaults",
        "-no-user-config", "-display", "none", "-monitor", "stdio" };
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) return { false, "cannot fork: " + error_text(errno) };
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 || dup2(out[1], STDERR_FILENO) < 0) _exit(127);
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    in_r.reset(), out_w.reset();
    (void)!write(in_w.fd, "quit\n", 5);
    in_w.reset();
    // QEMU's output ends when it exits (nothing else holds the pipe).
    std::string text;
    bool ended = false;
    auto deadline = Clock::now() + std::chrono::seconds(10);
    while (!ended) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) break;
        pollfd pfd { out_r.fd, POLLIN, 0 };
        int ready = poll(&pfd, 1, int(left));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) break;
        char buf[512];
        ssize_t n = read(out_r.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) ended = true;
        else text.append(buf, size_t(n));
    }
    int ws = 0;
    if (!ended) kill(pid, SIGKILL);
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) { }
    if (!ended) return { false, "QEMU with KVM did not start and quit within 10 s" };
    if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0) return { true, "" };
    // QEMU's own words: the first line that says what went wrong.
    std::string why;
    size_t at = 0;
    while (at < text.size()) {
        size_t nl = text.find('\n', at);
        std::string line = text.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
        at = nl == std::string::npos ? text.size() : nl + 1;
        if (auto e = line.find("error: "); e != std::string::npos) {
            why = line.substr(e + 7);
            break;
        }
        if (why.empty() && line.find("qemu-system") != std::string::npos) why = line;
    }
    if (why.empty()) why = WIFSIGNALED(ws) ? "QEMU was killed by signal " + std::to_string(WTERMSIG(ws)) : "QEMU exited with status " + std::to_string(WEXITSTATUS(ws));
    return { false, why };
}

std::string boot_id()
{
    auto id = read_file("/proc/sys/kernel/random/boot_id", "the boot id");
    if (!id) return "";
    std::string s = *id;
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

} // namespace

KvmProbe kvm_probe(const std::string& qemu, const std::string& cache_dir)
{
    if (!kvm_usable()) return { false, "/dev/kvm cannot be opened read-write" };
    // The answer holds until the machine reboots or QEMU changes.
    struct stat st {};
    stat(qemu.c_str(), &st);
    std::string key = boot_id() + " " + qemu + " " + std::to_string(st.st_mtime) + " " + std::to_string(st.st_size);
    std::string cache = cache_dir.empty() ? "" : cache_dir + "/kvm-probe";
    if (!cache.empty() && !key.starts_with(" ")) {
        if (auto old = read_file(cache, "the KVM probe's cache")) {
            std::string_view v = *old;
            if (v.starts_with(key + "\n")) {
                v.remove_prefix(key.size() + 1);
                if (v.starts_with("ok\n")) return { true, "" };
                if (v.starts_with("no ")) {
                    std::string why(v.substr(3));
                    while (!why.empty() && why.back() == '\n') why.pop_back();
                    return { false, why };
                }
            }
        }
    }
    KvmProbe r = run_kvm_probe(qemu);
    if (!cache.empty() && !key.starts_with(" ")) {
        mkdir(cache_dir.c_str(), 0755);
        (void)write_file_atomic(cache, key + "\n" + (r.ok ? std::string("ok") : "no " + r.why) + "\n");
    }
    return r;
}

Expected<LaunchResult> launch_qemu(const std::vector<std::string>& argv, const LaunchOptions& lo)
{
    auto say = [&](const std::string& s) {
        if (lo.say) lo.say(s);
    };
    int sp[2], ep[2];
    if (pipe2(sp, O_CLOEXEC) != 0 || pipe2(ep, O_CLOEXEC) != 0)
        return Error { "cannot create a pipe: " + error_text(errno) };
    Fd status_r(sp[0]), status_w(sp[1]), err_r(ep[0]), err_w(ep[1]);
    // With stdin closed, QEMU's stdio console would take over whatever file it opens first.
    if (fcntl(STDIN_FILENO, F_GETFD) < 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0 && null != STDIN_FILENO) dup2(null, STDIN_FILENO), close(null);
    }

    sigset_t handled = handled_signals(), old_mask;
    sigprocmask(SIG_BLOCK, &handled, &old_mask);
    Fd sfd(signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK));
    if (sfd.fd < 0) {
        sigprocmask(SIG_SETMASK, &old_mask, nullptr);
        return Error { "cannot watch signals: " + error_text(errno) };
    }

    TerminalGuard terminal;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        sigprocmask(SIG_SETMASK, &old_mask, nullptr);
        return Error { "cannot start QEMU: " + error_text(errno) };
    }
    if (pid == 0) exec_child(argv, status_w.fd, err_w.fd, old_mask, parent);
    status_w.reset();
    err_w.reset();

    LaunchResult r;
    StatusParser parser;
    bool exited = false;
    int wstatus = 0;
    auto start = Clock::now();
    bool killing = false;
    Clock::time_point kill_at {}; // when killing: SIGKILL QEMU if still there by then
    auto stop_qemu = [&] {
        if (!exited && !killing) {
            kill(pid, SIGTERM);
            killing = true;
            kill_at = Clock::now() + KILL_GRACE;
        }
    };

    StartingQemuBacklogs backlogs(pid, lo.ports);

    // Until QEMU is gone and both pipes are drained.
    while (!exited || status_r.fd >= 0 || err_r.fd >= 0) {
        int timeout_ms = -1;
        auto now = Clock::now();
        auto bound = [&](Clock::time_point t) {
            auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - now).count() + 1;
            ms = std::max<long long>(ms, 0);
            if (timeout_ms < 0 || ms < timeout_ms) timeout_ms = static_cast<int>(ms);
        };
        if (lo.timeout_s && !r.end.timed_out) bound(start + std::chrono::seconds(lo.timeout_s));
        if (killing) bound(kill_at);
        if (exited) bound(now + std::chrono::milliseconds(500)); // a grandchild holding a pipe must not hang us
        if (backlogs.pending() && !exited) {
            backlogs.look();
            if (backlogs.pending()) bound(now + StartingQemuBacklogs::RETRY);
            else if (!backlogs.all_raised() && lo.verbose)
                say("elfin: could not raise the backlog of QEMU's listening sockets: a burst of connections will wait");
        }

        pollfd fds[3] = { { sfd.fd, POLLIN, 0 }, { status_r.fd, POLLIN, 0 }, { err_r.fd, POLLIN, 0 } };
        int n = poll(fds, 3, timeout_ms);
        if (n < 0 && errno != EINTR) break;
        now = Clock::now();
        if (n == 0 && exited) break;
        if (lo.timeout_s && !r.end.timed_out && now >= start + std::chrono::seconds(lo.timeout_s) && !exited) {
            r.end.timed_out = true;
            r.end.timeout_s = lo.timeout_s;
            stop_qemu();
        }
        if (killing && now >= kill_at && !exited) {
            kill(pid, SIGKILL);
            kill_at = now + std::chrono::hours(1);
        }
        if (n <= 0) continue;

        if (fds[0].revents & POLLIN) {
            signalfd_siginfo si;
            while (read(sfd.fd, &si, sizeof si) == sizeof si) {
                int sig = static_cast<int>(si.ssi_signo);
                if (sig == SIGCHLD || sig == SIGPIPE) continue;
                // A Ctrl-C on the terminal reaches QEMU as well (same process
                // group); a signal sent to elfin alone is passed on.
                if (!r.end.interrupted_by) r.end.interrupted_by = sig == SIGQUIT ? SIGINT : sig;
                stop_qemu();
            }
        }
        char buf[4096];
        if (status_r.fd >= 0 && fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t k = read(status_r.fd, buf, sizeof buf);
            if (k > 0) {
                for (auto& m : parser.feed(std::string_view(buf, static_cast<size_t>(k)))) say(m);
            } else if (k == 0 || errno != EINTR) {
                for (auto& m : parser.finish()) say(m);
                status_r.reset();
            }
        }
        if (err_r.fd >= 0 && fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t k = read(err_r.fd, buf, sizeof buf);
            if (k > 0) {
                std::string_view chunk(buf, static_cast<size_t>(k));
                if (lo.verbose) {
                    ssize_t ignored = write(STDERR_FILENO, chunk.data(), chunk.size());
                    (void)ignored;
                }
                if (r.end.stderr_text.size() < 64 * 1024) r.end.stderr_text.append(chunk);
            } else if (k == 0 || errno != EINTR) {
                err_r.reset();
            }
        }
        if (!exited) {
            pid_t w = waitpid(pid, &wstatus, WNOHANG);
            if (w == pid) exited = true;
        }
    }
    if (!exited) {
        // Only reached on a poll failure: make sure QEMU is gone.
        kill(pid, SIGKILL);
        waitpid(pid, &wstatus, 0);
    }
    for (auto& m : parser.finish()) say(m);
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);

    if (WIFSIGNALED(wstatus)) r.end.exited = false, r.end.code = WTERMSIG(wstatus);
    else r.end.code = WEXITSTATUS(wstatus);
    // QEMU's own message when we (or the terminal) stopped it is noise.
    if (r.end.interrupted_by || r.end.timed_out) {
        auto& t = r.end.stderr_text;
        if (auto p = t.find("terminating on signal"); p != std::string::npos) {
            auto start_line = t.rfind('\n', p);
            auto end_line = t.find('\n', p);
            t.erase(start_line == std::string::npos ? 0 : start_line + 1,
                end_line == std::string::npos ? std::string::npos : end_line - (start_line == std::string::npos ? 0 : start_line + 1) + 1);
        }
    }
    r.report = parser.report();
    return r;
}

Status check_host_ports(const std::vector<PortForward>& ports)
{
    for (auto& p : ports) {
        std::string spec = "-p " + (p.host_ip == "127.0.0.1" ? "" : p.host_ip + ":") + std::to_string(p.host_port) + ":"
            + std::to_string(p.guest_port) + (p.udp ? "/udp" : "");
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_port = htons(p.host_port);
        if (inet_pton(AF_INET, p.host_ip.c_str(), &a.sin_addr) != 1) return Error { spec + ": bad host address" };
        Fd s;
        s.fd = socket(AF_INET, (p.udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
        if (s.fd < 0) return Error { spec + ": cannot make a socket: " + std::strerror(errno) };
        int one = 1;
        // As QEMU's slirp binds: SO_REUSEADDR, so a port in TIME_WAIT is free.
        if (!p.udp) setsockopt(s.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            int e = errno;
            if (e == EADDRINUSE)
                return Error { "port " + std::to_string(p.host_port) + (p.udp ? "/udp" : "") + " on " + p.host_ip
                               + " is already in use on this machine (" + spec + "); pick another host port" };
            return Error { spec + ": cannot bind " + p.host_ip + ":" + std::to_string(p.host_port) + ": " + std::strerror(e) };
        }
    }
    return Ok {};
}

Status check_tap(const std::string& name)
{
    std::string what = "--net tap:" + name + ": ";
    if (!if_nametoindex(name.c_str()))
        return Error { what + "this machine has no interface " + name + "; make it first: ip tuntap add dev " + name
                       + " mode tap user $USER && ip link set " + name + " up (then give it an address or a bridge)" };
    Fd t;
    t.fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (t.fd < 0)
        return Error { what + "cannot open /dev/net/tun: " + std::strerror(errno)
                       + (errno == EACCES || errno == EPERM ? " (run as root, or make the device with 'user $USER')" : "") };
    ifreq r {};
    std::memcpy(r.ifr_name, name.c_str(), name.size() + 1);
    r.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    if (ioctl(t.fd, TUNSETIFF, &r) != 0) {
        int e = errno;
        if (e == EBUSY) return Error { what + name + " is in use by another program (another VM?)" };
        if (e == EPERM)
            return Error { what + "not allowed to attach to " + name + " (it belongs to another user: ip tuntap add dev " + name
                           + " mode tap user $USER, or run as root)" };
        if (e == EINVAL) return Error { what + name + " is not a tap device" };
        return Error { what + "cannot attach to " + name + ": " + std::strerror(e) };
    }
    return Ok {};
}

} // namespace elfin
