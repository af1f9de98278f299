#!/usr/bin/env python3
"""Debian's servers in Elfin, their clients on the host: one case per invocation.

    server_case.py --elfin build/tools/elfin CASE
    server_case.py --list

Each case boots one VM through `elfin run -p HOSTPORT:GUESTPORT`, the server
inside, and drives it with Debian's own clients on the host (curl, wrk,
redis-cli, redis-benchmark, python sockets), reaching the guest through QEMU's
user-mode network. The host ports are picked free (bound with port 0 first).
A case ends by stopping the VM as a person would: SIGTERM to the elfin tool,
which must take QEMU down with it. Exit 0 when every check passed, 1 with the
differences on stderr. A missing client or server is a failure, never a skip:
scripts/setup installs them all.
"""

import argparse
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from harness import Failure, elfin_environment, free_port, kill_session, qemu_shim, show, start

BOOT_TIMEOUT = 60      # seconds for the server to answer its first request under TCG
STEP_TIMEOUT = 60      # seconds for one client run
VM_TIMEOUT = 170       # the tool's own --timeout: ctest's TIMEOUT is 180


def need(program):
    """A client or server from Debian: its absolute path, or a failure naming the package."""
    path = shutil.which(program) or (program if os.path.isabs(program) and os.access(program, os.X_OK) else None)
    if not path:
        raise Failure(f"{program} is missing on the host: scripts/setup installs it (nginx, redis-server, "
                      f"redis-tools, wrk, curl, python3)")
    return path


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Vm:
    """One `elfin run` in its own session, its output collected in files."""

    def __init__(self, ctx, name, program, args, options, mem):
        self.ctx = ctx
        self.out_path = os.path.join(ctx.tmp, f"{name}.out")
        self.err_path = os.path.join(ctx.tmp, f"{name}.err")
        self.qemu_pid_path = os.path.join(ctx.tmp, "qemu.pid")
        # QEMU's pid, from the stand-in: after the stop, the test checks no QEMU is left.
        shim = qemu_shim(os.path.join(ctx.tmp, "shim"), self.qemu_pid_path)
        env = elfin_environment(shim, os.path.join(ctx.tmp, "cache"))
        self.cmd = [ctx.elfin, "run", "--timeout", f"{VM_TIMEOUT}s", "--mem", mem, "--smp", "1"]
        self.cmd += list(options) + [program] + list(args)
        ctx.log.append(" ".join(self.cmd))
        # Appending: the tool and QEMU both write to the same stderr.
        self.out = open(self.out_path, "ab")
        self.err = open(self.err_path, "ab")
        self.proc = start(self.cmd, env, stdout=self.out, stderr=self.err)

    def output(self):
        with open(self.out_path, "rb") as f:
            out = f.read()
        with open(self.err_path, "rb") as f:
            err = f.read()
        return out, err

    def describe(self):
        out, err = self.output()
        rc = self.proc.poll()
        return (f"VM: {' '.join(self.cmd)}\nVM exit code: {'running' if rc is None else rc}\n"
                f"VM stdout: {show(out, 3000)}\nVM stderr: {show(err, 6000)}")

    def check_running(self, what):
        if self.proc.poll() is not None:
            raise Failure(f"the VM ended during {what}\n{self.describe()}")

    def wait_for_output(self, pattern, what):
        """Until the server prints `pattern` (stdout or stderr)."""
        deadline = time.monotonic() + BOOT_TIMEOUT
        while time.monotonic() < deadline:
            out, err = self.output()
            if re.search(pattern, out) or re.search(pattern, err):
                return
            self.check_running(what)
            time.sleep(0.2)
        raise Failure(f"no {what} within {BOOT_TIMEOUT} s\n{self.describe()}")

    def qemu_pid(self):
        try:
            with open(self.qemu_pid_path) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def stop(self):
        """SIGTERM to the tool, as a person stops a server: the tool and its QEMU must end."""
        qemu = self.qemu_pid()
        if self.proc.poll() is not None:
            raise Failure(f"the VM ended before it was stopped\n{self.describe()}")
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            raise Failure(f"the tool did not end within 15 s of SIGTERM\n{self.describe()}")
        if qemu is None:
            raise Failure(f"QEMU never started\n{self.describe()}")
        for _ in range(50):
            if not os.path.exists(f"/proc/{qemu}") or _zombie(qemu):
                break
            time.sleep(0.1)
        else:
            raise Failure(f"QEMU (pid {qemu}) still runs after the tool ended\n{self.describe()}")
        out, err = self.output()
        # The tool reports the signal it was stopped by, and nothing went wrong inside.
        for bad in (rb"(?i)panic", rb"killed by signal", rb"QEMU exited"):
            if re.search(bad, err):
                raise Failure(f"the VM's stderr has /{bad.decode()}/\n{self.describe()}")

    def kill(self):
        kill_session(self.proc)
        qemu = self.qemu_pid()
        if qemu and os.path.exists(f"/proc/{qemu}") and not _zombie(qemu):
            os.kill(qemu, signal.SIGKILL)
        self.out.close()
        self.err.close()


