#include "tools/options.h"

#include "tools/cpio.h"
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <arpa/inet.h>

namespace elfin {

namespace {

enum Applies : unsigned { RUN = 1, BUILD = 2, CHECK = 4 };

struct OptionSpec {
    std::string_view name;  // long form, with the dashes
    char short_name;        // 0: none
    bool takes_value;
    unsigned applies;
};

constexpr std::array OPTION_SPECS = {
    OptionSpec { "--mem", 'm', true, RUN | BUILD },
    OptionSpec { "--env", 'e', true, RUN | BUILD },
    OptionSpec { "--file", 0, true, RUN | BUILD },
    OptionSpec { "--dir", 0, true, RUN | BUILD },
    OptionSpec { "--lib", 0, true, RUN | BUILD },
    OptionSpec { "--cwd", 0, true, RUN | BUILD },
    OptionSpec { "--machine", 0, true, RUN | BUILD },
    OptionSpec { "--smp", 0, true, RUN | BUILD },
    OptionSpec { "--accel", 0, true, RUN | BUILD },
    OptionSpec { "--kernel", 0, true, RUN | BUILD },
    OptionSpec { "--net", 0, true, RUN | BUILD },
    OptionSpec { "--publish", 'p', true, RUN | BUILD },
    OptionSpec { "--ip", 0, true, RUN | BUILD },
    OptionSpec { "--gateway", 0, true, RUN | BUILD },
    OptionSpec { "--dns", 0, true, RUN | BUILD },
    OptionSpec { "--add-host", 0, true, RUN | BUILD },
    OptionSpec { "--trace", 0, false, RUN | BUILD },
    OptionSpec { "--no-aslr", 0, false, RUN | BUILD },
    OptionSpec { "--kernel-debug", 0, false, RUN | BUILD },
    OptionSpec { "--gdb", 0, false, RUN },
    OptionSpec { "--timeout", 0, true, RUN },
    OptionSpec { "--no-cache", 0, false, RUN },
    OptionSpec { "--output", 'o', true, BUILD },
    OptionSpec { "--json", 0, false, CHECK },
    OptionSpec { "--verbose", 'v', false, RUN | BUILD | CHECK },
    OptionSpec { "--help", 'h', false, RUN | BUILD | CHECK },
};

std::string_view command_name(Command c)
{
    switch (c) {
    case Command::Run: return "run";
    case Command::Build: return "build";
    case Command::Check: return "check";
    default: return "";
    }
}

unsigned command_bit(Command c)
{
    switch (c) {
    case Command::Run: return RUN;
    case Command::Build: return BUILD;
    case Command::Check: return CHECK;
    default: return 0;
    }
}

Expected<unsigned> parse_uint(std::string_view text, std::string_view option, unsigned lo, unsigned hi)
{
    unsigned v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi)
        return usage_error(std::string(option) + " wants a whole number from " + std::to_string(lo) + " to "
            + std::to_string(hi) + ", not '" + std::string(text) + "'");
    return v;
}

Expected<unsigned> parse_duration(std::string_view text)
{
    unsigned scale = 1;
    if (!text.empty()) {
        switch (text.back()) {
        case 's': scale = 1, text.remove_suffix(1); break;
        case 'm': scale = 60, text.remove_suffix(1); break;
        case 'h': scale = 3600, text.remove_suffix(1); break;
        default: break;
        }
    }
    auto r = parse_uint(text, "--timeout", 1, 7 * 24 * 3600);
    if (!r) return usage_error("--timeout wants a duration like 30, 30s, 5m or 1h, not '" + std::string(text) + "'");
    return *r * scale;
}

size_t edit_distance(std::string_view a, std::string_view b)
{
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); j++) row[j] = j;
    for (size_t i = 1; i <= a.size(); i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); j++) {
            size_t up = row[j];
            row[j] = std::min({ row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1]) });
            diag = up;
        }
    }
    return row[b.size()];
}

std::string unknown_option_message(std::string_view arg, Command cmd)
{
    std::string msg = "unknown option '" + std::string(arg) + "'";
    auto s = suggest_option(arg.substr(0, arg.find('=')));
    if (!s.empty()) msg += " (did you mean " + s + "?)";
    msg += "; see 'elfin help " + std::string(command_name(cmd)) + "'";
    return msg;
}

