#include "tools/options.h"

#include <catch2/catch.hpp>
#include <map>

using namespace elfin;

namespace {

Expected<Options> parse(std::vector<std::string> argv) { return parse_command_line(argv, "/home/u"); }

std::string error_of(std::vector<std::string> argv)
{
    auto r = parse(std::move(argv));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().exit_code == EXIT_USAGE);
    return r.error().message;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

} // namespace

TEST_CASE("options: run with defaults")
{
    auto r = parse({ "run", "/bin/busybox", "echo", "hi" });
    REQUIRE(r.ok());
    CHECK(r->command == Command::Run);
    CHECK(r->program == "/bin/busybox");
    CHECK(r->args == std::vector<std::string> { "echo", "hi" });
    CHECK(r->mem_mib == 128);
    CHECK(r->machine == Machine::Microvm);
    CHECK(r->accel == Accel::Auto);
    CHECK(r->smp == 1);
    CHECK_FALSE(r->trace);
    CHECK_FALSE(r->gdb);
}

TEST_CASE("options: every run option")
{
    auto r = parse({ "run", "--mem", "1G", "-e", "A=1", "--env=B", "--file", "data.txt:/etc/data", "--dir", "/srv/site",
        "--machine", "q35", "--trace", "--no-aslr", "--kernel-debug", "--gdb", "--smp=4", "--accel", "tcg", "-v",
        "--kernel", "k.elf", "--cwd", "/tmp/", "--timeout", "5m", "--no-cache", "prog", "--mem", "-v" });
    REQUIRE(r.ok());
    CHECK(r->mem_mib == 1024);
    CHECK(r->env_overrides == std::vector<std::string> { "A=1", "B" });
    CHECK(r->files == std::vector<PathMapping> { { "data.txt", "/etc/data" } });
    CHECK(r->dirs == std::vector<PathMapping> { { "/srv/site", "/srv/site" } });
    CHECK(r->machine == Machine::Q35);
    CHECK((r->trace && r->no_aslr && r->kernel_debug && r->gdb && r->verbose && r->no_cache));
    CHECK(r->smp == 4);
    CHECK(r->accel == Accel::Tcg);
    CHECK(r->kernel == "k.elf");
    CHECK(r->cwd == "/tmp");
    CHECK(r->timeout_s == 300);
    // options after PROGRAM belong to the program
    CHECK(r->program == "prog");
    CHECK(r->args == std::vector<std::string> { "--mem", "-v" });
}

TEST_CASE("options: -- ends the options")
{
    auto r = parse({ "run", "-v", "--", "-weird-name", "x" });
    REQUIRE(r.ok());
    CHECK(r->program == "-weird-name");
    CHECK(r->args == std::vector<std::string> { "x" });
}

TEST_CASE("options: memory sizes")
{
    CHECK(parse_mem_size("64M").value() == 64);
    CHECK(parse_mem_size("64m").value() == 64);
    CHECK(parse_mem_size("64MiB").value() == 64);
    CHECK(parse_mem_size("64MB").value() == 64);
    CHECK(parse_mem_size("1G").value() == 1024);
    CHECK(parse_mem_size("2g").value() == 2048);
    CHECK(parse_mem_size("256").value() == 256); // MiB, as QEMU's -m
    CHECK(parse_mem_size("65536K").value() == 64);
    CHECK(parse_mem_size("1T").value() == 1024 * 1024);
    for (auto bad : { "12Q", "", "M", "-5M", "1.5G", "8M", "1000K", "2T", "99999999999999999999G", "64 M" })
        CHECK_FALSE(parse_mem_size(bad).ok());
    CHECK(contains(error_of({ "run", "--mem", "12Q", "x" }), "--mem wants a size like 64M"));
    CHECK(contains(error_of({ "run", "--mem", "8M", "x" }), "too small"));
}

