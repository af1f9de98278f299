// What `elfin --help` and `elfin help TOPIC` print.
#include "tools/options.h"
#include "tools/version.h"

namespace elfin {

namespace {

constexpr const char* OVERVIEW = R"(elfin - run one Linux x86-64 program as a unikernel in its own VM

Usage:
  elfin run [options] PROGRAM [ARGS...]
      Boot PROGRAM under QEMU. Its output is on your terminal and its exit
      status is elfin's exit status.
  elfin build [options] PROGRAM [ARGS...] -o DIR
      Write DIR/elfin-kernel, DIR/initramfs.cpio and DIR/run, a shell script
      that boots the same VM without elfin (with -p, DIR/elfin-backlog too).
  elfin check [-v] [--json] PROGRAM
      Say whether Elfin can run PROGRAM (and why not), and which system calls
      it and its libraries make that Elfin lacks, without booting anything.
  elfin help [run|build|check]
  elfin --version

Examples:
  elfin run /bin/busybox echo hello
  elfin run --mem 512M --dir ./site:/srv ./server --port 8080
  elfin build ./hello world -o out && out/run

See 'elfin help run' for every option and for what the exit status means.
)";

constexpr const char* RUN_OPTIONS = R"(
Options:
  -m, --mem SIZE        guest memory, e.g. 64M, 512M, 2G (default 128M)
  -e, --env NAME=VALUE  set a variable in the program's environment (repeatable);
                        --env NAME copies NAME's value from here. The default
                        environment is PATH=/usr/local/bin:/usr/bin:/bin, HOME=/
                        and TERM (yours, or linux).
      --file HOST[:GUEST]
                        copy a file into the image (repeatable); without GUEST
                        it goes to the same absolute path. Symlinks are followed.
      --dir HOST[:GUEST]
                        copy a directory tree into the image (repeatable), keeping
                        modes and symlinks; the libraries its ELF files need
                        come too
      --lib PATH        pack a shared library (and the libraries it needs) at
                        its path, for a program that needs one not installed
                        where ld.so looks (repeatable); its directory goes to
                        LD_LIBRARY_PATH when ld.so would not search it
      --cwd DIR         the program's working directory (default /)
      --machine microvm|q35
                        QEMU machine type (default microvm)
      --smp N           number of virtual CPUs (default 1)
      --accel kvm|tcg|auto
                        accelerator (default auto: KVM when QEMU can start a
                        vCPU with /dev/kvm, probed once per host boot and
                        cached; otherwise TCG, which is slower)
      --kernel PATH     Elfin kernel to boot (default $ELFIN_KERNEL, or
                        ../kernel/elfin-kernel next to this tool)
      --net user|none|tap:NAME
                        a virtio-net card on QEMU's user-mode network (no root
                        needed; the guest gets 10.0.2.15 by DHCP), or on the
                        host's tap device NAME (made beforehand with
                        ip tuntap; bridged, no -p); the default is none unless
                        -p is given, which implies user
  -p, --publish [HOSTIP:]HOSTPORT:GUESTPORT[/udp]
                        forward HOSTPORT on this machine (127.0.0.1 unless
                        HOSTIP is given) to GUESTPORT in the VM (repeatable);
                        a host port already taken stops elfin before boot
      --ip ADDRESS/PREFIX
                        a static IPv4 address for the VM instead of DHCP
                        (10.0.2.15/24; on the user network it must be in
                        10.0.2.0/24); implies --net user without --net
      --gateway ADDRESS the default route's gateway, with --ip (10.0.2.2)
      --dns ADDRESS     a DNS server for /etc/resolv.conf, with --ip
                        (repeatable, at most 3; without it the image's own)
      --add-host NAME:ADDRESS
                        a line of the image's /etc/hosts, so getaddrinfo finds
                        NAME at ADDRESS (IPv4 or IPv6) without DNS; repeatable,
                        as docker run --add-host
      --trace           the kernel prints every system call, strace-style
      --no-aslr         fixed load, stack and mmap addresses
      --kernel-debug    verbose kernel log on the console
  -v, --verbose         show what elfin does, including the QEMU command line
                        (and the unimplemented syscalls libc only probes for)
  -h, --help            this help
)";

constexpr const char* RUN_ONLY = R"(      --gdb             start QEMU's gdb stub (port 1234) and wait for a debugger
      --timeout TIME    stop the VM after TIME (30, 30s, 5m, 1h); exit status 124
      --no-cache        build the image again even if an identical one is cached
)";

constexpr const char* RUN_TAIL = R"(
PROGRAM is a path on this machine (or a name looked up in $PATH). It is packed
into the image at the same absolute path, and argv[0] is PROGRAM as you wrote
it. Everything after PROGRAM is passed to the program, options included; use
'--' before a PROGRAM whose name starts with '-'.

