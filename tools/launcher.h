#pragma once
// Runs QEMU with the console on our stdio and the status channel on a pipe,
// forwards SIGINT/SIGTERM/SIGHUP, and never leaves QEMU behind.
#include "tools/expected.h"
#include "tools/options.h"
#include "tools/status.h"
#include <functional>
#include <string>
#include <vector>

namespace elfin {

// QEMU opens the status channel at this path: the pipe's write end is placed
// on this descriptor in QEMU's process.
constexpr int STATUS_FD = 3;
constexpr const char* STATUS_PATH = "/dev/fd/3";
// The program's stderr, when kept apart from its stdout: elfin's own stderr,
// duplicated onto this descriptor in QEMU's process (QEMU's stderr is a pipe
// elfin reads for QEMU's messages).
constexpr int PROGRAM_STDERR_FD = 4;
constexpr const char* PROGRAM_STDERR_PATH = "/dev/fd/4";

struct LaunchResult {
    StatusReport report;
    QemuEnd end;
};

struct LaunchOptions {
    unsigned timeout_s = 0;
    bool verbose = false;
    // Prints a line for the person (unknown syscalls as they come, -v notes).
    std::function<void(const std::string&)> say;
    // Published ports: the backlog of QEMU's TCP listeners is raised (port_backlog.h).
    std::vector<PortForward> ports;
};

// `argv[0]` is looked up in $PATH. Fails only when QEMU cannot be started.
Expected<LaunchResult> launch_qemu(const std::vector<std::string>& argv, const LaunchOptions& lo);

// Full path of `name` in $PATH, or empty.
std::string find_in_path(const std::string& name);

// Each published host port can be bound now (QEMU binds it a moment later):
// otherwise one line naming the port and the -p that wants it.
Status check_host_ports(const std::vector<PortForward>& ports);

// --net tap:NAME: NAME exists, is a tap device, is free and this user may
// attach to it (the TUNSETIFF QEMU will make, tried now): otherwise one line
// saying what to do.
Status check_tap(const std::string& name);

// True when /dev/kvm can be opened read-write.
bool kvm_usable();

// Whether QEMU can run a vCPU with KVM here, and if not, why (one line).
// /dev/kvm may open and still not work: a nested or restricted KVM can
// refuse the MSRs of `-cpu host`, and QEMU then aborts at start. The probe
// starts QEMU with KVM stopped (-S) and quits it; the answer is cached in
// `cache_dir` (empty: no cache) until the machine reboots or QEMU changes.
struct KvmProbe {
    bool ok = false;
    std::string why;
};
KvmProbe kvm_probe(const std::string& qemu, const std::string& cache_dir);

} // namespace elfin