TEST_CASE("options: bad values name the option and the value")
{
    CHECK(contains(error_of({ "run", "--machine", "pc", "x" }), "--machine wants microvm or q35, not 'pc'"));
    CHECK(contains(error_of({ "run", "--accel", "hvf", "x" }), "--accel wants kvm, tcg or auto"));
    CHECK(contains(error_of({ "run", "--smp", "0", "x" }), "--smp wants a whole number from 1 to 255"));
    CHECK(contains(error_of({ "run", "--smp", "two", "x" }), "'two'"));
    CHECK(contains(error_of({ "run", "--timeout", "soon", "x" }), "--timeout"));
    CHECK(contains(error_of({ "run", "--env", "=v", "x" }), "NAME=value"));
    CHECK(contains(error_of({ "run", "--cwd", "rel", "x" }), "absolute"));
    CHECK(contains(error_of({ "run", "--mem" }), "--mem needs a value"));
    CHECK(contains(error_of({ "run", "--trace=yes", "x" }), "takes no value"));
}

TEST_CASE("options: unknown options and commands suggest the fix")
{
    auto m = error_of({ "run", "--memory", "64M", "x" });
    CHECK(contains(m, "unknown option '--memory'"));
    CHECK(contains(m, "did you mean --mem?"));
    CHECK(contains(m, "elfin help run"));
    CHECK(contains(error_of({ "run", "--tarce", "x" }), "did you mean --trace?"));
    CHECK(contains(error_of({ "run", "--zzzzzzzz", "x" }), "unknown option"));
    CHECK(contains(error_of({ "frobnicate" }), "unknown command 'frobnicate'"));
    CHECK(contains(error_of({ "./a.out" }), "elfin run ./a.out"));
    CHECK(contains(error_of({ "--mem", "1G" }), "after the command"));
    CHECK(contains(error_of({ "run" }), "no program given"));
    CHECK(contains(error_of({ "run", "--gdb" }), "no program given"));
    CHECK(contains(error_of({ "build", "--gdb", "x", "-o", "d" }), "does not apply"));
    CHECK(contains(error_of({ "help", "nonsense" }), "no help on"));
    CHECK_FALSE(parse({}).ok());
}

TEST_CASE("options: help and version")
{
    CHECK(parse({ "--help" })->command == Command::Help);
    CHECK(parse({ "-h" })->help_topic.empty());
    auto r = parse({ "help", "run" });
    CHECK(r->command == Command::Help);
    CHECK(r->help_topic == "run");
    r = parse({ "build", "--help" });
    CHECK(r->command == Command::Help);
    CHECK(r->help_topic == "build");
    CHECK(parse({ "--version" })->command == Command::Version);
    CHECK(contains(help_text("run"), "--mem SIZE"));
    CHECK(contains(help_text("run"), "70"));
    CHECK(contains(help_text("build"), "-o DIR"));
    CHECK(contains(help_text(""), "elfin run"));
}

TEST_CASE("options: build takes -o DIR at the end or first")
{
    auto r = parse({ "build", "--mem", "64M", "/bin/busybox", "ls", "-l", "-o", "out" });
    REQUIRE(r.ok());
    CHECK(r->output == "out");
    CHECK(r->args == std::vector<std::string> { "ls", "-l" });
    r = parse({ "build", "-o", "out", "/bin/busybox", "ls", "-o", "x" });
    REQUIRE(r.ok());
    CHECK(r->output == "out");
    CHECK(r->args == std::vector<std::string> { "ls", "-o", "x" });
    r = parse({ "build", "prog", "--output=dir" });
    REQUIRE(r.ok());
    CHECK(r->output == "dir");
    CHECK(contains(error_of({ "build", "prog" }), "needs -o DIR"));
}