struct Ipv4 {
    uint32_t address; // host byte order
    int prefix;       // -1: none given
};

// "10.0.2.15" or, with `with_prefix`, "10.0.2.15/24" (the prefix required).
Expected<Ipv4> parse_ipv4(std::string_view text, std::string_view option, bool with_prefix)
{
    std::string want = with_prefix ? "an IPv4 address with its prefix length, like 10.0.2.15/24" : "an IPv4 address, like 10.0.2.2";
    auto bad = [&] { return usage_error(std::string(option) + " wants " + want + ", not '" + std::string(text) + "'"); };
    Ipv4 r { 0, -1 };
    std::string_view addr = text;
    if (with_prefix) {
        auto slash = text.find('/');
        if (slash == std::string_view::npos) return bad();
        addr = text.substr(0, slash);
        auto p = text.substr(slash + 1);
        unsigned v = 0;
        auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
        if (p.empty() || ec != std::errc() || end != p.data() + p.size() || v < 1 || v > 32) return bad();
        r.prefix = int(v);
    }
    in_addr a {};
    if (inet_pton(AF_INET, std::string(addr).c_str(), &a) != 1) return bad();
    r.address = ntohl(a.s_addr);
    return r;
}

std::string format_ipv4(uint32_t address)
{
    return std::to_string(address >> 24) + "." + std::to_string(address >> 16 & 0xff) + "."
        + std::to_string(address >> 8 & 0xff) + "." + std::to_string(address & 0xff);
}

uint32_t mask_of(int prefix) { return prefix == 0 ? 0 : ~0u << (32 - prefix); }

// The static configuration against itself and the network: one line saying
// what is wrong.
Status check_static_config(Options& o)
{
    if (o.ip.empty()) {
        if (!o.gateway.empty() || !o.dns.empty())
            return usage_error(std::string(o.gateway.empty() ? "--dns" : "--gateway") + " goes with --ip (without it, DHCP gives the gateway and DNS)");
        return Ok {};
    }
    if (o.net_given && o.net == NetMode::None) return usage_error("--ip sets the address of the VM's network card: it needs a network, not --net none");
    if (o.net == NetMode::None) o.net = NetMode::User;
    auto ip = *parse_ipv4(o.ip, "--ip", true);
    uint32_t mask = mask_of(ip.prefix);
    if (ip.prefix <= 30 && ((ip.address & ~mask) == 0 || (ip.address & ~mask) == ~mask))
        return usage_error("--ip " + o.ip + " is the " + ((ip.address & ~mask) ? "broadcast" : "network") + " address of its network; pick a host address in it");
    if (o.net == NetMode::User) {
        // QEMU's user network (slirp) is 10.0.2.0/24; it is 10.0.2.2 and
        // answers DNS on 10.0.2.3.
        constexpr uint32_t SLIRP_NET = 0x0a000200, SLIRP_HOST = 0x0a000202, SLIRP_DNS = 0x0a000203;
        if ((ip.address & 0xffffff00u) != SLIRP_NET || ip.address == SLIRP_HOST || ip.address == SLIRP_DNS)
            return usage_error("--ip " + o.ip + ": QEMU's user network (--net user, -p) is 10.0.2.0/24, with the gateway 10.0.2.2 and DNS 10.0.2.3; pick another address in it, like 10.0.2.15/24");
    }
    if (!o.gateway.empty()) {
        uint32_t gw = parse_ipv4(o.gateway, "--gateway", false)->address;
        if (gw == ip.address) return usage_error("--gateway " + o.gateway + " is the VM's own address (--ip " + o.ip + ")");
        if ((gw & mask) != (ip.address & mask)) return usage_error("--gateway " + o.gateway + " is not in the VM's network (--ip " + o.ip + "): the VM could not reach it");
    }
    if (o.dns.size() > 3) return usage_error("--dns is given " + std::to_string(o.dns.size()) + " times: /etc/resolv.conf holds 3 servers at most (glibc reads no more)");
    for (auto& p : o.ports) p.guest_ip = format_ipv4(ip.address);
    return Ok {};
}

