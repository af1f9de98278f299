#pragma once
// The command line of `elfin`: what a person asked for, checked, with nothing
// looked up on the host yet (the host's environment comes in as a parameter).
#include "tools/expected.h"
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace elfin {

enum class Command { Run, Build, Check, Help, Version };
enum class Machine { Microvm, Q35 };
enum class Accel { Auto, Kvm, Tcg };
// The network card: none (the default: boot stays fast), one on QEMU's
// user-mode network (slirp: no root needed), chosen by --net or implied by -p,
// or one on a host tap device (--net tap:NAME: bridged, no port forwarding).
enum class NetMode { None, User, Tap };

// -p [HOSTIP:]HOSTPORT:GUESTPORT[/udp]: QEMU's hostfwd.
struct PortForward {
    std::string host_ip = "127.0.0.1"; // where the host listens
    uint16_t host_port = 0, guest_port = 0;
    bool udp = false;
    std::string guest_ip;              // the VM's static address (--ip); empty: QEMU's first DHCP address
    bool operator==(const PortForward&) const = default;
};

// --add-host NAME:ADDRESS: a line of the image's /etc/hosts.
struct HostEntry {
    std::string name, address; // address as given, checked (IPv4 or IPv6)
    bool operator==(const HostEntry&) const = default;
};

struct PathMapping {
    std::string host;  // as given
    std::string guest; // absolute guest path
    bool operator==(const PathMapping&) const = default;
};

struct Options {
    Command command = Command::Help;
    std::string help_topic;          // `elfin help run` → "run"

    uint64_t mem_mib = 128;
    std::vector<std::string> env_overrides; // --env, in order: "K=V", or "K" (take the host's)
    std::vector<PathMapping> files, dirs;
    std::vector<std::string> libs;   // --lib: absolute host paths of extra libraries
    Machine machine = Machine::Microvm;
    Accel accel = Accel::Auto;
    unsigned smp = 1;
    NetMode net = NetMode::None;
    bool net_given = false;          // --net was on the command line
    std::string tap;                 // --net tap:NAME: the host's tap interface
    std::vector<PortForward> ports;  // -p, in order
    // --ip/--gateway/--dns: a static IPv4 configuration instead of DHCP, as
    // given once checked ("10.0.2.15/24", "10.0.2.2"); empty: DHCP.
    std::string ip, gateway;
    std::vector<std::string> dns;    // --dns, in order
    std::vector<HostEntry> hosts;    // --add-host, in order
    bool trace = false, no_aslr = false, kernel_debug = false, gdb = false, verbose = false;
    bool no_cache = false;
    bool json = false;               // check --json
    std::string kernel;              // --kernel; empty: the default
    std::string cwd;                 // --cwd; empty: / (the kernel's default)
    std::string output;              // build -o DIR
    unsigned timeout_s = 0;          // --timeout; 0: none

    std::string program;             // as given
    std::vector<std::string> args;   // after PROGRAM
};

// argv without argv[0].
// `cwd` makes relative --file/--dir host paths absolute for their default guest path.
Expected<Options> parse_command_line(const std::vector<std::string>& argv, std::string_view cwd = "/");

// --net tap:NAME's NAME: a Linux interface name (1-15 characters, no '/',
// ':', ',' or white space).
Expected<std::string> parse_tap_name(std::string_view text);

// --add-host's value: "db.local:10.0.2.2", "v6.local:2001:db8::1" (the name
// ends at the first colon, as docker run --add-host).
Expected<HostEntry> parse_host_entry(std::string_view text);

// -p's value: "8080:80", "5353:53/udp", "0.0.0.0:8080:80".
Expected<PortForward> parse_port_forward(std::string_view text);

// "64M", "1G", "512m", "2GiB", "1024" (MiB, as QEMU) → MiB. Refuses values that
// are not whole MiB, below 16 MiB or above 1 TiB.
Expected<uint64_t> parse_mem_size(std::string_view text);

// --file/--dir values: "HOST:GUEST" or just "HOST" (then the guest path is the
// host path made absolute against `cwd`).
Expected<PathMapping> parse_mapping(std::string_view text, std::string_view option, std::string_view cwd);

// The program's environment: the minimal default, then each --env in order.
// `host_getenv` answers for "--env NAME" (copy the host's value) and TERM.
using GetEnv = std::function<std::optional<std::string>(const std::string&)>;
Expected<std::vector<std::string>> program_environment(const std::vector<std::string>& overrides, const GetEnv& host_getenv);

// Closest known option to a misspelt one ("--memory" → "--mem"), or "".
std::string suggest_option(std::string_view unknown);

// Help texts (help.cpp).
std::string help_text(std::string_view topic); // "" → overview; "run", "build", "check"
bool is_help_topic(std::string_view topic);
std::string version_text();

} // namespace elfin