TEST_CASE("options: --file and --dir mappings")
{
    CHECK(parse_mapping("a.txt:/etc/a", "--file", "/w").value() == PathMapping { "a.txt", "/etc/a" });
    CHECK(parse_mapping("a.txt", "--file", "/w").value() == PathMapping { "a.txt", "/w/a.txt" });
    CHECK(parse_mapping("/x/y", "--file", "/w").value() == PathMapping { "/x/y", "/x/y" });
    CHECK(parse_mapping("../up", "--dir", "/w/sub").value() == PathMapping { "../up", "/w/up" });
    CHECK(parse_mapping("we:ird:/g//h/", "--file", "/w").value() == PathMapping { "we:ird", "/g/h" });
    CHECK(parse_mapping("site:/", "--dir", "/w").value() == PathMapping { "site", "/" });
    CHECK_FALSE(parse_mapping("site:/", "--file", "/w").ok());
    CHECK_FALSE(parse_mapping(":/g", "--file", "/w").ok());
    CHECK_FALSE(parse_mapping("", "--file", "/w").ok());
    // no ":/": all of it is the host path
    CHECK(parse_mapping("h:rel", "--file", "/w").value() == PathMapping { "h:rel", "/w/h:rel" });
}

TEST_CASE("options: the program's environment")
{
    std::map<std::string, std::string> host = { { "TERM", "xterm-256color" }, { "LANG", "C.UTF-8" } };
    GetEnv getenv = [&](const std::string& k) -> std::optional<std::string> {
        auto it = host.find(k);
        if (it == host.end()) return std::nullopt;
        return it->second;
    };
    auto env = program_environment({}, getenv);
    REQUIRE(env.ok());
    CHECK(*env == std::vector<std::string> { "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/", "TERM=xterm-256color" });

    env = program_environment({ "HOME=/root", "LANG", "X=a=b" }, getenv);
    REQUIRE(env.ok());
    CHECK(*env == std::vector<std::string> { "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/root", "TERM=xterm-256color", "LANG=C.UTF-8", "X=a=b" });

    host.erase("TERM");
    env = program_environment({}, getenv);
    REQUIRE(env.ok());
    CHECK((*env)[2] == "TERM=linux");

    auto missing = program_environment({ "NOPE" }, getenv);
    REQUIRE_FALSE(missing.ok());
    CHECK(contains(missing.error().message, "NOPE is not set"));
}

TEST_CASE("options: suggestions")
{
    CHECK(suggest_option("--memm") == "--mem");
    CHECK(suggest_option("--verbos") == "--verbose");
    CHECK(suggest_option("--no-asrl") == "--no-aslr");
    CHECK(suggest_option("--machin") == "--machine");
    CHECK(suggest_option("--qwertyuiop") == "");
}

TEST_CASE("options: -p publishes ports and implies the user network")
{
    auto r = parse({ "run", "-p", "8080:80", "--publish", "5353:53/udp", "-p", "0.0.0.0:2222:22/tcp", "/bin/srv" });
    REQUIRE(r.ok());
    CHECK(r->net == NetMode::User);
    REQUIRE(r->ports.size() == 3);
    CHECK(r->ports[0] == PortForward { "127.0.0.1", 8080, 80, false });
    CHECK(r->ports[1] == PortForward { "127.0.0.1", 5353, 53, true });
    CHECK(r->ports[2] == PortForward { "0.0.0.0", 2222, 22, false });
    CHECK(parse({ "run", "/bin/srv" })->net == NetMode::None); // no card unless asked: boot stays fast
    CHECK(parse({ "run", "--net", "user", "/bin/srv" })->net == NetMode::User);
    CHECK(parse({ "build", "-p", "80:80", "/bin/srv", "-o", "out" })->ports.size() == 1);
}

