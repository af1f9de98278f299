#!/usr/bin/env python3
"""Elfin's integration test driver: one case per invocation, one VM per case.

    run_case.py --elfin build/tools/elfin --guest-dir build/test/guest CASE
    run_case.py --guest-dir build/test/guest --native CASE   (guest programs on the host)
    run_case.py --list [--native]

A case boots its own VM through `elfin run`, compares what comes back (exit
code, stdout, stderr) with what it must be, and exits 0 when everything matched,
1 with the differences on stderr otherwise (77 = skipped). --native runs a guest
program directly on the host with the same arguments: that proves the guest
programs' own checks are right, whatever the state of the kernel.
"""

import argparse
import hashlib
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile

from harness import (Failure, echo, elfin_environment, first_line, free_port, kill_session, listen_backlog,
                     qemu_shim, raised_backlog, show, start)

BUSYBOX = "/bin/busybox"
MEM = "64M"
RUN_TIMEOUT = 110          # seconds for one `elfin run`; ctest's TIMEOUT is 120
SKIP = 77


def no_core_dumps():
    """The segv case crashes on purpose: leave no core file behind."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class Result:
    def __init__(self, cmd, rc, out, err):
        self.cmd, self.rc, self.out, self.err = cmd, rc, out, err

    def describe(self):
        return (f"command: {' '.join(self.cmd)}\nexit code: {self.rc}\n"
                f"stdout: {show(self.out, 2000)}\nstderr: {show(self.err, 4000)}")

    @property
    def both(self):
        return self.out + b"\n" + self.err


class Context:
    def __init__(self, args, tmp):
        self.elfin = args.elfin
        self.guest_dir = args.guest_dir
        self.native = args.native
        self.smp = args.smp
        self.tmp = tmp
        self.log = []
        # The stand-in QEMU leaves this file when the tool boots a VM.
        self.qemu_marker = os.path.join(tmp, "qemu-started")
        self.shim = qemu_shim(os.path.join(tmp, "shim"), self.qemu_marker)

    def guest(self, name, needs=None):
        path = os.path.join(self.guest_dir, name)
        if not os.path.isfile(path):
            why = f" (it needs Debian's {needs}, which scripts/setup installs)" if needs else ""
            raise Failure(f"guest program {path} is missing: build the guest_programs target{why}")
        return path

    def path(self, name):
        return os.path.join(self.tmp, name)

    def environment(self, env=None):
        return elfin_environment(self.shim, self.path("cache"), env)

    def execute(self, cmd, env=None, stdin=subprocess.DEVNULL):
        self.log.append(" ".join(cmd))
        # A session of its own, so a hung run's QEMU is killed with it.
        proc = start(cmd, self.environment(env), stdin=stdin, preexec_fn=no_core_dumps)
        try:
            out, err = proc.communicate(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            out, err = kill_session(proc)
            raise Failure(f"timed out after {RUN_TIMEOUT} s: {' '.join(cmd)}\n"
                          f"stdout: {show(out, 4000)}\nstderr: {show(err, 4000)}")
        rc = proc.returncode
        if rc < 0:                      # killed by a signal: report it as a shell would
            rc = 128 - rc
        return Result(cmd, rc, out, err)

    def elfin_run(self, program, args=(), options=(), mem=MEM):
        if not self.elfin or not os.path.isfile(self.elfin):
            raise Failure(f"the elfin tool {self.elfin!r} is missing: build it first")
        if os.path.exists(self.qemu_marker):
            os.unlink(self.qemu_marker)
        cmd = [self.elfin, "run", "--timeout", f"{RUN_TIMEOUT - 10}s"]
        if mem:
            cmd += ["--mem", mem]
        if self.smp and "--smp" not in options:   # the smp2.* pass: the same case on N vCPUs
            cmd += ["--smp", str(self.smp)]
        cmd += list(options) + [program] + list(args)
        return self.execute(cmd)

    def qemu_started(self):
        return os.path.exists(self.qemu_marker)


# ---------------------------------------------------------------- assertions

def expect_rc(r, want):
    if r.rc != want:
        raise Failure(f"expected exit code {want}, got {r.rc}\n{r.describe()}")


def expect_out(r, want):
    if r.out != want:
        raise Failure(f"stdout differs\nexpected: {show(want)}\n{r.describe()}")


def expect_contains(r, data, pattern, what):
    if not re.search(pattern, data):
        raise Failure(f"{what}: no match for /{pattern.decode()}/\n{r.describe()}")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- guest programs

def make_fixture(root):
    """The directory files.c expects (see the comment at its top)."""
    os.makedirs(os.path.join(root, "sub"))
    with open(os.path.join(root, "hello.txt"), "wb") as f:
        f.write(b"Hello, Elfin!\n")
    with open(os.path.join(root, "data.bin"), "wb") as f:
        f.write(bytes((i * 7 + 3) & 0xFF for i in range(10000)))
    for name in ("sub/a", "sub/b"):
        open(os.path.join(root, name), "wb").close()
    os.symlink("hello.txt", os.path.join(root, "link"))
    for name in ("hello.txt", "data.bin", "sub/a", "sub/b"):
        os.chmod(os.path.join(root, name), 0o644)
    os.chmod(os.path.join(root, "sub"), 0o755)
    os.chmod(root, 0o755)


def bigwrite_pattern(kind):
    n = 1 << 20
    if kind == "binary":
        return bytes((i * 131 + (i >> 10)) & 0xFF for i in range(n))
    return bytes(10 if i % 64 == 63 else 97 + (i * 7 + i // 64) % 26 for i in range(n))


AUXV_ARGS = ["one", "two words", "", "--not-an-option"]
AUXV_ENV = {"ELFIN_TEST_VAR": "a=b c"}


class Guest:
    """A guest program run in the VM (and natively with --native)."""

    def __init__(self, program, args=(), env=None, rc=0, out=None, fixture=False, check=None,
                 options=(), reports=None, mem=MEM, needs=None):
        self.program, self.args, self.env, self.rc = program, list(args), dict(env or {}), rc
        self.out, self.fixture, self.check, self.options = out, fixture, check, list(options)
        self.reports = reports      # the name in check.h's "NAME: N checks passed" line
        self.mem = mem
        self.needs = needs          # the Debian package that builds the program, if not gcc

    def run(self, ctx):
        args, env = list(self.args), dict(self.env)
        opts = list(self.options)
        if self.fixture:
            host_dir = ctx.path("fixture")
            make_fixture(host_dir)
            if ctx.native:
                args = [os.path.realpath(host_dir)] + args
            else:
                opts += ["--dir", f"{host_dir}:/fixture"]
                args = ["/fixture"] + args
        if self.fixture:
            # For files' ioctl checks: fd 1 is a pipe here, so it is one in the VM
            # too (not a terminal); the VM's /dev/console is a terminal.
            env["EXPECT_STDOUT_TTY"] = "0"
            if not ctx.native:
                env["EXPECT_CONSOLE_TTY"] = "1"
        program = ctx.guest(self.program, self.needs)
        if ctx.native:
            r = ctx.execute([program] + args, env=env)
        else:
            for k, v in env.items():
                opts += ["--env", f"{k}={v}"]
            r = ctx.elfin_run(program, args, opts, mem=self.mem)
        expect_rc(r, self.rc)
        if not ctx.native and not ctx.qemu_started():
            raise Failure(f"the tool ran the program without starting QEMU (or not through $ELFIN_QEMU)\n"
                          f"{r.describe()}")
        if self.out is not None:
            expect_out(r, self.out)
        if self.reports:
            # Proof that the program ran to its end (a silent exit 0 proves nothing).
            pattern = rb"(?m)^" + self.reports.encode() + rb": [1-9][0-9]* checks passed\r?$"
            expect_contains(r, r.out, pattern, "the program's success line on stdout")
        if self.check:
            self.check(ctx, r)


def check_segv(ctx, r):
    if not r.out.startswith(b"before the fault\n"):
        raise Failure(f"the output before the fault is missing\n{r.describe()}")
    if b"after the fault" in r.out:
        raise Failure(f"the program ran on past the fault\n{r.describe()}")
    if not ctx.native:
        expect_contains(r, r.err, rb"Segmentation fault", "stderr")
        # The crash report: the cause, the place (the program's file and offset,
        # the instruction), the registers; the report comes before the shell's words.
        expect_contains(r, r.err, rb"elfin: crash report: SIGSEGV \(SEGV_MAPERR: [^)]*\) at address 0x0 "
                                  rb"in thread \d+ \"segv\"\n", "stderr")
        expect_contains(r, r.err, rb"elfin:   at 0x[0-9a-f]+ in /\S*/segv \+ 0x[0-9a-f]+: mov ", "stderr")
        expect_contains(r, r.err, rb"elfin:   rax [0-9a-f]{16}  rbx [0-9a-f]{16}", "stderr")
        if r.err.find(b"crash report") > r.err.find(b"Segmentation fault"):
            raise Failure(f"the crash report comes after the shell's words\n{r.describe()}")


def killed_by(words, report=None):
    """A program that prints "before", then must die of a signal's default action
    (with a crash report naming `report` when the action dumps core)."""
    def check(ctx, r):
        if not r.out.startswith(b"before\n") or b"after" in r.out:
            raise Failure(f"the program did not stop where the signal struck\n{r.describe()}")
        if not ctx.native:
            expect_contains(r, r.err, words, "stderr")
            if report:
                expect_contains(r, r.err, rb"elfin: crash report: " + report, "stderr")
                expect_contains(r, r.err, rb"elfin:   in a system call made by:\n"
                                          rb"elfin:   at 0x[0-9a-f]+ in /\S*/sigdefault \+ 0x[0-9a-f]+: syscall\n", "stderr")
            elif b"crash report" in r.err:
                raise Failure(f"a crash report for a signal that does not dump core\n{r.describe()}")
    return check


def check_sigbus(ctx, r):
    if not r.out.startswith(b"before the fault: "):
        raise Failure(f"the output before the fault is missing\n{r.describe()}")
    if b"after the fault" in r.out:
        raise Failure(f"the program ran on past the fault\n{r.describe()}")


def check_enosys(ctx, r):
    if ctx.native:
        return
    # The tool reports each syscall the kernel lacks, by name where Linux has one.
    expect_contains(r, r.both, rb"\btuxcall\b", "the report of the unknown syscall tuxcall")
    expect_contains(r, r.both, rb"(?<![0-9])400(?![0-9])", "the report of the unknown syscall 400")


def bigwrite_check(kind):
    def check(ctx, r):
        want = bigwrite_pattern(kind)
        if r.out != want:
            first = next((i for i in range(min(len(want), len(r.out))) if want[i] != r.out[i]),
                         min(len(want), len(r.out)))
            raise Failure(f"stdout: {len(r.out)} bytes, sha256 {sha256(r.out)}; expected "
                          f"{len(want)} bytes, sha256 {sha256(want)}; first difference at byte {first}\n"
                          f"stderr: {show(r.err, 2000)}")
    return check


def same_as_native_on_one_cpu(program, needs, env=None, cpus="0"):
    """The VM's run (one CPU: --smp 1) printed what the program prints natively
    when confined to one CPU (or to `cpus`, for a VM with that many), and
    nothing on stderr (no missing syscall)."""
    def check(ctx, r):
        if ctx.native:
            return
        host = ctx.execute(["taskset", "-c", cpus, ctx.guest(program, needs)], env=env)
        if host.rc != 0 or host.out != r.out:
            raise Failure(f"stdout differs from the native run on CPUs {cpus} (exit {host.rc})\n"
                          f"native: {show(host.out, 2000)}\n{r.describe()}")
        if r.err:
            raise Failure(f"the VM's run wrote to stderr\n{r.describe()}")
    return check


def check_go_crash(ctx, r):
    """goruntime crash: Go's report of an unrecovered SIGSEGV (code and address
    from siginfo), the same in the VM as natively, where the binary is the same."""
    if r.out != b"before the fault\n":
        raise Failure(f"the program did not stop at the fault\n{r.describe()}")
    expect_contains(r, r.err, rb"panic: runtime error: invalid memory address or nil pointer dereference\n"
                    rb"\[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x[0-9a-f]+\]\n", "stderr")
    expect_contains(r, r.err, rb"\ngoroutine 1 \[running\]:\nmain\.crash\(\)", "stderr")
    if not ctx.native:
        host = ctx.execute([ctx.guest("goruntime", "golang-go"), "crash"])
        if host.err != r.err:
            raise Failure(f"stderr differs from the native run\nnative: {show(host.err, 2000)}\n{r.describe()}")


HELLO = b"Hello from Elfin\n"


class Hello(Guest):
    def __init__(self, program, e_type, options=(), out_check=None):
        super().__init__(program, out=HELLO if out_check is None else None, options=options,
                         check=out_check)
        self.e_type = e_type

    def run(self, ctx):
        with open(ctx.guest(self.program), "rb") as f:
            head = f.read(18)
        e_type = int.from_bytes(head[16:18], "little")
        if e_type != self.e_type:
            raise Failure(f"{self.program} has e_type {e_type}, expected {self.e_type}: the build is wrong")
        super().run(ctx)


def check_trace(ctx, r):
    if HELLO not in r.both:
        raise Failure(f"the program's output is missing under --trace\n{r.describe()}")
    # strace style: `[trace] write(1, "Hello from Elfin\n", 17) = 17`
    expect_contains(r, r.both, rb"(?m)\bwrite\(1, [^\n]*\b17\b", "a traced write(")
    # The traced write shows what was written.
    expect_contains(r, r.both, rb"(?m)\bwrite\(1, \"Hello from Elfin", "the traced write's data")


SMP2 = ["--smp", "2"]  # two vCPUs (QEMU runs them on two host threads: MTTCG)


STATIC_IP = ["--ip", "10.0.2.20/24", "--gateway", "10.0.2.2"]


class EchoServer:
    """sockets.c's `serve PORT COUNT`, published with -p PORT:PORT in the VM:
    this driver connects from the host COUNT times, one connection after
    another, sends 1 MiB (then less), shuts down its side and must get every
    byte back, in order. In the VM, QEMU's socket listening on PORT must have
    the backlog raised (tools/port_backlog.h: QEMU listens with 1). `options`
    go to elfin run (a static address); `built`: the VM is booted by the run
    script of `elfin build`, not by `elfin run`."""

    def __init__(self, options=(), count=1, built=False):
        self.options, self.count, self.built = list(options), count, built

    def command(self, ctx, port):
        program = ctx.guest("sockets")
        serve = ["serve", str(port), str(self.count)]
        if ctx.native:
            return [program] + serve
        if os.path.exists(ctx.qemu_marker):
            os.unlink(ctx.qemu_marker)
        options = ["--mem", MEM] + (["--smp", str(ctx.smp)] if ctx.smp else [])   # the smp2.* pass
        options += self.options + ["-p", f"{port}:{port}", program] + serve
        if not self.built:
            return [ctx.elfin, "run", "--timeout", f"{RUN_TIMEOUT - 10}s"] + options
        image = ctx.path("image")
        r = ctx.execute([ctx.elfin, "build", "-o", image] + options)
        expect_rc(r, 0)
        if not os.access(os.path.join(image, "elfin-backlog"), os.X_OK):
            raise Failure(f"elfin build wrote no elfin-backlog next to the run script\n{r.describe()}")
        return [os.path.join(image, "run")]

    def run(self, ctx):
        port = free_port()
        cmd = self.command(ctx, port)
        proc = start(cmd, ctx.environment())
        sent, back = [], []
        try:
            first = first_line(proc, RUN_TIMEOUT / 2, "'listening' line from the server")
            if first != b"listening on %d\n" % port:
                raise Failure(f"the server said {first!r}")
            # QEMU opened its listener before the VM ran: its backlog is raised by now.
            backlog = None if ctx.native else listen_backlog(port)
            for i in range(self.count):
                size = (1 << 20) if i == 0 else 1000 * i + 1
                sent.append(bytes((j * 31 + (j >> 8) + i) & 0xFF for j in range(size)))
                back.append(echo(("127.0.0.1", port), sent[-1], RUN_TIMEOUT / 2))
            out, err = proc.communicate(timeout=RUN_TIMEOUT / 2)
        finally:
            kill_session(proc)
        r = Result(cmd, proc.returncode, first + out, err)
        for i, (data, got) in enumerate(zip(sent, back)):
            if got != data:
                raise Failure(f"echo {i + 1} of {self.count}: sent {len(data)} bytes (sha256 {sha256(data)}), "
                              f"got {len(got)} back (sha256 {sha256(got)})\n{r.describe()}")
        if backlog is not None and backlog != raised_backlog():
            raise Failure(f"QEMU's socket listening on port {port} has a backlog of {backlog}, "
                          f"not {raised_backlog()}: not raised\n{r.describe()}")
        if not ctx.native and backlog is None:
            raise Failure(f"ss shows nothing listening on port {port} while the VM served it\n{r.describe()}")
        expect_rc(r, 0)
        counts = b"".join(b"echoed %d bytes\n" % len(data) for data in sent)
        expect_contains(r, r.out, rb"(?m)^" + re.escape(counts), "the server's byte counts")
        expect_contains(r, r.out, rb"(?m)^sockets: [1-9][0-9]* checks passed$", "the success line")
        if not ctx.native and not ctx.qemu_started():
            raise Failure(f"the tool ran the program without starting QEMU\n{r.describe()}")


GUESTS = {
    "files": Guest("files", fixture=True, reports="files"),
    "fsops": Guest("fsops", fixture=True, reports="fsops"),
    "procfs": Guest("procfs", ["one", "two words", ""], reports="procfs"),
    "memory": Guest("memory", reports="memory"),
    "memory-pie": Guest("memory-pie", reports="memory"),
    "mmap": Guest("mmap", reports="mmap"),
    "mmap-sigbus": Guest("mmap", ["sigbus"], rc=135, check=check_sigbus),
    "mmap-sigbus-truncate": Guest("mmap", ["sigbus-truncate"], rc=135, check=check_sigbus),
    "process": Guest("process", reports="process"),
    "time": Guest("time", reports="time"),
    "rusage": Guest("rusage", reports="rusage"),
    "signals": Guest("signals", reports="signals"),
    "sigframe": Guest("sigframe", reports="sigframe"),
    "sigthreads": Guest("sigthreads", reports="sigthreads"),
    "sig-abort": Guest("sigdefault", ["abort"], rc=134, check=killed_by(rb"Aborted", rb"SIGABRT killed the program")),
    "sig-alarm": Guest("sigdefault", ["alarm"], rc=142, check=killed_by(rb"Alarm clock")),
    "sig-alarm-read": Guest("sigdefault", ["alarm-read"], rc=142, check=killed_by(rb"Alarm clock")),
    "sig-term": Guest("sigdefault", ["term"], rc=143, check=killed_by(rb"Terminated")),
    "sig-pipe": Guest("sigdefault", ["pipe"], rc=141, check=killed_by(rb"")),  # bash says nothing
    "errors": Guest("errors", reports="errors"),
    "enosys": Guest("enosys", check=check_enosys, reports="enosys"),
    "auxv": Guest("auxv", AUXV_ARGS, AUXV_ENV, reports="auxv"),
    "auxv-pie": Guest("auxv-pie", AUXV_ARGS, AUXV_ENV, reports="auxv"),
    "auxv-no-aslr": Guest("auxv-pie", AUXV_ARGS, AUXV_ENV, options=["--no-aslr"], reports="auxv"),
    "cxx": Guest("cxx", out=b"cxx: unikernel-xxx 3 14 3.5\n"),
    "cxx-dyn": Guest("cxx-dyn", out=b"cxx: unikernel-xxx 3 14 3.5\n"),
    "threads": Guest("threads", reports="threads"),
    "poll": Guest("poll", reports="poll"),
    "epoll": Guest("epoll", reports="epoll"),
    # SMP: threads on every CPU at once, TLB shootdown (smp.c); SMP_EXPECT_SPREAD
    # makes it require that free spinning threads were spread over the CPUs.
    "smp": Guest("smp", reports="smp"),
    "smp-2": Guest("smp", options=SMP2 + ["--env", "SMP_EXPECT_SPREAD=1"], reports="smp"),
    "smp-q35-2": Guest("smp", options=SMP2 + ["--machine", "q35", "--env", "SMP_EXPECT_SPREAD=1"], reports="smp"),
    "threads-smp2": Guest("threads", options=SMP2, reports="threads"),
    "sigthreads-smp2": Guest("sigthreads", options=SMP2, reports="sigthreads"),
    "signals-smp2": Guest("signals", options=SMP2, reports="signals"),
    "poll-smp2": Guest("poll", options=SMP2, reports="poll"),
    "epoll-smp2": Guest("epoll", options=SMP2, reports="epoll"),
    "procfs-smp2": Guest("procfs", ["one", "two words", ""], options=SMP2, reports="procfs"),


    "sockets": Guest("sockets", reports="sockets"),
    "sockets-echo": EchoServer(),
    "netlink": Guest("netlink", reports="netlink"),
    # With a card: eth0 and the address QEMU's user network leases.
    "netlink-eth0": Guest("netlink", ["eth0", "10.0.2.15", "dhcp", "10.0.2.2"], options=["--net", "user"], reports="netlink"),
    # A static address instead of DHCP's 10.0.2.15: the program sees it, and a
    # published port reaches it (QEMU's forward must aim at it, not at .15).
    "netlink-static": Guest("netlink", ["eth0", "10.0.2.20", "static", "10.0.2.2"], options=STATIC_IP, reports="netlink"),
    "sockets-echo-static": EchoServer(options=STATIC_IP),
    "unix": Guest("unix", reports="unix"),
    "unixgc": Guest("unixgc", reports="unixgc"),
    "timers": Guest("timers", reports="timers"),
    "hello": Hello("hello", 2),
    "hello-pie": Hello("hello-pie", 3),
    "hello-dyn": Hello("hello-dyn", 3),            # glibc-dynamic PIE, as Debian builds
    "hello-dyn-nopie": Hello("hello-dyn-nopie", 2),  # glibc-dynamic ET_EXEC
    "hello-q35": Hello("hello", 2, options=["--machine", "q35"]),
    "exit42": Guest("exit42", rc=42, out=b"exiting with 42\natexit ran\n"),
    "segv": Guest("segv", rc=139, check=check_segv),
    "bigwrite-binary": Guest("bigwrite", ["binary"], check=bigwrite_check("binary")),
    "bigwrite-text": Guest("bigwrite", ["text"], check=bigwrite_check("text")),
    "vdso": Guest("vdso", reports="vdso"),
    "vdso-pie": Guest("vdso-pie", reports="vdso"),
    "vdso-no-aslr": Guest("vdso", options=["--no-aslr"], reports="vdso"),
    "vdso-dynamic": Guest("vdso-dynamic", reports="vdso"),
    # Go's runtime: threads, signals (SIGSEGV -> panic, SIGURG preemption), epoll, timers.
    "goruntime": Guest("goruntime", reports="goruntime", mem="256M", options=["--smp", "1"], needs="golang-go",
                       check=same_as_native_on_one_cpu("goruntime", "golang-go")),
    # Four Ps on one CPU: four threads running Go code, preempting each other.
    "goruntime-4p": Guest("goruntime", env={"GOMAXPROCS": "4"}, reports="goruntime", mem="256M",
                          options=["--smp", "1"], needs="golang-go",
                          check=same_as_native_on_one_cpu("goruntime", "golang-go", {"GOMAXPROCS": "4"})),
    # Two CPUs: Go's threads run in parallel (GOMAXPROCS 2), compared with a native run on two.
    "goruntime-smp2": Guest("goruntime", reports="goruntime", mem="256M", options=SMP2, needs="golang-go",
                            check=same_as_native_on_one_cpu("goruntime", "golang-go", cpus="0,1")),
    "goruntime-crash": Guest("goruntime", ["crash"], rc=2, mem="256M", needs="golang-go", check=check_go_crash),
}
# Cases that exist only in the VM: they test the tool, not the program.
VM_ONLY_GUESTS = {"hello-q35", "auxv-no-aslr", "vdso-no-aslr", "smp-2", "smp-q35-2", "threads-smp2",
                  "sigthreads-smp2", "signals-smp2", "poll-smp2", "epoll-smp2", "procfs-smp2", "goruntime-smp2",
                  "netlink-eth0", "netlink-static", "sockets-echo-static"}


def case_vdso_trace(ctx):
    """glibc answers the clock calls from the vDSO: none reach the kernel."""
    for program in ("vdso", "vdso-dynamic"):
        r = ctx.elfin_run(ctx.guest(program), ["glibc"], options=["--trace"])
        expect_rc(r, 0)
        expect_contains(r, r.out, rb"(?m)^vdso: [1-9][0-9]* checks passed", "the program's success line")
        expect_contains(r, r.both, rb"\[trace\] write\(1, ", "a traced write (is --trace on?)")
        m = re.search(rb"\[trace\] (clock_gettime|gettimeofday|time|clock_getres|getcpu)\(", r.both)
        if m:
            raise Failure(f"{program}: {m.group(1).decode()} went to the kernel, not the vDSO\n{r.describe()}")


def case_trace(ctx):
    r = ctx.elfin_run(ctx.guest("hello"), options=["--trace"])
    expect_rc(r, 0)
    check_trace(ctx, r)


# ---------------------------------------------------------------- busybox

def busybox_host(args, **kw):
    return subprocess.run([BUSYBOX] + args, capture_output=True, **kw)


def need_busybox():
    if not os.path.isfile(BUSYBOX):
        raise Failure(f"{BUSYBOX} is missing: install busybox-static (scripts/setup does)")


def case_bb_echo(ctx):
    need_busybox()
    host = busybox_host(["echo", "hello"])
    r = ctx.elfin_run(BUSYBOX, ["echo", "hello"])
    expect_rc(r, 0)
    expect_out(r, host.stdout)
    if host.stdout != b"hello\n":
        raise Failure(f"the host's busybox echo printed {show(host.stdout)}")


def case_bb_uname(ctx):
    need_busybox()
    r = ctx.elfin_run(BUSYBOX, ["uname", "-s", "-m"])
    expect_rc(r, 0)
    expect_out(r, b"Linux x86_64\n")


# Entries the kernel may add to the root next to what the image packs.
# The kernel's /dev, /proc, /sys; the tool's default /etc and directories (docs/packing.md).
ROOT_MAY_HAVE = {"dev", "proc", "sys", "tmp", "etc", "home", "root", "run", "var"}


def case_bb_ls_root(ctx):
    need_busybox()
    d = ctx.path("srv")
    os.makedirs(os.path.join(d, "inner"))
    with open(os.path.join(d, "inner", "f"), "w") as f:
        f.write("x\n")
    with open(ctx.path("x.txt"), "w") as f:
        f.write("x\n")
    r = ctx.elfin_run(BUSYBOX, ["ls", "-1a", "/"],
                      options=["--file", f"{ctx.path('x.txt')}:/data/x.txt", "--dir", f"{d}:/srv"])
    expect_rc(r, 0)
    names = r.out.decode("utf-8", "replace").split("\n")
    if names[-1] != "":
        raise Failure(f"ls output does not end in a newline\n{r.describe()}")
    names = set(names[:-1])
    # The program is packed at its own absolute path (through /bin, or /usr/bin
    # where the tool resolves Debian's /bin -> usr/bin link).
    program_top = {"bin", "usr"} & names
    if not program_top:
        raise Failure(f"ls / shows neither bin nor usr, where busybox was packed\n{r.describe()}")
    missing = {".", "..", "data", "srv"} - names
    if missing:
        raise Failure(f"ls / lacks {sorted(missing)}\n{r.describe()}")
    if ".elfin" in names:
        raise Failure(f"the launch manifest .elfin is visible to the program\n{r.describe()}")
    extra = names - {".", "..", "data", "srv"} - program_top - ROOT_MAY_HAVE
    if extra:
        raise Failure(f"ls / shows unexpected entries {sorted(extra)}\n{r.describe()}")
    r = ctx.elfin_run(BUSYBOX, ["ls", "-1", "/srv/inner"], options=["--dir", f"{d}:/srv"])
    expect_rc(r, 0)
    expect_out(r, b"f\n")


def case_bb_cat(ctx):
    need_busybox()
    import base64
    raw = os.urandom(150 * 1024)
    text = b"".join(base64.encodebytes(raw[i:i + 57]) for i in range(0, len(raw), 57))
    text += "ünïcødé line\nno newline at the end".encode()
    src = ctx.path("input.txt")
    with open(src, "wb") as f:
        f.write(text)
    r = ctx.elfin_run(BUSYBOX, ["cat", "/in/input.txt"], options=["--file", f"{src}:/in/input.txt"])
    expect_rc(r, 0)
    if r.out != text:
        raise Failure(f"cat printed {len(r.out)} bytes (sha256 {sha256(r.out)}), the file has "
                      f"{len(text)} (sha256 {sha256(text)})\nstderr: {show(r.err)}")
    r = ctx.elfin_run(BUSYBOX, ["cat", "/in/missing"], options=["--file", f"{src}:/in/input.txt"])
    expect_rc(r, 1)
    expect_contains(r, r.both, rb"No such file or directory", "cat's error")


def case_bb_sha256sum(ctx):
    need_busybox()
    data = os.urandom(300 * 1024 + 123)
    src = ctx.path("random.bin")
    with open(src, "wb") as f:
        f.write(data)
    host = subprocess.run(["sha256sum", src], capture_output=True, check=True).stdout
    want_hash = host.split()[0]
    if want_hash.decode() != sha256(data):
        raise Failure("the host's sha256sum disagrees with Python's hashlib")
    r = ctx.elfin_run(BUSYBOX, ["sha256sum", "/in/random.bin"],
                      options=["--file", f"{src}:/in/random.bin"])
    expect_rc(r, 0)
    expect_out(r, want_hash + b"  /in/random.bin\n")


# Builtins only: the kernel has no fork, so no pipes and no command substitution.
SH_SCRIPT = r'''
x=5
y=$((x * 7 + 1))
echo "x=$x y=$y"
for i in 1 2 3; do printf '%s-%d\n' "$i" $((i * i)); done
if [ "$y" -eq 36 ]; then echo "y is 36"; else echo "y is not 36"; fi
test -n "$x" && echo "x is set"
[ -z "$unset_var" ] && echo "unset is empty"
s="hello.tar.gz"
echo "${#s} ${s%%.*} ${s#*.} ${s%.gz}"
n=0
while [ $n -lt 5 ]; do n=$((n + 1)); done
echo "n=$n"
add() { echo $(( $1 + $2 )); }
add 40 2
case "$s" in *.gz) echo gzip;; *) echo other;; esac
printf '%05d|%x|%-4s|%s\n' 42 255 ab "quoted words"
set -- a b c
echo "$# args: $*"
false || echo "false failed"
echo "status $?"
exit 3
'''


def case_bb_sh(ctx):
    need_busybox()
    host = busybox_host(["sh", "-c", SH_SCRIPT], env={"PATH": "/nonexistent"})
    if host.returncode != 3 or b"y is 36" not in host.stdout:
        raise Failure(f"the script misbehaves on the host: {host.returncode} {show(host.stdout)}")
    r = ctx.elfin_run(BUSYBOX, ["sh", "-c", SH_SCRIPT])
    expect_rc(r, 3)
    expect_out(r, host.stdout)


# ---------------------------------------------------------------- the tool's errors

REASONS = {
    "not-elf": rb"(?i)not an? (elf|executable)|\belf\b.*(magic|header)|magic",
    "not-elf-data": rb"(?i)not an? (elf|executable)|\belf\b.*(magic|header)|magic",
    "truncated-header": rb"(?i)truncat|too (short|small)|short|incomplete|end of file",
    "truncated-segments": rb"(?i)truncat|too (short|small)|short|incomplete|beyond|past|outside|end of file",
    "elf32": rb"(?i)32-bit|elfclass32|\bclass\b|64-bit",
    "aarch64": rb"(?i)aarch64|arm64|machine|architecture|x86[-_]64",
}


def bad_elf(ctx, kind):
    with open(ctx.guest("hello"), "rb") as f:
        elf = bytearray(f.read())
    if kind == "not-elf":
        data = b"#!/bin/sh\necho this is a shell script\n"
    elif kind == "not-elf-data":
        data = bytes(range(256)) * 16
    elif kind == "truncated-header":
        data = bytes(elf[:40])
    elif kind == "truncated-segments":
        data = bytes(elf[:4096])           # all headers, but the segments end early
    elif kind == "elf32":
        elf[4] = 1                         # EI_CLASS = ELFCLASS32
        elf[18:20] = (3).to_bytes(2, "little")   # EM_386
        data = bytes(elf)
    elif kind == "aarch64":
        elf[18:20] = (183).to_bytes(2, "little")  # EM_AARCH64
        data = bytes(elf)
    os.makedirs(ctx.path(kind))
    path = ctx.path(f"{kind}/program")     # a name that says nothing of what is wrong
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o755)
    return path


def tool_error_case(kind):
    def case(ctx):
        path = bad_elf(ctx, kind)
        r = ctx.elfin_run(path)
        if r.rc == 0:
            raise Failure(f"elfin accepted a bad program ({kind})\n{r.describe()}")
        lines = [line for line in r.both.split(b"\n") if line.strip()]
        if len(lines) != 1:
            raise Failure(f"expected a one-line message, got {len(lines)} lines\n{r.describe()}")
        expect_contains(r, lines[0], REASONS[kind], f"the message for {kind}")
        if ctx.qemu_started():
            raise Failure(f"elfin started QEMU for a program it cannot run\n{r.describe()}")
    return case


# ---------------------------------------------------------------- networking

NET_LEASE = rb"(?m)^elfin: status channel: net eth0 10\.0\.2\.15/24 gateway 10\.0\.2\.2 dns 10\.0\.2\.3\r?$"


def case_net_dhcp(ctx):
    """--net user: the kernel gets QEMU's DHCP lease, tells the tool, and
    writes /etc/resolv.conf from the lease's DNS server (over the image's own)."""
    stale = ctx.path("resolv.conf")
    with open(stale, "w") as f:
        f.write("nameserver 192.0.2.1\n")
    r = ctx.elfin_run(BUSYBOX, ["cat", "/etc/resolv.conf"],
                      ["-v", "--net", "user", "--file", f"{stale}:/etc/resolv.conf"])
    expect_rc(r, 0)
    expect_contains(r, r.err, NET_LEASE, "the DHCP lease line")
    expect_out(r, b"nameserver 10.0.2.3\n")


def case_net_dhcp_q35(ctx):
    """The same on q35: virtio-net-pci, modern, with MSI-X."""
    r = ctx.elfin_run(BUSYBOX, ["cat", "/etc/resolv.conf"], ["-v", "--machine", "q35", "--net", "user"])
    expect_rc(r, 0)
    expect_contains(r, r.err, rb"virtio-net-pci,netdev=n0", "the PCI card on QEMU's command line")
    expect_contains(r, r.err, NET_LEASE, "the DHCP lease line")
    expect_out(r, b"nameserver 10.0.2.3\n")


def case_net_none(ctx):
    """Without --net or -p there is no card: no lease, the image's resolv.conf."""
    r = ctx.elfin_run(BUSYBOX, ["cat", "/etc/resolv.conf"], ["-v"])
    expect_rc(r, 0)
    if b"status channel: net " in r.err or b"-netdev" in r.err:
        raise Failure(f"a network card without --net or -p\n{r.describe()}")
    expect_out(r, b"nameserver 10.0.2.3\n")


