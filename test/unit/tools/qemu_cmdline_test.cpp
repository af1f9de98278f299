#include "tools/qemu_cmdline.h"

#include <algorithm>
#include <catch2/catch.hpp>

using namespace elfin;

namespace {

QemuConfig config()
{
    QemuConfig c;
    c.qemu = "/usr/bin/qemu-system-x86_64";
    c.kernel = "/k/elfin-kernel";
    c.initrd = "/c/img.cpio";
    c.status_path = "/dev/fd/3";
    return c;
}

// The value after `flag`, or "" when absent (the first occurrence).
std::string after(const std::vector<std::string>& v, const std::string& flag)
{
    auto it = std::find(v.begin(), v.end(), flag);
    return it == v.end() || it + 1 == v.end() ? "" : *(it + 1);
}

bool has(const std::vector<std::string>& v, const std::string& w) { return std::find(v.begin(), v.end(), w) != v.end(); }

bool has_pair(const std::vector<std::string>& v, const std::string& a, const std::string& b)
{
    for (size_t i = 0; i + 1 < v.size(); i++)
        if (v[i] == a && v[i + 1] == b) return true;
    return false;
}

} // namespace

TEST_CASE("qemu: microvm command line")
{
    auto v = qemu_command_line(config());
    CHECK(v[0] == "/usr/bin/qemu-system-x86_64");
    CHECK(after(v, "-M") == "microvm,x-option-roms=off,rtc=on,ioapic2=off");
    CHECK(after(v, "-kernel") == "/k/elfin-kernel");
    CHECK(after(v, "-initrd") == "/c/img.cpio");
    CHECK(after(v, "-m") == "128M");
    CHECK(after(v, "-smp") == "1");
    CHECK(has(v, "-nodefaults"));
    CHECK(has(v, "-no-user-config"));
    CHECK(has(v, "-no-reboot"));
    CHECK(after(v, "-display") == "none");
    CHECK_FALSE(has(v, "-nographic")); // it would add a monitor on stdio
    CHECK(has_pair(v, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"));
    CHECK(has_pair(v, "-device", "isa-debugcon,iobase=0xe9,chardev=status"));
    CHECK(has_pair(v, "-chardev", "file,id=status,path=/dev/fd/3"));
    CHECK(has_pair(v, "-chardev", "stdio,id=console,signal=on"));
    CHECK(has_pair(v, "-serial", "chardev:console"));
    CHECK(has_pair(v, "-accel", "tcg,thread=multi"));
    CHECK(after(v, "-cpu") == "max");
    CHECK_FALSE(has(v, "-append")); // nothing to say
    CHECK_FALSE(has(v, "-S"));
}

TEST_CASE("qemu: q35, KVM, memory, SMP, gdb and the kernel command line")
{
    auto c = config();
    c.machine = Machine::Q35;
    c.kvm = true;
    c.mem_mib = 2048;
    c.smp = 4;
    c.gdb = true;
    c.append = "trace noaslr";
    auto v = qemu_command_line(c);
    CHECK(after(v, "-M") == "q35");
    CHECK(has_pair(v, "-accel", "kvm"));
    CHECK(after(v, "-cpu") == "host");
    CHECK(after(v, "-m") == "2048M");
    CHECK(after(v, "-smp") == "4");
    CHECK(after(v, "-append") == "trace noaslr");
    CHECK(has(v, "-s"));
    CHECK(has(v, "-S"));
}

TEST_CASE("qemu: kernel command line switches")
{
    Options o;
    CHECK(kernel_cmdline(o) == "");
    o.trace = true;
    CHECK(kernel_cmdline(o) == "trace");
    o.no_aslr = true;
    o.kernel_debug = true;
    CHECK(kernel_cmdline(o) == "trace noaslr debug");
    StdioPlan redirected;
    redirected.tty[1] = redirected.tty[2] = false;
    redirected.stderr_apart = true;
    CHECK(kernel_cmdline(o, redirected) == "trace noaslr debug stdout-notty stderr-notty stderr-com2");
    StdioPlan piped_in;
    piped_in.tty[0] = false;
    CHECK(kernel_cmdline(Options {}, piped_in) == "stdin-notty");
}

TEST_CASE("qemu: stderr apart from stdout gets COM2, appending")
{
    QemuConfig c;
    c.kernel = "k";
    c.initrd = "i";
    c.status_path = "/dev/fd/3";
    CHECK_FALSE(has_pair(qemu_command_line(c), "-device", "isa-serial,chardev=stderr,iobase=0x2f8,irq=3"));
    c.stderr_path = "/dev/fd/4";
    auto v = qemu_command_line(c);
    CHECK(has_pair(v, "-chardev", "file,id=stderr,append=on,path=/dev/fd/4"));
    CHECK(has_pair(v, "-device", "isa-serial,chardev=stderr,iobase=0x2f8,irq=3"));
}

TEST_CASE("qemu: shell quoting")
{
    CHECK(shell_quote("plain/path-1.2") == "plain/path-1.2");
    CHECK(shell_quote("") == "''");
    CHECK(shell_quote("a b") == "'a b'");
    CHECK(shell_quote("it's") == "'it'\\''s'");
    CHECK(shell_quote("$HOME") == "'$HOME'");
    CHECK(shell_join({ "echo", "a b", "c" }) == "echo 'a b' c");
    CHECK(gdb_attach_command("build/kernel/elfin-kernel") == "gdb build/kernel/elfin-kernel.sym -ex 'target remote :1234'");
}

TEST_CASE("qemu: the run script of elfin build")
{
    Options o;
    o.machine = Machine::Q35;
    o.mem_mib = 256;
    o.trace = true;
    auto s = run_script(o, "/bin/busybox echo hi");
    CHECK(s.starts_with("#!/bin/sh\n"));
    CHECK(s.find("-M q35") != std::string::npos);
    CHECK(s.find("-m 256M") != std::string::npos);
    CHECK(s.find("append=trace\n") != std::string::npos);
    CHECK(s.find("-append \"$append\"") != std::string::npos);
    // The standard streams are probed when the script runs, as elfin run does.
    CHECK(s.find("[ -t 1 ] || append=\"$append stdout-notty\"") != std::string::npos);
    CHECK(s.find("stderr-com2") != std::string::npos);
    CHECK(s.find("\"$here/elfin-kernel\"") != std::string::npos);
    CHECK(s.find("\"$here/initramfs.cpio\"") != std::string::npos);
    CHECK(s.find("isa-debug-exit,iobase=0xf4,iosize=0x04") != std::string::npos);
    CHECK(s.find("/dev/kvm") != std::string::npos); // auto accelerator decided at run time
    CHECK(s.find("\"$@\"") != std::string::npos);
    o.accel = Accel::Tcg;
    CHECK(run_script(o, "x").find("/dev/kvm") == std::string::npos);
}

TEST_CASE("qemu: no network card unless asked for")
{
    auto v = qemu_command_line(config());
    CHECK_FALSE(has(v, "-netdev"));
    CHECK(net_args(NetMode::None, Machine::Microvm, {}).empty());
}

TEST_CASE("qemu: user network with published ports, on virtio-mmio and on PCI")
{
    auto c = config();
    c.net = NetMode::User;
    c.ports = { { "127.0.0.1", 8080, 80, false }, { "0.0.0.0", 5353, 53, true } };
    auto v = qemu_command_line(c);
    CHECK(has_pair(v, "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:8080-:80,hostfwd=udp:0.0.0.0:5353-:53"));
    CHECK(has_pair(v, "-device", "virtio-net-device,netdev=n0"));
    CHECK(has_pair(v, "-global", "virtio-mmio.force-legacy=false")); // virtio 1.x, not legacy
    c.machine = Machine::Q35;
    v = qemu_command_line(c);
    CHECK(has_pair(v, "-device", "virtio-net-pci,netdev=n0,romfile="));
    c.ports.clear();
    CHECK(has_pair(qemu_command_line(c), "-netdev", "user,id=n0"));
}

TEST_CASE("qemu: a tap device, with the virtio-net header and no scripts")
{
    auto c = config();
    c.net = NetMode::Tap;
    c.tap = "tap7";
    c.ports = { { "127.0.0.1", 8080, 80, false } }; // not for tap (options refuse it): never a hostfwd
    auto v = qemu_command_line(c);
    CHECK(has_pair(v, "-netdev", "tap,id=n0,ifname=tap7,script=no,downscript=no,vnet_hdr=on"));
    CHECK(has_pair(v, "-device", "virtio-net-device,netdev=n0"));
    c.machine = Machine::Q35;
    CHECK(has_pair(qemu_command_line(c), "-device", "virtio-net-pci,netdev=n0,romfile="));
    Options o;
    o.net = NetMode::Tap;
    o.tap = "tap7";
    CHECK(run_script(o, "/srv").find("-netdev tap,id=n0,ifname=tap7,script=no,downscript=no,vnet_hdr=on") != std::string::npos);
}

TEST_CASE("qemu: the run script carries the network")
{
    Options o;
    o.net = NetMode::User;
    o.ports = { { "127.0.0.1", 8080, 80, false } };
    auto s = run_script(o, "/srv");
    CHECK(s.find("-global virtio-mmio.force-legacy=false -netdev user,id=n0,hostfwd=tcp:127.0.0.1:8080-:80 -device virtio-net-device,netdev=n0") != std::string::npos);
    CHECK(run_script(Options {}, "/srv").find("-netdev") == std::string::npos);
    // A published TCP port: QEMU starts through the helper next to the
    // script, which raises the port's listen backlog (and without it, directly).
    CHECK(s.find("start_qemu() { \"$@\"; }\n") != std::string::npos);
    CHECK(s.find("if [ -x \"$here/elfin-backlog\" ]; then start_qemu() { \"$here/elfin-backlog\" 127.0.0.1:8080 -- \"$@\"; }\n")
        != std::string::npos);
    CHECK(s.find("\nstart_qemu \"$qemu\" -M ") != std::string::npos);
    // UDP ports only, or none: no helper.
    o.ports = { { "0.0.0.0", 5353, 53, true } };
    for (auto& script : { run_script(o, "/srv"), run_script(Options {}, "/srv") }) {
        CHECK(script.find("elfin-backlog") == std::string::npos);
        CHECK(script.find("\n\"$qemu\" -M ") != std::string::npos);
    }
}

TEST_CASE("qemu: a static address reaches the kernel and the published ports")
{
    Options o;
    o.net = NetMode::User;
    o.ip = "10.0.2.20/24";
    o.gateway = "10.0.2.2";
    o.dns = { "10.0.2.3", "1.1.1.1" };
    o.ports = { { "127.0.0.1", 8080, 80, false, "10.0.2.20" } };
    CHECK(kernel_cmdline(o) == "net.ip=10.0.2.20/24 net.gateway=10.0.2.2 net.dns=10.0.2.3 net.dns=1.1.1.1");
    CHECK(net_args(o.net, o.machine, o.ports)[3] == "user,id=n0,hostfwd=tcp:127.0.0.1:8080-10.0.2.20:80");
    // elfin build: the run script boots with the same words.
    auto s = run_script(o, "/srv");
    CHECK(s.find("append='net.ip=10.0.2.20/24 net.gateway=10.0.2.2 net.dns=10.0.2.3 net.dns=1.1.1.1'") != std::string::npos);
    CHECK(s.find("hostfwd=tcp:127.0.0.1:8080-10.0.2.20:80") != std::string::npos);
}