Status apply(Options& o, const OptionSpec& spec, std::string_view value, std::string_view cwd)
{
    auto n = spec.name;
    if (n == "--mem") o.mem_mib = ELFIN_TRY(parse_mem_size(value));
    else if (n == "--env") {
        auto key = value.substr(0, value.find('='));
        if (key.empty()) return usage_error("--env wants NAME=value (or NAME to copy it from here), not '" + std::string(value) + "'");
        o.env_overrides.emplace_back(value);
    } else if (n == "--file") o.files.push_back(ELFIN_TRY(parse_mapping(value, n, cwd)));
    else if (n == "--dir") o.dirs.push_back(ELFIN_TRY(parse_mapping(value, n, cwd)));
    else if (n == "--lib") {
        if (value.empty()) return usage_error("--lib wants the path of a shared library");
        o.libs.push_back("/" + ELFIN_TRY(normalize_guest_path(value[0] == '/' ? std::string(value) : std::string(cwd) + "/" + std::string(value))));
    }
    else if (n == "--cwd") {
        if (value.empty() || value[0] != '/') return usage_error("--cwd wants an absolute path in the image, not '" + std::string(value) + "'");
        o.cwd = "/" + ELFIN_TRY(normalize_guest_path(value));
    } else if (n == "--machine") {
        if (value == "microvm") o.machine = Machine::Microvm;
        else if (value == "q35") o.machine = Machine::Q35;
        else return usage_error("--machine wants microvm or q35, not '" + std::string(value) + "'");
    } else if (n == "--smp") o.smp = ELFIN_TRY(parse_uint(value, n, 1, 255));
    else if (n == "--accel") {
        if (value == "auto") o.accel = Accel::Auto;
        else if (value == "kvm") o.accel = Accel::Kvm;
        else if (value == "tcg") o.accel = Accel::Tcg;
        else return usage_error("--accel wants kvm, tcg or auto, not '" + std::string(value) + "'");
    } else if (n == "--kernel") {
        if (value.empty()) return usage_error("--kernel wants the path of an Elfin kernel");
        o.kernel = value;
    } else if (n == "--net") {
        if (value == "user") o.net = NetMode::User;
        else if (value == "none") o.net = NetMode::None;
        else if (value.starts_with("tap:")) {
            o.net = NetMode::Tap;
            o.tap = ELFIN_TRY(parse_tap_name(value.substr(4)));
        } else return usage_error("--net wants user, none or tap:NAME, not '" + std::string(value) + "'");
        o.net_given = true;
    } else if (n == "--publish") o.ports.push_back(ELFIN_TRY(parse_port_forward(value)));
    else if (n == "--ip") {
        if (!o.ip.empty()) return usage_error("--ip is given twice: the card has one static IPv4 address");
        auto a = ELFIN_TRY(parse_ipv4(value, "--ip", true));
        o.ip = format_ipv4(a.address) + "/" + std::to_string(a.prefix);
    } else if (n == "--gateway") {
        if (!o.gateway.empty()) return usage_error("--gateway is given twice");
        o.gateway = format_ipv4(ELFIN_TRY(parse_ipv4(value, "--gateway", false)).address);
    } else if (n == "--dns") o.dns.push_back(format_ipv4(ELFIN_TRY(parse_ipv4(value, "--dns", false)).address));
    else if (n == "--add-host") o.hosts.push_back(ELFIN_TRY(parse_host_entry(value)));
    else if (n == "--timeout") o.timeout_s = ELFIN_TRY(parse_duration(value));
    else if (n == "--output") {
        if (value.empty()) return usage_error("-o wants a directory");
        o.output = value;
    } else if (n == "--trace") o.trace = true;
    else if (n == "--no-aslr") o.no_aslr = true;
    else if (n == "--kernel-debug") o.kernel_debug = true;
    else if (n == "--gdb") o.gdb = true;
    else if (n == "--no-cache") o.no_cache = true;
    else if (n == "--verbose") o.verbose = true;
    else if (n == "--json") o.json = true;
    return Ok {};
}

const OptionSpec* find_spec(std::string_view arg)
{
    for (auto& s : OPTION_SPECS) {
        if (arg == s.name) return &s;
        if (s.short_name && arg.size() == 2 && arg[0] == '-' && arg[1] == s.short_name) return &s;
    }
    return nullptr;
}

} // namespace