def case_net_port_in_use(ctx):
    """-p with a host port already taken: one line naming it, and no VM."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        r = ctx.elfin_run(BUSYBOX, ["true"], ["-p", f"{port}:80"])
    if r.rc == 0:
        raise Failure(f"elfin ran with a published port already in use\n{r.describe()}")
    lines = [line for line in r.both.split(b"\n") if line.strip()]
    if len(lines) != 1:
        raise Failure(f"expected a one-line message, got {len(lines)} lines\n{r.describe()}")
    expect_contains(r, lines[0], rb"port %d on 127\.0\.0\.1 is already in use" % port, "the message")
    if ctx.qemu_started():
        raise Failure(f"elfin started QEMU although the port was taken\n{r.describe()}")


def case_net_static(ctx):
    """--ip/--gateway/--dns: no DHCP; the status line says the static address
    and the kernel rewrites /etc/resolv.conf from --dns (over a stale one)."""
    stale = ctx.path("resolv.conf")
    with open(stale, "w") as f:
        f.write("nameserver 192.0.2.1\n")
    r = ctx.elfin_run(BUSYBOX, ["cat", "/etc/resolv.conf"],
                      ["-v", "--ip", "10.0.2.20/24", "--gateway", "10.0.2.2", "--dns", "10.0.2.3", "--dns", "192.0.2.53",
                       "--file", f"{stale}:/etc/resolv.conf"])
    expect_rc(r, 0)
    expect_contains(r, r.err, rb"(?m)^elfin: status channel: net eth0 10\.0\.2\.20/24 gateway 10\.0\.2\.2 dns 10\.0\.2\.3\r?$",
                    "the static address on the status channel")
    expect_contains(r, r.err, rb"-netdev user,id=n0", "the user network (implied by --ip)")
    expect_out(r, b"nameserver 10.0.2.3\nnameserver 192.0.2.53\n")


IP = "/bin/ip"


def need_ip():
    if not os.path.isfile(IP):
        print(f"skipped: {IP} is missing (Debian's iproute2)")
        sys.exit(SKIP)


def expect_quiet(r):
    if r.err.strip():
        raise Failure(f"ip wrote to stderr\n{r.describe()}")


def case_net_ip(ctx):
    """Debian's iproute2 over netlink: `ip -o addr` lists lo and eth0 with their
    addresses, as it does on Linux, and complains about nothing."""
    need_ip()
    r = ctx.elfin_run(IP, ["-o", "addr"], ["--net", "user"])
    expect_rc(r, 0)
    expect_contains(r, r.out, rb"(?m)^1: lo +inet 127\.0\.0\.1/8 scope host lo", "lo's IPv4 address")
    expect_contains(r, r.out, rb"(?m)^1: lo +inet6 ::1/128 scope host", "lo's IPv6 address")
    expect_contains(r, r.out, rb"(?m)^2: eth0 +inet 10\.0\.2\.15/24 brd 10\.0\.2\.255 scope global dynamic eth0\\ +"
                    rb"valid_lft [1-9][0-9]*sec preferred_lft [1-9][0-9]*sec$", "eth0's leased address, with its lifetime")
    expect_contains(r, r.out, rb"(?m)^2: eth0 +inet6 fe80::[0-9a-f:]+/64 scope link", "eth0's link-local address")
    expect_quiet(r)


def case_net_ip_route(ctx):
    """Debian's iproute2 over netlink: `ip -6 route` lists eth0's fe80::/64 as
    Linux does, and `ip route get` answers through the gateway from the lease."""
    need_ip()
    r = ctx.elfin_run(IP, ["-6", "route"], ["--net", "user"])
    expect_rc(r, 0)
    expect_contains(r, r.out, rb"(?m)^fe80::/64 dev eth0 proto kernel metric 256 pref medium$", "eth0's link-local route")
    expect_quiet(r)
    r = ctx.elfin_run(IP, ["route", "get", "192.0.2.1"], ["--net", "user"])
    expect_rc(r, 0)
    expect_contains(r, r.out, rb"(?m)^192\.0\.2\.1 via 10\.0\.2\.2 dev eth0 src 10\.0\.2\.15 *\n +cache", "the route through the gateway")
    expect_quiet(r)


GETENT = "/usr/bin/getent"   # Debian's libc-bin: `getent ahosts` is glibc's getaddrinfo
HOSTS = ["--add-host", "db.elfin.test:192.0.2.7", "--add-host", "v6.elfin.test:2001:db8::7"]


def ahosts(address, name):
    """What `getent ahosts NAME` prints for one address: a line per socket type."""
    return (f"{address:<15} STREAM {name}\n{address:<15} DGRAM  \n{address:<15} RAW    \n").encode()


def need_getent():
    if not os.path.isfile(GETENT):
        raise Failure(f"{GETENT} is missing (Debian's libc-bin)")


def case_net_hosts(ctx):
    """--add-host with --net user: glibc's getaddrinfo finds names that exist
    only in the image's /etc/hosts (IPv4 and IPv6)."""
    need_getent()
    for name, address in (("db.elfin.test", "192.0.2.7"), ("v6.elfin.test", "2001:db8::7")):
        r = ctx.elfin_run(GETENT, ["ahosts", name], ["--net", "user"] + HOSTS)
        expect_rc(r, 0)
        expect_out(r, ahosts(address, name))


