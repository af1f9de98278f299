#include "tools/qemu_cmdline.h"

#include "tools/port_backlog.h"
#include <sys/stat.h>
#include <unistd.h>

namespace elfin {

namespace {

// microvm: no option ROMs (nothing to boot from but -kernel), the RTC for the
// wall clock, one IO-APIC. These property names exist on QEMU 7.2.
constexpr const char* MICROVM = "microvm,x-option-roms=off,rtc=on,ioapic2=off";

std::vector<std::string> accel_args(bool kvm)
{
    if (kvm) return { "-accel", "kvm", "-cpu", "host" };
    return { "-accel", "tcg,thread=multi", "-cpu", "max" };
}

std::vector<std::string> fixed_devices()
{
    return {
        "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
        // Exit through the isa-debug-exit device: QEMU exits with (status << 1) | 1.
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
    };
}

} // namespace

std::vector<std::string> net_args(NetMode net, Machine machine, const std::vector<PortForward>& ports,
                                  const std::string& tap)
{
    if (net == NetMode::None) return {};
    // tap: no scripts (the device is the user's, already configured or made
    // by QEMU when root); vnet_hdr so offloads can be negotiated.
    std::string netdev = net == NetMode::Tap ? "tap,id=n0,ifname=" + tap + ",script=no,downscript=no,vnet_hdr=on" : "user,id=n0";
    if (net == NetMode::User) for (auto& p : ports)
        netdev += ",hostfwd=" + std::string(p.udp ? "udp:" : "tcp:") + p.host_ip + ":" + std::to_string(p.host_port)
            + "-" + p.guest_ip + ":" + std::to_string(p.guest_port);
    // No option ROM for the PCI card: nothing boots from it.
    if (machine == Machine::Q35) return { "-netdev", netdev, "-device", "virtio-net-pci,netdev=n0,romfile=" };
    // virtio-mmio is legacy (version 1) unless told otherwise; Elfin drives
    // virtio 1.x devices only.
    return { "-global", "virtio-mmio.force-legacy=false", "-netdev", netdev, "-device", "virtio-net-device,netdev=n0" };
}

std::vector<std::string> qemu_command_line(const QemuConfig& c)
{
    std::vector<std::string> v = { c.qemu, "-M", c.machine == Machine::Q35 ? "q35" : MICROVM };
    for (auto& a : accel_args(c.kvm)) v.push_back(a);
    v.insert(v.end(), { "-smp", std::to_string(c.smp), "-m", std::to_string(c.mem_mib) + "M" });
    for (auto& a : fixed_devices()) v.push_back(a);
    v.insert(v.end(), { "-kernel", c.kernel, "-initrd", c.initrd });
    if (!c.append.empty()) v.insert(v.end(), { "-append", c.append });
    v.insert(v.end(), {
        // COM1 is the console: the program's stdin and stdout, and its stderr
        // unless that has COM2 (below).
        "-chardev", "stdio,id=console,signal=on", "-serial", "chardev:console",
        // The status channel on port 0xe9.
        "-chardev", "file,id=status,path=" + c.status_path,
        "-device", "isa-debugcon,iobase=0xe9,chardev=status",
    });
    if (!c.stderr_path.empty()) {
        // COM2: appended, so a file the shell redirected stderr to is not truncated.
        v.insert(v.end(), { "-chardev", "file,id=stderr,append=on,path=" + c.stderr_path,
                            "-device", "isa-serial,chardev=stderr,iobase=0x2f8,irq=3" });
    }
    for (auto& a : net_args(c.net, c.machine, c.ports, c.tap)) v.push_back(a);
    if (c.gdb) v.insert(v.end(), { "-s", "-S" });
    return v;
}

StdioPlan probe_stdio()
{
    StdioPlan p;
    for (int fd = 0; fd < 3; fd++) p.tty[fd] = isatty(fd);
    struct stat out, err;
    bool have_out = fstat(STDOUT_FILENO, &out) == 0, have_err = fstat(STDERR_FILENO, &err) == 0;
    // Apart unless both are the same file (a terminal, or `> log 2>&1`), where
    // one port keeps their order. QEMU reopens elfin's stderr by path, which a
    // socket cannot be: a socket stays on the console.
    if (have_err && !S_ISSOCK(err.st_mode))
        p.stderr_apart = !have_out || out.st_dev != err.st_dev || out.st_ino != err.st_ino;
    return p;
}

std::string kernel_cmdline(const Options& o, const StdioPlan& stdio)
{
    std::string s;
    auto add = [&](const char* w) {
        if (!s.empty()) s += ' ';
        s += w;
    };
    if (o.trace) add("trace");
    if (o.no_aslr) add("noaslr");
    if (o.kernel_debug) add("debug");
    // A static address instead of DHCP (net/stack.cpp).
    if (!o.ip.empty()) add(("net.ip=" + o.ip).c_str());
    if (!o.gateway.empty()) add(("net.gateway=" + o.gateway).c_str());
    for (auto& d : o.dns) add(("net.dns=" + d).c_str());
    if (!stdio.tty[0]) add("stdin-notty");
    if (!stdio.tty[1]) add("stdout-notty");
    if (!stdio.tty[2]) add("stderr-notty");
    if (stdio.stderr_apart) add("stderr-com2");
    return s;
}

std::string shell_quote(std::string_view s)
{
    constexpr std::string_view SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%_-+=:,./";
    if (!s.empty() && s.find_first_not_of(SAFE) == std::string_view::npos) return std::string(s);
    std::string out = "'";
    for (char ch : s) {
        if (ch == '\'') out += "'\\''";
        else out += ch;
    }
    return out + "'";
}

std::string shell_join(const std::vector<std::string>& words)
{
    std::string out;
    for (auto& w : words) {
        if (!out.empty()) out += ' ';
        out += shell_quote(w);
    }
    return out;
}

std::string gdb_attach_command(std::string_view kernel_path)
{
    return "gdb " + shell_quote(std::string(kernel_path) + ".sym") + " -ex 'target remote :1234'";
}

std::string run_script(const Options& o, std::string_view program_description)
{
    QemuConfig c;
    c.machine = o.machine;
    c.smp = o.smp;
    c.mem_mib = o.mem_mib;
    auto base = qemu_command_line(c);
    // The script fills in the accelerator, the paths and the status file itself.
    std::string s;
    s += "#!/bin/sh\n";
    s += "# Boots " + std::string(program_description) + " in Elfin. Written by `elfin build`.\n";
    s += "# Arguments to this script are passed to QEMU (e.g. -s -S to wait for gdb).\n";
    s += "# Exit status: the program's (128+N if killed by signal N; 70 on a kernel panic).\n";
    bool backlog = tcp_port_count(o.ports) > 0;
    if (backlog) {
        s += "# QEMU's user network listens on a published TCP port with a backlog of 1, which\n";
        s += "# makes a burst of connections wait for SYN retries: " + std::string(BACKLOG_HELPER) + ", written next\n";
        s += "# to this script, starts QEMU and raises it (without it the ports work, slower to connect).\n";
    }
    s += "set -u\n";
    s += "here=$(cd \"$(dirname \"$0\")\" && pwd)\n";
    s += "qemu=${ELFIN_QEMU:-qemu-system-x86_64}\n";
    s += "command -v \"$qemu\" >/dev/null 2>&1 || { echo \"run: $qemu not found: install qemu-system-x86\" >&2; exit 1; }\n";
    switch (o.accel) {
    case Accel::Kvm: s += "accel='-accel kvm -cpu host'\n"; break;
    case Accel::Tcg: s += "accel='-accel tcg,thread=multi -cpu max'\n"; break;
    case Accel::Auto:
        // As the tool does (kvm_probe): /dev/kvm may open and QEMU still fail
        // to start a vCPU with it (nested KVM refusing -cpu host's MSRs).
        s += "if [ -r /dev/kvm ] && [ -w /dev/kvm ] && (echo quit | \"$qemu\" -M microvm -accel kvm -cpu host -S -nodefaults \\\n";
        s += "    -no-user-config -display none -monitor stdio) >/dev/null 2>&1; then accel='-accel kvm -cpu host'\n";
        s += "else accel='-accel tcg,thread=multi -cpu max'; fi\n";
        break;
    }
    // The standard streams, as elfin run probes them (probe_stdio).
    s += "append=" + shell_quote(kernel_cmdline(o)) + "\n";
    s += "[ -t 0 ] || append=\"$append stdin-notty\"\n";
    s += "[ -t 1 ] || append=\"$append stdout-notty\"\n";
    s += "[ -t 2 ] || append=\"$append stderr-notty\"\n";
    s += "stderr_port=\n";
    s += "if [ ! /dev/stdout -ef /dev/stderr ] && [ ! -S /dev/stderr ]; then\n";
    s += "  exec 4>&2; append=\"$append stderr-com2\"\n";
    s += "  stderr_port='-chardev file,id=stderr,append=on,path=/dev/fd/4 -device isa-serial,chardev=stderr,iobase=0x2f8,irq=3'\n";
    s += "fi\n";
    s += "status=$(mktemp \"${TMPDIR:-/tmp}/elfin-status.XXXXXX\") || exit 1\n";
    s += "trap 'rm -f \"$status\"' EXIT\n";
    s += "trap 'exit 130' INT\ntrap 'exit 143' TERM\n";
    std::string start;
    if (backlog) {
        std::string ports;
        for (auto& p : o.ports)
            if (!p.udp) ports += " " + shell_quote(p.host_ip + ":" + std::to_string(p.host_port));
        std::string helper = "\"$here/" + std::string(BACKLOG_HELPER) + "\"";
        s += "start_qemu() { \"$@\"; }\n";
        s += "if [ -x " + helper + " ]; then start_qemu() { " + helper + ports + " -- \"$@\"; }\n";
        s += "else echo \"run: $here/" + std::string(BACKLOG_HELPER)
            + " is missing: the published ports keep QEMU's listen backlog of 1\" >&2; fi\n";
        start = "start_qemu ";
    }
    // $accel is split on purpose.
    s += start + "\"$qemu\" -M " + shell_quote(base[2]) + " $accel -smp " + std::to_string(o.smp) + " -m " + std::to_string(o.mem_mib) + "M \\\n";
    s += "  -nodefaults -no-user-config -display none -no-reboot \\\n";
    s += "  -device isa-debug-exit,iobase=0xf4,iosize=0x04 \\\n";
    s += "  -kernel \"$here/elfin-kernel\" -initrd \"$here/initramfs.cpio\" \\\n";
    s += "  -append \"$append\" \\\n";
    s += "  -chardev stdio,id=console,signal=on -serial chardev:console $stderr_port \\\n";
    s += "  -chardev \"file,id=status,path=$status\" -device isa-debugcon,iobase=0xe9,chardev=status \\\n";
    if (auto net = net_args(o.net, o.machine, o.ports, o.tap); !net.empty()) s += "  " + shell_join(net) + " \\\n";
    s += "  \"$@\"\n";
    s += "rc=$?\n";
    s += "line=$(grep -a -m1 -E '^elfin-status (exit|signal|panic)' \"$status\")\n";
    s += "grep -a '^elfin-status unknown-syscall ' \"$status\" | while read -r _ _ name; do\n";
    s += "  echo \"run: the program called $name, which Elfin does not implement (returned ENOSYS)\" >&2; done\n";
    s += "case $line in\n";
    s += "  'elfin-status exit '*) exit \"${line#elfin-status exit }\" ;;\n";
    s += "  'elfin-status signal '*) n=${line#elfin-status signal }; kill -l \"$n\" >/dev/null 2>&1 && echo \"run: killed by SIG$(kill -l \"$n\")\" >&2; exit $((128 + n)) ;;\n";
    s += "  'elfin-status panic'*) echo 'run: kernel panic:' >&2; sed -n '/^elfin-status panic/,$p' \"$status\" | tail -n +2 >&2; exit 70 ;;\n";
    s += "esac\n";
    s += "echo \"run: the VM stopped without a status (QEMU exit status $rc)\" >&2\n";
    s += "exit 71\n";
    return s;
}

} // namespace elfin
