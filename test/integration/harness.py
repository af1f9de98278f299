"""What Elfin's integration drivers share (run_case.py, server_case.py,
net_tap.py): the failure they report, excerpts of output for its message, free
host ports, processes in sessions of their own (so that ending the tool ends
its QEMU too), the first line a server prints, the 1 MiB echo through a
socket, and the QEMU stand-in that tells whether (and as which process) the
tool booted a VM.
"""

import os
import select
import shutil
import signal
import socket
import subprocess


class Failure(Exception):
    pass


def show(data, limit=600):
    """A readable excerpt of program output for a failure message."""
    if data is None:
        return "(none)"
    raw = isinstance(data, bytes)
    text = data.decode("utf-8", "backslashreplace") if raw else data
    if len(text) > limit:
        text = text[:limit] + f"... ({len(data)} {'bytes' if raw else 'characters'} in all)"
    return repr(text)


def free_port(kind=socket.SOCK_STREAM):
    """A port of 127.0.0.1 nothing uses now (bound with port 0, then let go)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def qemu_shim(directory, pid_path):
    """A qemu-system-x86_64 for the front of PATH that writes its pid to
    `pid_path` when it boots a VM (-kernel: not the tool's KVM probe), then
    becomes the real one. Returns its path."""
    os.makedirs(directory, exist_ok=True)
    real_qemu = shutil.which("qemu-system-x86_64") or "/usr/bin/qemu-system-x86_64"
    shim = os.path.join(directory, "qemu-system-x86_64")
    with open(shim, "w") as f:
        f.write(f"#!/bin/sh\ncase \" $* \" in *\" -kernel \"*) echo $$ > '{pid_path}';; esac\n"
                f"exec '{real_qemu}' \"$@\"\n")
    os.chmod(shim, 0o755)
    return shim


def elfin_environment(shim, cache_dir, env=None):
    """The environment for `elfin run`: QEMU is `shim`, images are cached in
    `cache_dir` (none shared between cases), and `env` on top."""
    full_env = dict(os.environ)
    full_env["PATH"] = os.path.dirname(shim) + os.pathsep + full_env.get("PATH", "/usr/bin:/bin")
    full_env["ELFIN_QEMU"] = shim
    full_env["XDG_CACHE_HOME"] = cache_dir
    if env:
        full_env.update(env)
    return full_env


def start(cmd, env=None, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw):
    """`cmd` in a session of its own: kill_session then ends its QEMU with it."""
    return subprocess.Popen(cmd, stdin=stdin, stdout=stdout, stderr=stderr, env=env,
                            start_new_session=True, **kw)


def kill_session(proc):
    """SIGKILL to proc's session if proc still runs; then its (stdout, stderr)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    return proc.communicate()


def first_line(proc, timeout, what):
    """The first line `proc` writes on stdout (a server's 'listening on PORT'),
    read byte by byte so that what comes after it stays in the pipe. When proc
    ends first, or says nothing for `timeout` s: its session is killed and a
    Failure names `what` and quotes its stderr."""
    line = b""
    while not line.endswith(b"\n"):
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        chunk = os.read(proc.stdout.fileno(), 1) if ready else b""
        if not chunk:
            _, err = kill_session(proc)
            raise Failure(f"no {what} (so far {line!r})\ncommand: {' '.join(proc.args)}\n"
                          f"stderr: {show(err, 4000)}")
        line += chunk
    return line


def echo(address, data, timeout):
    """Sends `data` to a server at `address` that echoes, shuts the sending
    side, and returns everything that came back until the server closed."""
    back = bytearray()
    with socket.create_connection(address, timeout=timeout) as conn:
        conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)
        while True:
            b = conn.recv(65536)
            if not b:
                break
            back += b
    return bytes(back)


def listen_backlog(port):
    """The backlog of the socket listening on TCP `port` of 127.0.0.1: the
    Send-Q column of `ss -ltn` for a listener. None when nothing listens."""
    ss = shutil.which("ss")
    if not ss:
        raise Failure("ss is missing on the host (Debian's iproute2)")
    out = subprocess.run([ss, "-Hltn", f"src 127.0.0.1:{port}"], capture_output=True, text=True).stdout
    rows = [line.split() for line in out.splitlines() if line.strip()]
    return int(rows[0][2]) if rows else None


def raised_backlog():
    """The backlog of a listener raised to SOMAXCONN, as Linux caps it
    (net.core.somaxconn)."""
    with open("/proc/sys/net/core/somaxconn") as f:
        return min(socket.SOMAXCONN, int(f.read()))