Expected<uint64_t> parse_mem_size(std::string_view text)
{
    auto bad = [&] {
        return usage_error("--mem wants a size like 64M, 512M or 2G, not '" + std::string(text) + "'");
    };
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc() || end == text.data()) return bad();
    std::string suffix(end, text.data() + text.size());
    for (auto& c : suffix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (suffix.size() >= 2 && suffix.ends_with("ib")) suffix.erase(suffix.size() - 2, 1); // "MiB" → "mb"
    if (suffix.size() == 2 && suffix.back() == 'b') suffix.pop_back();                      // "MB" → "m"
    unsigned shift;
    if (suffix.empty() || suffix == "m") shift = 20; // a bare number is MiB, as QEMU's -m
    else if (suffix == "k") shift = 10;
    else if (suffix == "g") shift = 30;
    else if (suffix == "t") shift = 40;
    else return bad();
    if (n > (UINT64_MAX >> shift)) return usage_error("--mem " + std::string(text) + " is absurdly large");
    uint64_t bytes = n << shift;
    if (bytes % (1u << 20)) return usage_error("--mem wants whole megabytes, not '" + std::string(text) + "'");
    uint64_t mib = bytes >> 20;
    if (mib < 16) return usage_error("--mem " + std::string(text) + " is too small: Elfin needs at least 16M");
    if (mib > (1u << 20)) return usage_error("--mem " + std::string(text) + " is too large (at most 1T)");
    return mib;
}

Expected<std::string> parse_tap_name(std::string_view text)
{
    auto bad = [&](std::string why) { return usage_error("--net tap:" + std::string(text) + ": " + why); };
    if (text.empty()) return bad("name the host's tap device, e.g. --net tap:tap0");
    if (text.size() > 15) return bad("an interface name has at most 15 characters");
    if (text == "." || text == "..") return bad("not an interface name");
    for (char ch : text)
        if (ch == '/' || ch == ':' || ch == ',' || ch == '=' || ch <= ' ' || ch > '~')
            return bad(std::string("an interface name cannot hold '") + ch + "'");
    return std::string(text);
}