A dynamically linked PROGRAM (glibc or musl) gets its loader and every library
it needs, found as ld.so finds them (RPATH, RUNPATH, /etc/ld.so.cache, /lib,
/usr/lib), at the same paths; glibc's NSS modules and common gconv charsets;
for Python, its standard library (without test suites, idlelib, tkinter...),
for Perl, its @INC trees. Every image has a small /etc (passwd, group, hosts,
resolv.conf, nsswitch.conf, hostname, localtime, ld.so.cache) and /tmp, /root,
/home, /run, /var/tmp; --file and --dir replace any of it. -v lists what was
added and the image's size. See docs/packing.md.

Exit status:
  0-255   the program's own exit status
  128+N   the program was killed by signal N (elfin names it on stderr,
          e.g. "Segmentation fault" for 139)
  1       elfin could not build the image or start QEMU, or QEMU failed
  2       the command line is wrong
  70      the Elfin kernel panicked (the panic text is printed)
  71      the VM stopped without reporting how the program ended
  124     --timeout expired
  130     interrupted (Ctrl-C)

When the program calls a system call Elfin does not implement, elfin says so
once per call on stderr (the program gets ENOSYS).

Environment:
  ELFIN_KERNEL         kernel to boot when --kernel is not given
  ELFIN_QEMU           QEMU binary (default qemu-system-x86_64 from $PATH)
  XDG_CACHE_HOME       images are cached in $XDG_CACHE_HOME/elfin
                       (default ~/.cache/elfin)
)";

constexpr const char* BUILD_HEAD = R"(Usage: elfin build [options] PROGRAM [ARGS...] -o DIR

Writes into DIR (created if needed):
  elfin-kernel      the kernel
  initramfs.cpio    the image: PROGRAM, the --file/--dir contents and the launch
                    manifest (argv, environment, working directory)
  run               a POSIX sh script that boots them with QEMU; extra arguments
                    to it are passed to QEMU (e.g. DIR/run -s -S for gdb). Its
                    exit status is the program's, as with elfin run.
  elfin-backlog     with -p: a small static program the run script starts QEMU
                    through. QEMU listens on a published TCP port with a
                    backlog of 1, which makes a burst of connections wait; it
                    raises that backlog, as elfin run does. Without it the run
                    script still works, slower to accept connections.
-o DIR may also come first (needed to pass -o as the program's last argument).
)";

constexpr const char* CHECK_TEXT = R"(Usage: elfin check [-v] [--json] PROGRAM

Says, without booting anything, whether Elfin can run PROGRAM: that it is an
x86-64 Linux ELF executable Elfin can load (what is wrong otherwise), and
which system calls it may make that Elfin does not implement.

It decodes the code of PROGRAM, of its loader and of every shared library it
needs (DT_NEEDED, found through DT_RUNPATH/DT_RPATH and the system library
directories), finds each syscall instruction, and recovers the syscall number
where the code sets eax to a constant just before it. Each number is then
looked up in Elfin's syscall table: implemented, faked (succeeds without doing
what Linux does) or missing (the program gets ENOSYS).

The report starts with a summary line, e.g.
  elfin check: /usr/bin/python3.11 and 5 libraries: 291 syscalls found, 79 implemented, 0 faked, 212 missing
then lists the missing syscalls with the files that make them, the number of
syscall sites whose number is only known at run time (libc's syscall()
wrapper, for one), and a verdict. A syscall being present in the code does not
mean the program makes it: most of libc's are never called by a given program.

Options:
  -v, --verbose         also list the faked ones, every syscall found with its
                        status, each file scanned, and describe the program
                        (static or dynamic, PIE, entry point, TLS)
      --json            the same facts as JSON, on stdout
  -h, --help            this help

Exit status:
  0   Elfin can load it and no syscall known to be missing was found
  1   some syscall is missing, or Elfin cannot run it at all (not an x86-64
      ELF program, uses the 32-bit syscall ABI (int 0x80, sysenter), names a
      loader other than glibc's or musl's), or the file cannot be read
  2   the command line is wrong
)";

} // namespace

bool is_help_topic(std::string_view topic)
{
    return topic == "run" || topic == "build" || topic == "check";
}

std::string help_text(std::string_view topic)
{
    if (topic == "run")
        return std::string("Usage: elfin run [options] PROGRAM [ARGS...]\n\nBoots PROGRAM in a VM under QEMU and waits for it.\n")
            + RUN_OPTIONS + RUN_ONLY + RUN_TAIL;
    if (topic == "build")
        return std::string(BUILD_HEAD) + RUN_OPTIONS + "  -o, --output DIR      where to write (required)\n";
    if (topic == "check") return CHECK_TEXT;
    return OVERVIEW;
}

std::string version_text()
{
    return std::string("elfin ") + VERSION + "\n";
}

} // namespace elfin
