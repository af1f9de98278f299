#!/usr/bin/env python3
"""`elfin run --net tap:NAME`: the VM on a host tap device, as on a bridge.

    net_tap.py --elfin build/tools/elfin --guest-dir build/test/guest

Makes a tap device with a host address, serves DHCP on it with Debian's
busybox udhcpd (one address in the pool, so the lease is known), boots
test/guest/sockets.c's `serve PORT` on it, and from the host connects to the
leased address, sends 1 MiB and must get every byte back. With the virtio-net
header on the tap, QEMU offers checksum offload: the kernel must say it took
both directions (TCP segments leave with a partial checksum the host finishes;
frames the host vouches for are not checked again).

Then IPv6 on the same tap: Debian's dnsmasq (bound to the tap alone, its DNS
server off) sends router advertisements for a 2001:db8 prefix with the O flag
and answers DHCPv6 information requests with a DNS server. A second VM runs
test/guest/netconfig.c, which must find /etc/resolv.conf listing udhcpd's
server then dnsmasq's, and a SLAAC address from the prefix on eth0; the
kernel must log the DHCPv6 answer. netconfig runs natively first, against
the host's end of the tap and the host's resolv.conf.

Needs root (or CAP_NET_ADMIN) for the tap device: otherwise it says why and
exits 77 (skipped).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

from harness import Failure, echo, first_line, kill_session, start

SKIP = 77
TIMEOUT = 100


def fail(why):
    print(f"FAIL: {why}", file=sys.stderr)
    sys.exit(1)


def run(*cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"{' '.join(cmd)}: {r.stderr.strip()}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--elfin", required=True)
    ap.add_argument("--guest-dir", required=True)
    args = ap.parse_args()

    if os.geteuid() != 0 or not os.access("/dev/net/tun", os.R_OK | os.W_OK) or not shutil.which("ip"):
        print("skipped: a tap device needs root (or CAP_NET_ADMIN), /dev/net/tun and ip(8)")
        return SKIP
    busybox = shutil.which("busybox")
    if not busybox:
        fail("busybox is missing (scripts/setup installs busybox-static)")
    dnsmasq = shutil.which("dnsmasq") or ("/usr/sbin/dnsmasq" if os.access("/usr/sbin/dnsmasq", os.X_OK) else None)
    if not dnsmasq:
        fail("dnsmasq is missing (scripts/setup installs dnsmasq-base)")

    n = os.getpid() % 200
    tap = f"elfintap{os.getpid() % 100000}"
    net = f"192.168.{n + 20}"
    guest_ip = f"{net}.50"
    prefix = f"2001:db8:{n + 20:x}::"
    port = 7000 + n
    work = tempfile.mkdtemp(prefix="elfin-tap-")
    dhcpd = dhcpd6 = vm = None
    try:
        run("ip", "tuntap", "add", "dev", tap, "mode", "tap")
        run("ip", "addr", "add", f"{net}.1/24", "dev", tap)
        run("ip", "-6", "addr", "add", f"{prefix}1/64", "dev", tap, "nodad")
        run("ip", "link", "set", tap, "up")
        conf = os.path.join(work, "udhcpd.conf")
        with open(conf, "w") as f:
            f.write(f"start {guest_ip}\nend {guest_ip}\ninterface {tap}\n"
                    f"lease_file {work}/leases\npidfile {work}/pid\n"
                    f"option subnet 255.255.255.0\noption router {net}.1\noption dns {net}.1\n")
        open(os.path.join(work, "leases"), "w").close()
        dhcpd = subprocess.Popen([busybox, "udhcpd", "-f", conf], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)

        cmd = [args.elfin, "run", "--timeout", f"{TIMEOUT}s", "--mem", "64M", "--kernel-debug",
               "--net", f"tap:{tap}", os.path.join(args.guest_dir, "sockets"), "serve", str(port)]
        vm = start(cmd)
        # The serve line comes after boot, DHCP and listen().
        try:
            first = first_line(vm, TIMEOUT / 2, "'listening' line")
        except Failure as f:
            fail(str(f))
        if first != b"listening on %d\n" % port:
            fail(f"the server said {first!r}")

        data = bytes((i * 29 + (i >> 9)) & 0xFF for i in range(1 << 20))
        back = echo((guest_ip, port), data, TIMEOUT / 2)
        out, err = vm.communicate(timeout=TIMEOUT / 2)
        text = err.decode(errors="replace")
        if back != data:
            fail(f"echo over the tap: sent {len(data)} bytes, got {len(back)} back, "
                 f"{'equal' if back == data[:len(back)] else 'different'} as far as they go\n{text[-3000:]}")
        if vm.returncode != 0:
            fail(f"exit status {vm.returncode}\nstdout: {out.decode(errors='replace')}\nstderr: {text[-3000:]}")
        for want in (f"DHCP lease {guest_ip}/24, gateway {net}.1, DNS {net}.1",
                     "transmit checksum offload", "receive checksum offload"):
            if want not in text:
                fail(f"the kernel log lacks {want!r}\n{text[-3000:]}")
        if b"echoed 1048576 bytes" not in out:
            fail(f"the server's count is missing: {out!r}")
        print(f"tap {tap}: lease {guest_ip} from udhcpd, 1 MiB echoed, checksum offload both ways")

        # IPv6: router advertisements (prefix, O flag) and stateless DHCPv6
        # from dnsmasq, next to udhcpd's IPv4 lease.
        dns6 = f"{prefix}53"
        dhcpd6 = subprocess.Popen(
            [dnsmasq, "--keep-in-foreground", "--conf-file=/dev/null", "--port=0", "--no-resolv", "--no-hosts",
             f"--interface={tap}", "--bind-interfaces", f"--pid-file={work}/dnsmasq.pid",
             f"--dhcp-leasefile={work}/dnsmasq.leases", f"--log-facility={work}/dnsmasq.log", "--log-dhcp",
             "--enable-ra", f"--dhcp-range=::,constructor:{tap},ra-stateless",
             f"--dhcp-option=option6:dns-server,[{dns6}]"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        netconfig = os.path.join(args.guest_dir, "netconfig")
        with open("/etc/resolv.conf") as f:
            host_servers = re.findall(r"(?m)^\s*nameserver\s+(\S+)", f.read())
        native = subprocess.run([netconfig, tap, prefix] + host_servers, capture_output=True, text=True,
                                timeout=TIMEOUT)
        if native.returncode != 0:
            fail(f"netconfig natively on {tap} with the host's servers {host_servers}: "
                 f"exit {native.returncode}\n{native.stdout}{native.stderr}")
        cmd = [args.elfin, "run", "-v", "--timeout", f"{TIMEOUT}s", "--mem", "64M", "--kernel-debug",
               "--net", f"tap:{tap}", netconfig, "eth0", prefix, f"{net}.1", dns6]
        vm = start(cmd)
        out, err = vm.communicate(timeout=TIMEOUT + 30)
        text = err.decode(errors="replace")
        if dhcpd6.poll() is not None:
            fail(f"dnsmasq ended (exit {dhcpd6.returncode}): {dhcpd6.stderr.read().decode(errors='replace')}")
        log = open(os.path.join(work, "dnsmasq.log"), errors="replace").read()
        if vm.returncode != 0 or b"netconfig: 2 checks passed" not in out:
            fail(f"netconfig in the VM: exit {vm.returncode}\nstdout: {out.decode(errors='replace')}\n"
                 f"stderr: {text[-3000:]}\ndnsmasq's log: {log[-2000:]}")
        for want in (f"eth0: DHCPv6 DNS {dns6}\n", f"elfin: status channel: dhcp6 eth0 dns {dns6}\n"):
            if want not in text.replace("\r\n", "\n"):
                fail(f"the kernel's output lacks {want!r}\n{text[-3000:]}")
        print(f"tap {tap}: {out.decode(errors='replace').splitlines()[0]} (DHCPv6 and SLAAC from dnsmasq)")
        return 0
    finally:
        if vm:
            kill_session(vm)
        for server in (dhcpd, dhcpd6):
            if server:
                server.terminate()
                server.wait()
        subprocess.run(["ip", "link", "del", tap], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