TEST_CASE("options: --add-host NAME:ADDRESS, repeatable")
{
    auto r = parse({ "run", "--add-host", "db.local:10.0.2.2", "--add-host", "v6.local:2001:db8::1", "/bin/srv" });
    REQUIRE(r.ok());
    REQUIRE(r->hosts.size() == 2);
    CHECK(r->hosts[0] == HostEntry { "db.local", "10.0.2.2" });
    CHECK(r->hosts[1] == HostEntry { "v6.local", "2001:db8::1" }); // the name ends at the first colon
    for (auto bad : { "db.local", ":10.0.2.2", "db.local:", "db local:10.0.2.2", "db#x:10.0.2.2", "db:10.0.2", "db:example.com" }) {
        auto e = parse({ "run", "--add-host", bad, "/bin/srv" });
        REQUIRE_FALSE(e.ok());
        CHECK(e.error().message.find("--add-host") != std::string::npos);
    }
}

TEST_CASE("options: bad -p and --net values")
{
    CHECK(contains(error_of({ "run", "-p", "8080", "/bin/srv" }), "both ports are needed"));
    CHECK(contains(error_of({ "run", "-p", "0:80", "/bin/srv" }), "host port must be from 1 to 65535"));
    CHECK(contains(error_of({ "run", "-p", "80:65536", "/bin/srv" }), "guest port must be from 1 to 65535"));
    CHECK(contains(error_of({ "run", "-p", "80:80/sctp", "/bin/srv" }), "tcp or udp"));
    CHECK(contains(error_of({ "run", "-p", "localhost:80:80", "/bin/srv" }), "not an IPv4 address"));
    CHECK(contains(error_of({ "run", "-p", "80:80", "-p", "80:81", "/bin/srv" }), "published twice"));
    CHECK(parse({ "run", "-p", "80:80", "-p", "80:80/udp", "/bin/srv" }).ok()); // tcp and udp are apart
    CHECK(contains(error_of({ "run", "--net", "none", "-p", "80:80", "/bin/srv" }), "not --net none"));
    CHECK(contains(error_of({ "run", "--net", "tap", "/bin/srv" }), "--net wants user, none or tap:NAME"));
    CHECK(contains(error_of({ "run", "--net", "bridge", "/bin/srv" }), "not 'bridge'"));
}

TEST_CASE("options: --net tap:NAME")
{
    auto r = parse({ "run", "--net", "tap:tap0", "/bin/srv" });
    REQUIRE(r.ok());
    CHECK(r->net == NetMode::Tap);
    CHECK(r->tap == "tap0");
    CHECK(parse({ "run", "--net=tap:elfin-br.15", "/bin/srv" })->tap == "elfin-br.15");
    CHECK(contains(error_of({ "run", "--net", "tap:", "/bin/srv" }), "name the host's tap device"));
    CHECK(contains(error_of({ "run", "--net", "tap:abcdefghijklmnop", "/bin/srv" }), "at most 15 characters"));
    CHECK(contains(error_of({ "run", "--net", "tap:a,script=/x", "/bin/srv" }), "cannot hold ','"));
    CHECK(contains(error_of({ "run", "--net", "tap:a/b", "/bin/srv" }), "cannot hold '/'"));
    CHECK(contains(error_of({ "run", "--net", "tap:tap0", "-p", "80:80", "/bin/srv" }), "reached at its own address"));
    CHECK(parse({ "run", "--net", "tap:tap0", "--net", "user", "/bin/srv" })->net == NetMode::User); // the last wins
}

TEST_CASE("options: --ip, --gateway and --dns configure the card statically")
{
    auto r = parse({ "run", "--ip", "10.0.2.15/24", "--gateway", "10.0.2.2", "--dns", "10.0.2.3", "--dns", "1.1.1.1", "/bin/srv" });
    REQUIRE(r.ok());
    CHECK(r->ip == "10.0.2.15/24");
    CHECK(r->gateway == "10.0.2.2");
    CHECK(r->dns == std::vector<std::string> { "10.0.2.3", "1.1.1.1" });
    CHECK(r->net == NetMode::User); // --ip without --net or -p: the user network
    CHECK(parse({ "run", "/bin/srv" })->ip.empty());
    // -p reaches the static address, not QEMU's first DHCP address.
    r = parse({ "run", "--ip", "10.0.2.20/24", "-p", "8080:80", "/bin/srv" });
    REQUIRE(r.ok());
    CHECK(r->ports[0] == PortForward { "127.0.0.1", 8080, 80, false, "10.0.2.20" });
    CHECK(parse({ "build", "--ip", "10.0.2.15/24", "/bin/srv", "-o", "out" })->ip == "10.0.2.15/24");
    CHECK(parse({ "run", "--net", "user", "--ip", "10.0.2.99/25", "/bin/srv" })->ip == "10.0.2.99/25");
}