def case_net_hosts_none(ctx):
    """The same without a network card; a name in no file is not found (getent's 2)."""
    need_getent()
    r = ctx.elfin_run(GETENT, ["ahosts", "v6.elfin.test"], HOSTS)
    expect_rc(r, 0)
    expect_out(r, ahosts("2001:db8::7", "v6.elfin.test"))
    r = ctx.elfin_run(GETENT, ["ahosts", "missing.elfin.test"], HOSTS)
    expect_rc(r, 2)
    expect_out(r, b"")


def case_net_hosts_own(ctx):
    """--add-host appends to an /etc/hosts the person packed."""
    own = ctx.path("hosts")
    with open(own, "w") as f:
        f.write("127.0.0.1 localhost\n10.0.2.2 gateway.elfin.test")   # no final newline
    r = ctx.elfin_run(BUSYBOX, ["cat", "/etc/hosts"], ["--file", f"{own}:/etc/hosts"] + HOSTS)
    expect_rc(r, 0)
    expect_out(r, b"127.0.0.1 localhost\n10.0.2.2 gateway.elfin.test\n"
                  b"192.0.2.7\tdb.elfin.test\n2001:db8::7\tv6.elfin.test\n")


# ---------------------------------------------------------------- the case table

def guest_case(name):
    def case(ctx):
        g = GUESTS[name]
        g.run(ctx)
    return case


