#pragma once
// The QEMU command line that boots Elfin, and the sh script `elfin build` writes.
#include "tools/options.h"
#include <string>
#include <string_view>
#include <vector>

namespace elfin {

struct QemuConfig {
    std::string qemu = "qemu-system-x86_64";
    Machine machine = Machine::Microvm;
    bool kvm = false;
    unsigned smp = 1;
    uint64_t mem_mib = 128;
    std::string kernel, initrd;
    std::string append;      // kernel command line (§3)
    std::string status_path; // where isa-debugcon writes (§4)
    std::string stderr_path; // when set: the program's stderr, on COM2, appended there
    bool gdb = false;        // -s -S
    NetMode net = NetMode::None;
    std::vector<PortForward> ports; // hostfwd rules (net User)
    std::string tap;                // the host interface (net Tap)
};

// The network card's QEMU arguments: -netdev user with one hostfwd per
// published port, or -netdev tap on the host's interface `tap` (with the
// virtio-net header, so the card offers checksum offload), and virtio-net on
// the machine's bus (virtio-mmio on microvm, PCI on q35). Empty without a
// network.
std::vector<std::string> net_args(NetMode net, Machine machine, const std::vector<PortForward>& ports,
                                  const std::string& tap = {});

std::vector<std::string> qemu_command_line(const QemuConfig& c);

// How the program's standard streams meet elfin's: which are terminals, and
// whether stderr goes somewhere else than stdout (`> out 2> err`, or a pipe
// for one of them), in which case it gets a serial port of its own.
struct StdioPlan {
    bool tty[3] = { true, true, true };
    bool stderr_apart = false;
};
// Looks at elfin's own descriptors 0, 1 and 2.
StdioPlan probe_stdio();

// The -append switches for the options given ("trace noaslr debug") and the
// standard streams ("stdout-notty stderr-com2").
std::string kernel_cmdline(const Options& o, const StdioPlan& stdio = {});

// Quotes for POSIX sh only when needed: foo, 'a b', 'it'\''s'.
std::string shell_quote(std::string_view s);
std::string shell_join(const std::vector<std::string>& words);

// DIR/run for `elfin build`: boots DIR/elfin-kernel and DIR/initramfs.cpio,
// picks KVM at run time when the accelerator is auto, passes its own
// arguments to QEMU, and exits with the program's status. With published TCP
// ports it starts QEMU through DIR/elfin-backlog (BACKLOG_HELPER), which
// raises their listen backlog as elfin run does.
std::string run_script(const Options& o, std::string_view program_description);

// The helper's name, next to the elfin tool and in DIR (tools/backlog_main.cpp).
constexpr const char* BACKLOG_HELPER = "elfin-backlog";

// The gdb command that attaches to --gdb's stub with the kernel's symbols.
std::string gdb_attach_command(std::string_view kernel_path);

} // namespace elfin