TEST_CASE("options: bad --ip, --gateway and --dns values, in one line each")
{
    auto one_line = [](const std::string& m) { return m.find('\n') == std::string::npos; };
    auto e = error_of({ "run", "--ip", "10.0.2.15", "/bin/srv" });
    CHECK(contains(e, "--ip wants an IPv4 address with its prefix length, like 10.0.2.15/24, not '10.0.2.15'"));
    CHECK(one_line(e));
    CHECK(contains(error_of({ "run", "--ip", "10.0.2.15/33", "/bin/srv" }), "--ip wants"));
    CHECK(contains(error_of({ "run", "--ip", "10.0.2.15/0", "/bin/srv" }), "--ip wants"));
    CHECK(contains(error_of({ "run", "--ip", "10.0.2/24", "/bin/srv" }), "--ip wants"));
    CHECK(contains(error_of({ "run", "--ip", "10.0.2.256/24", "/bin/srv" }), "--ip wants"));
    CHECK(contains(error_of({ "run", "--ip", "10.0.2.15/24x", "/bin/srv" }), "--ip wants"));
    CHECK(contains(error_of({ "run", "--ip", "fe80::1/64", "/bin/srv" }), "--ip wants"));
    CHECK(contains(error_of({ "run", "--ip", "10.0.2.15/24", "--ip", "10.0.2.16/24", "/bin/srv" }), "--ip is given twice"));
    CHECK(contains(error_of({ "run", "--ip", "10.0.2.15/24", "--gateway", "gw", "/bin/srv" }),
                   "--gateway wants an IPv4 address, like 10.0.2.2, not 'gw'"));
    CHECK(contains(error_of({ "run", "--ip", "10.0.2.15/24", "--dns", "10.0.2.3/24", "/bin/srv" }), "--dns wants an IPv4 address"));
    CHECK(contains(error_of({ "run", "--gateway", "10.0.2.2", "/bin/srv" }), "--gateway goes with --ip"));
    CHECK(contains(error_of({ "run", "--dns", "10.0.2.3", "/bin/srv" }), "--dns goes with --ip"));
    CHECK(contains(error_of({ "run", "--net", "none", "--ip", "10.0.2.15/24", "/bin/srv" }), "not --net none"));
    CHECK(contains(error_of({ "run", "--ip", "10.0.2.0/24", "/bin/srv" }), "is the network address"));
    CHECK(contains(error_of({ "run", "--ip", "10.0.2.255/24", "/bin/srv" }), "is the broadcast address"));
    CHECK(contains(error_of({ "run", "--ip", "192.168.1.5/24", "/bin/srv" }), "QEMU's user network (--net user, -p) is 10.0.2.0/24"));
    CHECK(contains(error_of({ "run", "--ip", "10.0.2.2/24", "/bin/srv" }), "pick another address in it"));
    CHECK(contains(error_of({ "run", "--ip", "10.0.2.15/24", "--gateway", "10.0.3.2", "/bin/srv" }), "is not in the VM's network"));
    CHECK(contains(error_of({ "run", "--ip", "10.0.2.15/24", "--gateway", "10.0.2.15", "/bin/srv" }), "the VM's own address"));
    CHECK(contains(error_of({ "run", "--ip", "10.0.2.15/24", "--dns", "1.1.1.1", "--dns", "1.1.1.2", "--dns", "1.1.1.3",
                              "--dns", "1.1.1.4", "/bin/srv" }), "3 servers at most"));
}