Expected<HostEntry> parse_host_entry(std::string_view text)
{
    auto colon = text.find(':');
    std::string what = "--add-host wants NAME:ADDRESS (db.local:10.0.2.2), not '" + std::string(text) + "'";
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return usage_error(what);
    HostEntry h { std::string(text.substr(0, colon)), std::string(text.substr(colon + 1)) };
    // A hostname's characters (RFC 1123, and _ which resolvers accept): no space or # to break the line.
    for (char c : h.name)
        if (!isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_')
            return usage_error("--add-host: '" + h.name + "' is not a host name (letters, digits, '.', '-', '_')");
    unsigned char buf[16];
    if (inet_pton(AF_INET, h.address.c_str(), buf) != 1 && inet_pton(AF_INET6, h.address.c_str(), buf) != 1)
        return usage_error("--add-host: '" + h.address + "' is not an IPv4 or IPv6 address");
    return h;
}

Expected<PortForward> parse_port_forward(std::string_view text)
{
    auto bad = [&](std::string why) {
        return usage_error("-p '" + std::string(text) + "': " + why + " (-p HOSTPORT:GUESTPORT[/udp], e.g. -p 8080:80)");
    };
    PortForward f;
    std::string_view rest = text;
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
        auto proto = rest.substr(slash + 1);
        if (proto == "udp") f.udp = true;
        else if (proto != "tcp") return bad("the protocol is tcp or udp, not '" + std::string(proto) + "'");
        rest = rest.substr(0, slash);
    }
    auto last = rest.rfind(':');
    if (last == std::string_view::npos) return bad("both ports are needed");
    auto guest = rest.substr(last + 1);
    rest = rest.substr(0, last);
    auto host = rest;
    if (auto ip_end = rest.rfind(':'); ip_end != std::string_view::npos) {
        host = rest.substr(ip_end + 1);
        auto ip = rest.substr(0, ip_end);
        unsigned a, b, c, d;
        char tail;
        if (std::sscanf(std::string(ip).c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 || c > 255 || d > 255)
            return bad("'" + std::string(ip) + "' is not an IPv4 address of this host");
        f.host_ip = std::string(ip);
    }
    auto port = [&](std::string_view p, const char* which) -> Expected<uint16_t> {
        unsigned v = 0;
        auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
        if (p.empty() || ec != std::errc() || end != p.data() + p.size() || v < 1 || v > 65535)
            return bad(std::string("the ") + which + " port must be from 1 to 65535, not '" + std::string(p) + "'");
        return static_cast<uint16_t>(v);
    };
    f.host_port = ELFIN_TRY(port(host, "host"));
    f.guest_port = ELFIN_TRY(port(guest, "guest"));
    return f;
}

Expected<PathMapping> parse_mapping(std::string_view text, std::string_view option, std::string_view cwd)
{
    std::string opt(option);
    if (text.empty()) return usage_error(opt + " wants HOST:GUEST (or HOST), e.g. " + opt + " ./data:/data");
    // Split at the last ':' that starts an absolute guest path, so host paths
    // with colons still work when the guest path is given.
    std::string_view host = text, guest;
    if (auto p = text.rfind(":/"); p != std::string_view::npos) {
        host = text.substr(0, p);
        guest = text.substr(p + 1);
    }
    if (host.empty()) return usage_error(opt + " '" + std::string(text) + "': the host path is missing (HOST:GUEST)");
    if (guest.empty()) {
        if (host.back() == ':') return usage_error(opt + " '" + std::string(text) + "': the guest path must be absolute (HOST:/path)");
        std::string abs = host[0] == '/' ? std::string(host) : std::string(cwd) + "/" + std::string(host);
        auto g = ELFIN_TRY(normalize_guest_path(abs));
        return PathMapping { std::string(host), "/" + g };
    }
    auto g = ELFIN_TRY(normalize_guest_path(guest));
    if (g.empty() && option == "--file") return usage_error("--file '" + std::string(text) + "': cannot put a file at / (name the file, e.g. HOST:/data/x)");
    return PathMapping { std::string(host), "/" + g };
}

Expected<std::vector<std::string>> program_environment(const std::vector<std::string>& overrides, const GetEnv& host_getenv)
{
    auto term = host_getenv("TERM");
    std::vector<std::string> env = {
        "PATH=/usr/local/bin:/usr/bin:/bin",
        "HOME=/",
        "TERM=" + (term && !term->empty() ? *term : std::string("linux")),
    };
    for (auto& o : overrides) {
        std::string entry = o;
        auto eq = o.find('=');
        std::string key = o.substr(0, eq);
        if (eq == std::string::npos) {
            auto v = host_getenv(key);
            if (!v) return usage_error("--env " + key + ": " + key + " is not set here, so there is nothing to copy (use --env " + key + "=value)");
            entry = key + "=" + *v;
        }
        auto same = [&](const std::string& e) { return e.compare(0, key.size() + 1, key + "=") == 0; };
        auto it = std::find_if(env.begin(), env.end(), same);
        if (it != env.end()) *it = entry;
        else env.push_back(entry);
    }
    return env;
}

std::string suggest_option(std::string_view unknown)
{
    std::string best;
    size_t best_d = 4;
    std::string u(unknown);
    if (!u.starts_with("--")) u = "--" + std::string(unknown.substr(unknown.find_first_not_of('-') == std::string_view::npos ? unknown.size() : unknown.find_first_not_of('-')));
    for (auto& s : OPTION_SPECS) {
        size_t d = edit_distance(u, s.name);
        if (u.size() > 3 && s.name.starts_with(u)) d = 1; // an abbreviation
        if (d < best_d) best_d = d, best = s.name;
    }
    return best;
}

Expected<Options> parse_command_line(const std::vector<std::string>& argv, std::string_view cwd)
{
    Options o;
    if (argv.empty()) return usage_error("no command given; try 'elfin run PROGRAM [ARGS...]' or 'elfin --help'");
    std::string_view first = argv[0];
    if (first == "--help" || first == "-h" || first == "help") {
        o.command = Command::Help;
        if (first == "help" && argv.size() > 1) {
            if (!is_help_topic(argv[1])) return usage_error("no help on '" + argv[1] + "'; topics: run, build, check");
            o.help_topic = argv[1];
        }
        return o;
    }
    if (first == "--version" || first == "-V" || first == "version") {
        o.command = Command::Version;
        return o;
    }
    if (first == "run") o.command = Command::Run;
    else if (first == "build") o.command = Command::Build;
    else if (first == "check") o.command = Command::Check;
    else if (first.starts_with("-")) {
        auto spec = find_spec(first.substr(0, first.find('=')));
        if (spec) return usage_error("put " + std::string(spec->name) + " after the command, e.g. 'elfin run " + std::string(first) + " ...'");
        return usage_error("unknown option '" + std::string(first) + "'; see 'elfin --help'");
    } else {
        std::string msg = "unknown command '" + std::string(first) + "'";
        if (first.find('/') != std::string_view::npos) msg += " (to run a program: elfin run " + std::string(first) + ")";
        return usage_error(msg + "; the commands are run, build, check and help (see 'elfin --help')");
    }

    unsigned bit = command_bit(o.command);
    size_t i = 1;
    for (; i < argv.size(); i++) {
        std::string_view a = argv[i];
        if (a == "--") { i++; break; }
        if (a.size() < 2 || a[0] != '-') break; // PROGRAM ("-" alone is a name too)
        std::string_view name = a, value;
        bool inline_value = false;
        if (a.starts_with("--")) {
            if (auto eq = a.find('='); eq != std::string_view::npos) name = a.substr(0, eq), value = a.substr(eq + 1), inline_value = true;
        }
        const OptionSpec* spec = find_spec(name);
        if (!spec) return usage_error(unknown_option_message(a, o.command));
        if (!(spec->applies & bit))
            return usage_error(std::string(spec->name) + " does not apply to 'elfin " + std::string(command_name(o.command)) + "'; see 'elfin help "
                + std::string(command_name(o.command)) + "'");
        if (spec->name == "--help") {
            o.help_topic = command_name(o.command);
            o.command = Command::Help;
            return o;
        }
        if (spec->takes_value && !inline_value) {
            if (i + 1 >= argv.size()) return usage_error(std::string(spec->name) + " needs a value; see 'elfin help " + std::string(command_name(o.command)) + "'");
            value = argv[++i];
        } else if (!spec->takes_value && inline_value) {
            return usage_error(std::string(spec->name) + " takes no value");
        }
        ELFIN_TRY(apply(o, *spec, value, cwd));
    }
    if (i >= argv.size())
        return usage_error("no program given; usage: elfin " + std::string(command_name(o.command)) + " [options] PROGRAM"
            + (o.command == Command::Check ? "" : " [ARGS...]"));
    o.program = argv[i++];
    if (o.program.empty()) return usage_error("the program path is empty");
    o.args.assign(argv.begin() + static_cast<std::ptrdiff_t>(i), argv.end());

    if (o.command == Command::Build && o.output.empty()) {
        // `elfin build PROGRAM ARGS... -o DIR`: the last two words, when they
        // are -o DIR, name the output (put -o first to pass -o to the program).
        auto n = o.args.size();
        if (n >= 2 && (o.args[n - 2] == "-o" || o.args[n - 2] == "--output")) {
            o.output = o.args[n - 1];
            o.args.resize(n - 2);
        } else if (n >= 1 && o.args[n - 1].starts_with("--output=")) {
            o.output = o.args[n - 1].substr(9);
            o.args.resize(n - 1);
        }
        if (o.output.empty()) return usage_error("elfin build needs -o DIR (where to write the kernel, the image and the run script)");
    }
    if (!o.ports.empty()) {
        if (o.net_given && o.net == NetMode::None) return usage_error("-p publishes a port of the VM's network: it needs a network, not --net none");
        if (o.net == NetMode::Tap)
            return usage_error("-p forwards ports through QEMU's user network; with --net tap:" + o.tap
                               + " the VM is reached at its own address on the tap device instead");
        o.net = NetMode::User;
        for (size_t a = 0; a < o.ports.size(); a++)
            for (size_t b = 0; b < a; b++)
                if (o.ports[a].host_port == o.ports[b].host_port && o.ports[a].udp == o.ports[b].udp)
                    return usage_error("-p: host port " + std::to_string(o.ports[a].host_port) + (o.ports[a].udp ? "/udp" : "") + " is published twice");
    }
    ELFIN_TRY(check_static_config(o));
    if (o.command == Command::Check && !o.args.empty())
        return usage_error("elfin check takes one program and no arguments");
    return o;
}

} // namespace elfin