CASES = {}            # name -> (function, label)
for _name in GUESTS:
    CASES[_name] = (guest_case(_name), "guest")
CASES["trace"] = (case_trace, "integration")
CASES["vdso-trace"] = (case_vdso_trace, "integration")
CASES["bb-echo"] = (case_bb_echo, "integration")
CASES["bb-uname"] = (case_bb_uname, "integration")
CASES["bb-ls-root"] = (case_bb_ls_root, "integration")
CASES["bb-cat"] = (case_bb_cat, "integration")
CASES["bb-sha256sum"] = (case_bb_sha256sum, "integration")
CASES["bb-sh"] = (case_bb_sh, "integration")
CASES["net-dhcp"] = (case_net_dhcp, "integration")
CASES["net-dhcp-q35"] = (case_net_dhcp_q35, "integration")
CASES["net-none"] = (case_net_none, "integration")
CASES["net-port-in-use"] = (case_net_port_in_use, "integration")
CASES["net-hosts"] = (case_net_hosts, "integration")
CASES["net-hosts-none"] = (case_net_hosts_none, "integration")
CASES["net-hosts-own"] = (case_net_hosts_own, "integration")
CASES["net-ip"] = (case_net_ip, "integration")
CASES["net-ip-route"] = (case_net_ip_route, "integration")
CASES["net-static"] = (case_net_static, "integration")
# The run script of `elfin build -p`: QEMU's listener gets the raised backlog
# there too (through elfin-backlog), and serves connection after connection.
CASES["build-run-published"] = (EchoServer(count=20, built=True).run, "integration")
for _kind in REASONS:
    CASES[f"tool-error-{_kind}"] = (tool_error_case(_kind), "integration")