def _zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


class Context:
    def __init__(self, args, tmp):
        self.elfin = args.elfin
        self.tmp = tmp
        self.log = []

    def path(self, name):
        return os.path.join(self.tmp, name)

    def www(self, files):
        """A directory for a web server to serve, holding `files` (name: bytes)."""
        www = self.path("www")
        os.makedirs(www)
        for name, data in files.items():
            with open(os.path.join(www, name), "wb") as f:
                f.write(data)
        return www

    def client(self, cmd, what, timeout=STEP_TIMEOUT, vm=None, stdin=None):
        """A host client: its stdout, or a failure with everything it and the VM said."""
        self.log.append(" ".join(cmd))
        try:
            r = subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise Failure(f"{what}: timed out after {timeout} s: {' '.join(cmd)}\n"
                          f"stdout: {show(e.stdout, 2000)}\nstderr: {show(e.stderr, 2000)}"
                          + (f"\n{vm.describe()}" if vm else ""))
        if r.returncode != 0:
            raise Failure(f"{what}: exit code {r.returncode}: {' '.join(cmd)}\n"
                          f"stdout: {show(r.stdout, 2000)}\nstderr: {show(r.stderr, 2000)}"
                          + (f"\n{vm.describe()}" if vm else ""))
        return r.stdout, r.stderr

    def vm(self, name, program, args=(), options=(), mem="64M"):
        if not self.elfin or not os.path.isfile(self.elfin):
            raise Failure(f"the elfin tool {self.elfin!r} is missing: build it first")
        return Vm(self, name, program, args, options, mem)


def with_vm(ctx, vm, body):
    try:
        body(vm)
        vm.stop()
    finally:
        vm.kill()


# ---------------------------------------------------------------- nginx

# multi_accept: a pass of nginx's event loop is slow under TCG (measured while
# Elfin's epoll_wait still asked every watched socket), and accepting one
# connection per pass left the last of wrk's 200 waiting for seconds.
NGINX_CONF = """\
daemon off;
master_process off;
worker_processes 1;
user nobody nogroup;
error_log stderr notice;
pid /tmp/nginx.pid;
events {{ worker_connections 1024; multi_accept on; }}
http {{
    access_log off;
    client_body_temp_path /tmp/nginx-body;
    proxy_temp_path /tmp/nginx-proxy;
    fastcgi_temp_path /tmp/nginx-fastcgi;
    uwsgi_temp_path /tmp/nginx-uwsgi;
    scgi_temp_path /tmp/nginx-scgi;
    types {{ text/html html; application/octet-stream bin; }}
    sendfile on;
    keepalive_requests 100000;
    server {{
        listen {port};
        root /srv/www;
    }}
}}
"""

INDEX_HTML = b"<!DOCTYPE html>\n<html><body><h1>nginx in Elfin</h1></body></html>\n"
BIG_SIZE = 10 * 1024 * 1024


