#!/usr/bin/env python3
"""Netlink notifications from a real router advertisement, over a host tap device.

    net_notify.py --elfin build/tools/elfin --guest-dir build/test/guest

Nothing changes on QEMU's user network once its one advertisement is taken,
so the host plays the router: on a tap device with the link-local address
fe80::1, it sends router advertisements (RFC 4861) for a /64 valid for 8 s
and preferred for 5, and lwIP's SLAAC, duplicate address detection and
lifetimes do the rest.

1. test/guest/netlink.c's `ra PREFIX fe80::1` joins the IPv6 groups and says
   "listening"; only then is the advertisement sent, so the program must hear
   every step: the address tentative, preferred, deprecated and deleted, the
   prefix's route coming and going, the default route through fe80::1.
2. Debian's `ip monitor` (iproute2) prints nothing when it starts, so the host
   advertises a new prefix every 2 s until `ip monitor` has shown one's
   address tentative, then preferred, then deleted, and its routes, in
   Linux's words.
3. IPv4: `netlink dhcp` boots with no DHCP server on the tap (the kernel
   gives up waiting for a lease and starts it), says "listening", and only
   then does busybox's udhcpd start: the program must hear the lease's
   address (dynamic) and the routes to its /24 and through the gateway.

Needs root (or CAP_NET_ADMIN) for the tap device: otherwise it says why and
exits 77 (skipped).
"""

import argparse
import os
import re
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

from harness import kill_session, start
from net_tap import SKIP, fail, run  # the tap test's helpers

TIMEOUT = 100
IP = "/bin/ip"
ROUTER = "fe80::1"
VALID, PREFERRED, ROUTER_LIFETIME = 8, 5, 600


def advertisement(mac, prefix):
    """A router advertisement (the kernel fills in the ICMPv6 checksum)."""
    ra = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, ROUTER_LIFETIME, 0, 0)
    source_link_layer = struct.pack("!BB6s", 1, 1, mac)
    prefix_info = struct.pack("!BBBBIII16s", 3, 4, 64, 0xC0, VALID, PREFERRED, 0,
                              socket.inet_pton(socket.AF_INET6, prefix))
    return ra + source_link_layer + prefix_info


class Router:
    def __init__(self, tap):
        self.index = socket.if_nametoindex(tap)
        with open(f"/sys/class/net/{tap}/address") as f:
            self.mac = bytes.fromhex(f.read().strip().replace(":", ""))
        self.sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
        self.sock.bind((ROUTER, 0, 0, self.index))

    def advertise(self, prefix):
        self.sock.sendto(advertisement(self.mac, prefix), ("ff02::1", 0, 0, self.index))


class Vm:
    """`elfin run` on the tap, its output read as it comes."""

    def __init__(self, elfin, tap, address, program, args):
        self.cmd = [elfin, "run", "--timeout", f"{TIMEOUT}s", "--mem", "64M", "--net", f"tap:{tap}",
                    *(["--ip", address] if address else []), program, *args]
        self.proc = start(self.cmd)
        self.out = b""

    def read(self, wait):
        """What came within `wait` seconds; False once the VM has closed its output."""
        ready, _, _ = select.select([self.proc.stdout], [], [], wait)
        if not ready:
            return True
        chunk = os.read(self.proc.stdout.fileno(), 65536)
        self.out += chunk
        return bool(chunk)

    def stop(self):
        _, err = kill_session(self.proc)
        return err.decode(errors="replace")

    def wait_listening(self):
        while b"listening\n" not in self.out:
            if not self.read(TIMEOUT / 2):
                fail(f"no 'listening' line\n{self.describe(self.stop())}")

    def finish(self, success):
        """The program's end: exit status 0 and its `success` line."""
        while self.read(TIMEOUT):
            pass
        self.proc.wait(timeout=TIMEOUT)
        err = self.stop()
        if self.proc.returncode != 0 or success not in self.out:
            fail(f"exit status {self.proc.returncode}\n{self.describe(err)}")

    def describe(self, err):
        return (f"command: {' '.join(self.cmd)}\nstdout: {self.out.decode(errors='replace')[-3000:]}\n"
                f"stderr: {err[-3000:]}")


def hear_router(args, tap, address, router, net):
    """Step 1: the guest program hears one advertisement's whole story."""
    prefix = f"2001:db8:{net:x}::"
    vm = Vm(args.elfin, tap, address, os.path.join(args.guest_dir, "netlink"), ["ra", prefix, ROUTER])
    try:
        vm.wait_listening()
        router.advertise(prefix)
        vm.finish(b"netlink: heard the router")
    finally:
        vm.stop()