NATIVE_CASES = [n for n in GUESTS if n not in VM_ONLY_GUESTS]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--elfin", help="the elfin tool")
    ap.add_argument("--guest-dir", help="where the guest programs were built")
    ap.add_argument("--native", action="store_true", help="run a guest program on the host")
    ap.add_argument("--list", action="store_true", help="print the case names (NAME LABEL)")
    ap.add_argument("--smp", type=int, metavar="N",
                    help="boot every VM with N vCPUs, unless the case asks for a number itself")
    ap.add_argument("case", nargs="?")
    args = ap.parse_args()

    if args.list:
        for name in (NATIVE_CASES if args.native else CASES):
            print(name, "native" if args.native else CASES[name][1])
        return 0
    if args.case not in (NATIVE_CASES if args.native else CASES):
        ap.error(f"unknown case {args.case!r} (--list shows them)")
    if args.native and args.case not in GUESTS:
        ap.error("--native runs guest programs only")
    if args.guest_dir:
        args.guest_dir = os.path.abspath(args.guest_dir)
    if args.elfin:
        args.elfin = os.path.abspath(args.elfin)

    with tempfile.TemporaryDirectory(prefix=f"elfin-{args.case}-") as tmp:
        ctx = Context(args, tmp)
        try:
            CASES[args.case][0](ctx)
        except Failure as f:
            print(f"FAIL {args.case}: {f}", file=sys.stderr)
            return 1
    print(f"PASS {args.case}{' (native)' if args.native else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