def case_nginx(ctx):
    """Debian's nginx (glibc-dynamic), one worker, no master: curl over keep-alive,
    a 10 MiB file by its sha256, a 404, and wrk with 200 connections."""
    nginx = need("/usr/sbin/nginx")
    curl = need("curl")
    wrk = need("wrk")
    port = free_port()
    big = os.urandom(BIG_SIZE)
    big_sha = hashlib.sha256(big).hexdigest()
    www = ctx.www({"index.html": INDEX_HTML, "big.bin": big})
    conf = ctx.path("nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(port=80))
    vm = ctx.vm("nginx", nginx, ["-c", "/etc/nginx/nginx.conf"],
                ["-p", f"{port}:80", "--file", f"{conf}:/etc/nginx/nginx.conf", "--dir", f"{www}:/srv/www"],
                mem="96M")
    base = f"http://127.0.0.1:{port}"

    def body(vm):
        wait_http(vm, port)
        # Keep-alive: two URLs in one curl share one connection.
        a, b = ctx.path("a.html"), ctx.path("b.html")
        out, err = ctx.client([curl, "-sS", "-v", "--http1.1", "-w", "%{http_code} %{num_connects}\\n",
                               "-o", a, f"{base}/index.html", "-o", b, f"{base}/"], "curl keep-alive", vm=vm)
        lines = out.decode().split()
        if lines != ["200", "1", "200", "0"]:
            raise Failure(f"curl keep-alive: expected codes and connects 200 1 200 0, got {lines}\n"
                          f"curl stderr: {show(err, 4000)}\n{vm.describe()}")
        if b"Re-using existing connection" not in err:
            raise Failure(f"curl did not reuse its connection\ncurl stderr: {show(err, 4000)}\n{vm.describe()}")
        for p in (a, b):
            with open(p, "rb") as f:
                got = f.read()
            if got != INDEX_HTML:
                raise Failure(f"index.html came back as {show(got, 2000)}\n{vm.describe()}")
        # 10 MiB, byte for byte.
        big = ctx.path("big.got")
        out, _ = ctx.client([curl, "-sS", "--http1.1", "-w", "%{http_code} %{size_download}", "-o", big,
                             f"{base}/big.bin"], "curl 10 MiB", vm=vm)
        if out.decode() != f"200 {BIG_SIZE}" or sha256_file(big) != big_sha:
            raise Failure(f"big.bin: curl said {out!r}, sha256 {sha256_file(big)} (want {big_sha})\n{vm.describe()}")
        # A missing path.
        out, _ = ctx.client([curl, "-sS", "-o", os.devnull, "-w", "%{http_code}", f"{base}/missing.html"],
                            "curl 404", vm=vm)
        if out != b"404":
            raise Failure(f"a missing path gave HTTP {out!r}, not 404\n{vm.describe()}")
        # 200 connections open at once, each with a request in flight.
        concurrent_requests(vm, port, 200)
        # wrk with 200 connections (the tool raised QEMU's listen backlog, so
        # all of them connect at once). Its request timeout is raised from 2 s:
        # that much latency is TCG on a loaded machine, not an error; a
        # connection left unanswered is what concurrent_requests catches.
        out, _ = ctx.client([wrk, "-c", "200", "-t", "2", "-d", "3s", "--timeout", "10s", f"{base}/index.html"],
                            "wrk", timeout=STEP_TIMEOUT, vm=vm)
        check_wrk(out, vm)
        vm.check_running("the clients")
        _, err = vm.output()
        if re.search(rb"\[(emerg|alert|crit)\]", err):
            raise Failure(f"nginx logged an error above [error]\n{vm.describe()}")

    with_vm(ctx, vm, body)


def wait_http(vm, port):
    """Until the server answers an HTTP request (QEMU accepts on the host port
    before the guest listens, and closes such a connection at once)."""
    deadline = time.monotonic() + BOOT_TIMEOUT
    while time.monotonic() < deadline:
        vm.check_running("the boot")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(b"HEAD / HTTP/1.0\r\n\r\n")
                if s.recv(64).startswith(b"HTTP/1."):
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise Failure(f"the server did not answer HTTP on port {port} within {BOOT_TIMEOUT} s\n{vm.describe()}")


def read_response(f):
    """One HTTP/1.1 response from a buffered socket file: (status line, body)."""
    status = f.readline()
    length = None
    while True:
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = f.read(length) if length is not None else b""
    return status, body


def concurrent_requests(vm, port, count):
    """`count` keep-alive connections open together in the server, then a
    request on every one of them at once, every answer checked. The connects
    are paced (each connection answers once before the next opens), as QEMU's
    user network drops SYNs that come faster than it accepts."""
    request = b"GET /index.html HTTP/1.1\r\nHost: elfin\r\n\r\n"
    conns = []
    try:
        for i in range(count):
            s = socket.create_connection(("127.0.0.1", port), timeout=STEP_TIMEOUT)
            f = s.makefile("rb")
            conns.append((s, f))
            s.sendall(request)
            status, body = read_response(f)
            if not status.startswith(b"HTTP/1.1 200") or body != INDEX_HTML:
                raise Failure(f"connection {i}: {show(status, 2000)} {show(body, 200)}\n{vm.describe()}")
        for s, _ in conns:
            s.sendall(request)
        for i, (s, f) in enumerate(conns):
            status, body = read_response(f)
            if not status.startswith(b"HTTP/1.1 200") or body != INDEX_HTML:
                raise Failure(f"second request on connection {i} of {count} open at once: {show(status, 2000)} "
                              f"{show(body, 200)}\n{vm.describe()}")
    except OSError as e:
        raise Failure(f"{count} connections at once: {e}\n{vm.describe()}")
    finally:
        for s, f in conns:
            f.close()
            s.close()


def check_wrk(out, vm):
    text = out.decode("utf-8", "replace")
    m = re.search(r"^\s*(\d+) requests in ", text, re.M)
    if not m or int(m.group(1)) == 0:
        raise Failure(f"wrk completed no request\nwrk: {show(text, 2000)}\n{vm.describe()}")
    # wrk prints these lines only when something went wrong.
    for bad in (r"Socket errors:", r"Non-2xx or 3xx responses:"):
        if re.search(bad, text):
            raise Failure(f"wrk reports errors ({bad})\nwrk: {show(text, 2000)}\n{vm.describe()}")


# ---------------------------------------------------------------- redis

def case_redis(ctx):
    """Debian's redis-server: SET then GET with redis-cli, and redis-benchmark
    with 50 clients, every test finishing with its requests and no error."""
    server = need("/usr/bin/redis-server")
    cli = need("redis-cli")
    bench = need("redis-benchmark")
    port = free_port()
    vm = ctx.vm("redis", server, ["--save", "", "--appendonly", "no", "--port", "6379", "--protected-mode", "no"],
                ["-p", f"{port}:6379"], mem="64M")

    def body(vm):
        vm.wait_for_output(rb"Ready to accept connections", "'Ready to accept connections' from redis")
        value = "elfin-" + os.urandom(8).hex()
        out, _ = ctx.client([cli, "-p", str(port), "SET", "key:1", value], "redis-cli SET", vm=vm)
        if out != b"OK\n":
            raise Failure(f"redis-cli SET said {out!r}\n{vm.describe()}")
        out, _ = ctx.client([cli, "-p", str(port), "GET", "key:1"], "redis-cli GET", vm=vm)
        if out != value.encode() + b"\n":
            raise Failure(f"redis-cli GET said {out!r}, not {value!r}\n{vm.describe()}")
        out, err = ctx.client([bench, "-p", str(port), "-c", "50", "-n", "2000", "-t", "set,get", "--csv"],
                              "redis-benchmark", vm=vm)
        check_benchmark(out, err, vm)
        out, _ = ctx.client([cli, "-p", str(port), "DBSIZE"], "redis-cli DBSIZE", vm=vm)
        # key:1 and the benchmark's key:__rand_int__ (one key without -r).
        if out != b"2\n":
            raise Failure(f"DBSIZE after the benchmark is {out!r}, not 2\n{vm.describe()}")
        vm.check_running("the clients")

    with_vm(ctx, vm, body)


def check_benchmark(out, err, vm):
    text = out.decode("utf-8", "replace")
    rows = {}
    for line in text.splitlines()[1:]:
        fields = [f.strip('"') for f in line.split(",")]
        if len(fields) >= 2:
            rows[fields[0]] = fields[1]
    for test in ("SET", "GET"):
        try:
            rps = float(rows.get(test, "0"))
        except ValueError:
            rps = 0.0
        if rps <= 0:
            raise Failure(f"redis-benchmark has no result for {test}\nstdout: {show(text, 2000)}\n"
                          f"stderr: {show(err, 2000)}\n{vm.describe()}")
    if re.search(rb"(?i)error", out + err):
        raise Failure(f"redis-benchmark reports an error\nstdout: {show(text, 2000)}\nstderr: {show(err, 2000)}\n{vm.describe()}")


# ---------------------------------------------------------------- python asyncio

ECHO_SERVER = """\
import asyncio, sys

class Udp(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport
    def datagram_received(self, data, addr):
        self.transport.sendto(b"udp:" + data, addr)

async def tcp(reader, writer):
    while line := await reader.readline():
        writer.write(b"tcp:" + line)
        await writer.drain()
    writer.close()
    await writer.wait_closed()

async def main():
    server = await asyncio.start_server(tcp, "0.0.0.0", int(sys.argv[1]))
    await asyncio.get_running_loop().create_datagram_endpoint(Udp, local_addr=("0.0.0.0", int(sys.argv[2])))
    print("echo server ready", flush=True)
    async with server:
        await server.serve_forever()

asyncio.run(main())
"""


def case_asyncio_echo(ctx):
    """python3's asyncio in the guest: a TCP echo server (start_server) and a
    UDP one (create_datagram_endpoint); the host sends lines and datagrams."""
    python = need("/usr/bin/python3")
    tcp_port, udp_port = free_port(), free_port(socket.SOCK_DGRAM)
    script = ctx.path("echo.py")
    with open(script, "w") as f:
        f.write(ECHO_SERVER)
    vm = ctx.vm("asyncio", python, ["/srv/echo.py", "7000", "7001"],
                ["-p", f"{tcp_port}:7000", "-p", f"{udp_port}:7001/udp", "--file", f"{script}:/srv/echo.py"],
                mem="96M")

    def body(vm):
        try:
            echoes(vm)
        except OSError as e:
            raise Failure(f"echo: {e!r}\n{vm.describe()}")
        vm.check_running("the clients")
        _, err = vm.output()
        if b"Traceback" in err or b"exception" in err:
            raise Failure(f"the echo server raised an exception\n{vm.describe()}")

    def echoes(vm):
        vm.wait_for_output(rb"echo server ready", "the echo server's ready line")
        # TCP: two connections, lines of several sizes, one of them across many
        # segments (under asyncio's 64 KiB line limit).
        lines = [b"hello\n", b"x" * 3000 + b"\n", b"".join(b"%d " % i for i in range(9000)) + b"\n", b"bye\n"]
        for attempt in range(2):
            with socket.create_connection(("127.0.0.1", tcp_port), timeout=STEP_TIMEOUT) as s:
                f = s.makefile("rb")
                for line in lines:
                    s.sendall(line)
                    back = f.readline()
                    if back != b"tcp:" + line:
                        raise Failure(f"TCP echo of a {len(line)}-byte line came back as {show(back, 200)}\n"
                                      f"{vm.describe()}")
                s.shutdown(socket.SHUT_WR)
                if f.read() != b"":
                    raise Failure(f"TCP: data after the echoes\n{vm.describe()}")
        # UDP: each datagram answered to its sender. Nothing else is on this
        # path (loopback on the host, QEMU, the guest), so none may be lost.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.settimeout(STEP_TIMEOUT / 2)
            for i in range(20):
                msg = b"datagram %d " % i + os.urandom(4 + 50 * i).hex().encode()
                u.sendto(msg, ("127.0.0.1", udp_port))
                try:
                    back = u.recv(4096)
                except socket.timeout:
                    raise Failure(f"no UDP echo of datagram {i} ({len(msg)} bytes)\n{vm.describe()}")
                if back != b"udp:" + msg:
                    raise Failure(f"UDP echo of {show(msg, 100)} came back as {show(back, 100)}\n{vm.describe()}")
        vm.check_running("the clients")

    with_vm(ctx, vm, body)


# ---------------------------------------------------------------- python http.server

def case_python_http(ctx):
    """`python3 -m http.server` (Debian's python3, its standard library packed
    by the tool) serving a directory: curl fetches a listing and a 1 MiB file."""
    python = need("/usr/bin/python3")
    curl = need("curl")
    port = free_port()
    data = os.urandom(1 << 20)
    want = hashlib.sha256(data).hexdigest()
    www = ctx.www({"data.bin": data})
    vm = ctx.vm("http", python, ["-m", "http.server", "8000", "--directory", "/srv/www"],
                ["-p", f"{port}:8000", "--dir", f"{www}:/srv/www"], mem="96M")

    def body(vm):
        wait_http(vm, port)
        out, _ = ctx.client([curl, "-sS", f"http://127.0.0.1:{port}/"], "curl listing", vm=vm)
        if b'<a href="data.bin">data.bin</a>' not in out:
            raise Failure(f"the directory listing has no data.bin: {show(out, 2000)}\n{vm.describe()}")
        got = ctx.path("data.got")
        out, _ = ctx.client([curl, "-sS", "-w", "%{http_code}", "-o", got, f"http://127.0.0.1:{port}/data.bin"],
                            "curl 1 MiB", vm=vm)
        if out != b"200" or sha256_file(got) != want:
            raise Failure(f"data.bin: HTTP {out!r}, sha256 {sha256_file(got)} (want {want})\n{vm.describe()}")
        vm.check_running("the clients")

    with_vm(ctx, vm, body)


# ---------------------------------------------------------------- the case table

CASES = {
    "nginx": case_nginx,
    "redis": case_redis,
    "asyncio-echo": case_asyncio_echo,
    "python-http": case_python_http,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--elfin", help="the elfin tool")
    ap.add_argument("--list", action="store_true", help="print the case names")
    ap.add_argument("case", nargs="?")
    args = ap.parse_args()
    if args.list:
        for name in CASES:
            print(name)
        return 0
    if args.case not in CASES:
        ap.error(f"unknown case {args.case!r} (--list shows them)")
    if args.elfin:
        args.elfin = os.path.abspath(args.elfin)
    with tempfile.TemporaryDirectory(prefix=f"elfin-{args.case}-") as tmp:
        ctx = Context(args, tmp)
        try:
            CASES[args.case](ctx)
        except Failure as f:
            print(f"FAIL {args.case}: {f}\ncommands:\n  " + "\n  ".join(ctx.log), file=sys.stderr)
            return 1
    print(f"PASS {args.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