def ip_monitor(args, tap, address, router, net):
    """Step 2: Debian's `ip monitor` shows an advertised prefix's life."""
    vm = Vm(args.elfin, tap, address, IP, ["monitor", "address", "route"])
    try:
        for k in range(1, 30):
            prefix = f"2001:db8:{net:x}:{k:x}::"
            router.advertise(prefix)
            # The next one in 2 s: what lwIP does with this one meanwhile is read.
            until = time.monotonic() + 2
            while time.monotonic() < until and vm.read(until - time.monotonic()):
                pass
            text = vm.out.decode(errors="replace")
            # One prefix whose address was seen tentative, preferred and deleted.
            for m in re.finditer(r"(?m)^\d+: eth0 +inet6 (2001:db8:%x:[0-9a-f]+:[0-9a-f:]+)/64 scope global "
                                 r"tentative dynamic" % net, text):
                a = re.escape(m.group(1))
                after = text[m.end():]
                preferred = re.search(r"(?m)^\d+: eth0 +inet6 %s/64 scope global dynamic \n" % a, after)
                deleted = re.search(r"(?m)^Deleted \d+: eth0 +inet6 %s/64 scope global" % a, after)
                if preferred and deleted and preferred.start() < deleted.start():
                    p = m.group(1).rsplit(":", 4)[0]  # 2001:db8:N:K
                    for want, what in ((r"(?m)^%s::/64 dev eth0 proto kernel metric 256 expires \d+sec pref medium$"
                                        % re.escape(p), "the prefix's route"),
                                       (r"(?m)^Deleted %s::/64 dev eth0 proto kernel metric 256" % re.escape(p),
                                        "the prefix's route deleted"),
                                       (r"(?m)^default via fe80::1 dev eth0 proto ra metric 1024 expires \d+sec "
                                        r"pref medium$", "the default route")):
                        if not re.search(want, text):
                            fail(f"ip monitor: no {what}\n{vm.describe(vm.stop())}")
                    return
            if vm.proc.poll() is not None:
                break
        fail(f"ip monitor: no advertised address seen tentative, preferred and deleted\n{vm.describe(vm.stop())}")
    finally:
        vm.stop()


def hear_lease(args, tap, net, work):
    """Step 3: no DHCP server until the program listens (the kernel waits for
    a lease, then starts it without one); then busybox's udhcpd, and the
    program must hear the lease's address and routes."""
    busybox = shutil.which("busybox")
    if not busybox:
        fail("busybox is missing (scripts/setup installs busybox-static)")
    guest = f"{net}.50"
    vm = Vm(args.elfin, tap, None, os.path.join(args.guest_dir, "netlink"), ["dhcp", guest, f"{net}.1"])
    server = None
    try:
        vm.wait_listening()
        conf = os.path.join(work, "udhcpd.conf")
        with open(conf, "w") as f:
            print(f"start {guest}\nend {guest}\ninterface {tap}\nlease_file {work}/leases\npidfile {work}/pid\n"
                  f"option subnet 255.255.255.0\noption router {net}.1", file=f)
        open(os.path.join(work, "leases"), "w").close()
        server = subprocess.Popen([busybox, "udhcpd", "-f", conf], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        vm.finish(b"netlink: heard the lease")
    finally:
        vm.stop()
        if server:
            server.terminate()
            server.wait()


def missing():
    """Why the test cannot run here, or None."""
    if os.geteuid() != 0 or not os.access("/dev/net/tun", os.R_OK | os.W_OK) or not shutil.which("ip"):
        return "a tap device needs root (or CAP_NET_ADMIN), /dev/net/tun and ip(8)"
    if not os.path.isfile(IP):
        return f"{IP} is missing (Debian's iproute2)"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--elfin", required=True)
    ap.add_argument("--guest-dir", required=True)
    args = ap.parse_args()
    why = missing()
    if why:
        print(f"skipped: {why}")
        return SKIP

    n = os.getpid() % 200
    tap = f"elfinnl{os.getpid() % 100000}"
    net = f"192.168.{n + 20}"
    address = f"{net}.50/24"
    work = tempfile.mkdtemp(prefix="elfin-notify-")
    try:
        run("ip", "tuntap", "add", "dev", tap, "mode", "tap")
        run("ip", "addr", "add", f"{net}.1/24", "dev", tap)
        run("ip", "-6", "addr", "add", f"{ROUTER}/64", "dev", tap, "nodad")
        run("ip", "link", "set", tap, "up")
        router = Router(tap)
        hear_router(args, tap, address, router, n)
        ip_monitor(args, tap, address, router, n)
        hear_lease(args, tap, net, work)
        print(f"tap {tap}: the program heard a router advertisement's address and routes, and a late DHCP lease; "
              "ip monitor showed the advertisement's")
        return 0
    finally:
        subprocess.run(["ip", "link", "del", tap], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
