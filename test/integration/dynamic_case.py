#!/usr/bin/env python3
"""Unmodified Debian programs (glibc-dynamic ones, and Go's static gofmt and
runsc), each in its own VM, compared with the same command run natively on the
host. A program that is missing fails its case: scripts/setup installs it.

dynamic_case.py --elfin PATH [--smp N] CASE
                                      run one case (exit 0 pass, 1 fail, 77 skip),
                                      optionally with N vCPUs
dynamic_case.py --list                the cases
"""
import hashlib, os, subprocess, sys, tempfile

# --smp N (the smp2.* pass): every VM with N vCPUs.
SMP = ["--smp", sys.argv[sys.argv.index("--smp") + 1]] if "--smp" in sys.argv else []

def run(cmd, env=None, timeout=110):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=timeout)
    return p.returncode, p.stdout, p.stderr

def elfin(tool, program, args, files=(), dirs=(), mem="96M", stderr=subprocess.PIPE, options=()):
    env = dict(os.environ)
    cmd = [tool, "run", "--mem", mem] + list(options) + (SMP if "--smp" not in options else [])
    for f in files:
        cmd += ["--file", f]
    for d in dirs:
        cmd += ["--dir", d]
    if stderr != subprocess.PIPE:
        p = subprocess.run(cmd + ["--", program] + list(args), stdout=subprocess.PIPE, stderr=stderr,
                           env=env, timeout=110)
        return p.returncode, p.stdout, b""
    return run(cmd + ["--", program] + list(args), env=env)

def without_notes(err):
    """stderr without the tool's note on packing a big image (its first run only)."""
    return b"".join(l for l in err.splitlines(keepends=True) if not l.startswith(b"elfin: packed "))

def need(program, package):
    """A test of a Debian program fails (never skips) when it is missing: scripts/setup installs it."""
    if not os.path.isfile(program):
        fail(f"{program} is missing: install Debian's {package} (scripts/setup does)")

def fail(msg, rc=None, out=b"", err=b""):
    print(f"FAIL: {msg}")
    if rc is not None:
        print(f"exit status {rc}")
    print("stdout:", out[:2000].decode(errors="replace"))
    print("stderr:", err[:2000].decode(errors="replace"))
    sys.exit(1)

def same_as_host(tool, program, args, files=(), dirs=(), host_args=None, reset=None, mem="96M", quiet=False,
                 options=()):
    """`reset`, when given, undoes what the native run wrote before the VM runs.
    `quiet`: the VM's run must write nothing to stderr either (no missing syscall)."""
    h_rc, h_out, _ = run([program] + list(host_args if host_args is not None else args))
    if reset:
        reset()
    rc, out, err = elfin(tool, program, args, files, dirs, mem, options=options)
    if quiet and without_notes(err):
        fail(f"{program} wrote to stderr in the VM", rc, out, err)
    if rc != h_rc:
        fail(f"{program} exited {rc}, natively {h_rc}", rc, out, err)
    if out != h_out:
        fail(f"{program}'s output differs from the native run\nnative: {h_out[:500]!r}", rc, out, err)
    shown = " ".join(a if len(a) < 60 and "\n" not in a else "'…'" for a in args)
    print(f"ok: {program} {shown}: {len(out)} bytes, same as natively")

def data_file(tmp, name, size, seed):
    path = os.path.join(tmp, name)
    block = hashlib.sha256(seed.encode()).digest()
    with open(path, "wb") as f:
        for i in range(size // 32):
            block = hashlib.sha256(block).digest()
            f.write(block)
    return path

def case_cat(tool, tmp):
    p = data_file(tmp, "cat.bin", 200_000, "cat")
    same_as_host(tool, "/bin/cat", [p], files=[p])

def case_sha256sum(tool, tmp):
    p = data_file(tmp, "sum.bin", 300_000, "sum")
    same_as_host(tool, "/usr/bin/sha256sum", [p], files=[p])

def case_sort(tool, tmp):
    p = os.path.join(tmp, "words.txt")
    words = [hashlib.md5(str(i).encode()).hexdigest()[:8] for i in range(2000)]
    open(p, "w").write("\n".join(words) + "\n")
    same_as_host(tool, "/usr/bin/sort", [p], files=[p])

def case_ls(tool, tmp):
    d = os.path.join(tmp, "tree")
    os.makedirs(os.path.join(d, "sub"))
    for n in ("b.txt", "a.txt", "sub/c.txt"):
        open(os.path.join(d, n), "w").write(n * 10)
    os.symlink("a.txt", os.path.join(d, "link"))
    # The tree, recursively, with type marks.
    same_as_host(tool, "/bin/ls", ["-1RF", d], dirs=[d])
    # Long listing of the files (a directory's size is the file system's own:
    # 4096 on ext4, 20 per entry on tmpfs, so directories are left out);
    # -n: numeric ids; --time-style=+: no clock in the output.
    same_as_host(tool, "/bin/ls", ["-ln", "--time-style=+"] + [os.path.join(d, n) for n in ("a.txt", "b.txt", "link")], dirs=[d])

def case_ls_root(tool, tmp):
    # The VM's root is the image's, not the host's: checked entry by entry.
    rc, out, err = elfin(tool, "/bin/ls", ["-la", "/"])
    if rc != 0:
        fail(f"ls -la / exited {rc}", rc, out, err)
    entries = {}
    for line in out.decode().splitlines()[1:]:          # after "total N"
        f = line.split()
        if len(f) >= 9:
            entries[f[8]] = f[0]
    want = {".": "d", "..": "d", "dev": "d", "proc": "d", "sys": "d", "etc": "d", "tmp": "d",
            "usr": "d", "lib": "l", "lib64": "l"}
    for name, kind in want.items():
        if name not in entries:
            fail(f"ls -la / has no {name}", rc, out, err)
        if not entries[name].startswith(kind):
            fail(f"ls -la /: {name} is {entries[name]}, expected type {kind}", rc, out, err)
    if entries["tmp"] != "drwxrwxrwt":
        fail(f"/tmp is {entries['tmp']}, expected drwxrwxrwt", rc, out, err)
    print(f"ok: /bin/ls -la /: {len(entries)} entries, types and /tmp's mode as expected")

def case_echo_env(tool, tmp):
    same_as_host(tool, "/usr/bin/printf", ["%s-%d\\n", "dynamic", "42"])

def tree(tmp):
    d = os.path.join(tmp, "tree")
    for sub in ("src/lib", "src/bin", "doc"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    for i, n in enumerate(("src/lib/a.c", "src/lib/b.h", "src/bin/main.c", "doc/readme.txt",
                           "doc/notes.txt", "top.txt")):
        with open(os.path.join(d, n), "w") as f:
            f.write(f"{n}\n" * (i * 37 + 1))
    os.symlink("top.txt", os.path.join(d, "link.txt"))
    return d

def sorted_lines(b):
    return b"".join(sorted(b.splitlines(keepends=True)))

def case_find(tool, tmp):
    d = tree(tmp)
    # Directory order is the file system's own (hashed on ext4, creation order
    # in Elfin's ramfs), so the lines are compared sorted.
    for args in (["-type", "f", "-name", "*.c"],
                 ["-mindepth", "1", "-printf", "%y %P\\n"],
                 ["-type", "f", "-size", "+1k", "-printf", "%s %P\\n"],
                 ["-type", "l", "-printf", "%P -> %l\\n"],
                 ["-path", "*src*", "-prune", "-o", "-type", "f", "-print"]):
        h_rc, h_out, _ = run(["/usr/bin/find", d] + args)
        rc, out, err = elfin(tool, "/usr/bin/find", [d] + args, dirs=[d])
        if rc != h_rc or sorted_lines(out) != sorted_lines(h_out) or not out:
            fail(f"find {' '.join(args)} differs from the native run (exit {rc}, natively {h_rc})\n"
                 f"native: {h_out[:500]!r}", rc, out, err)
        print(f"ok: find {' '.join(args)}: {len(out.splitlines())} lines, same as natively")

def case_tar(tool, tmp):
    d = tree(tmp)
    det = ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "--format=gnu"]
    # An archive created on stdout inside the VM is byte for byte the native one.
    h_rc, h_out, _ = run(["/bin/tar", "-cf", "-"] + det + ["-C", d, "."])
    rc, out, err = elfin(tool, "/bin/tar", ["-cf", "-"] + det + ["-C", d, "."], dirs=[d])
    if rc != h_rc or out != h_out or len(out) < 10240:
        fail(f"tar -c: {len(out)} bytes, natively {len(h_out)} (exit {rc}, natively {h_rc})", rc, b"", err)
    print(f"ok: tar -c: {len(out)} bytes, identical to the native archive")
    # An archive written to the VM's file system, read back there (-W), listed (-v).
    arch = os.path.join(d, "out.tar")
    same_as_host(tool, "/bin/tar", ["-cvWf", arch] + det + ["-C", d, "src", "doc"], dirs=[d],
                 reset=lambda: os.unlink(arch))
    # The VM's archive, listed inside another VM.
    vm_tar = os.path.join(tmp, "vm.tar")
    with open(vm_tar, "wb") as f:
        f.write(out)
    same_as_host(tool, "/bin/tar", ["-tvf", vm_tar, "--numeric-owner"], files=[vm_tar])

# Builtins and here-documents only: bash runs $(...) and pipelines in child
# processes, and a unikernel has one process.
BASH_SCRIPT = r"""
set -e
x=3
declare -A colour=([apple]=red [sky]=blue)
arr=(one "two words" three)
while IFS= read -r line; do echo "[$line]"; done <<EOF
value of x is $x
$(( x * 7 )) and ${#arr[@]} items, tab	kept
EOF
count() { local n=0 w; while read -r w; do n=$((n + ${#w})); done <<< "$1"; echo "$n"; }
count "alpha
beta gamma"
for k in apple sky; do printf '%s=%s\n' "$k" "${colour[$k]}"; done
s="Hello, World"
echo "${s,,} ${s^^} ${s/World/Elfin} ${s:7:5}"
case "$s" in Hello*) echo matched;; *) echo no;; esac
[[ $s =~ ([A-Z])[a-z]+, ]] && echo "regex ${BASH_REMATCH[1]}"
printf -v padded '%05d' 42; echo "$padded"
echo "$((2**40)) $(( (17 % 5) << 3 ))"
read -r a b <<< "first second third"; echo "$b|$a"
f() { return 3; }; f || echo "status $?"
i=0; until (( i >= 4 )); do (( i++ )) || true; done; echo "i=$i"
"""

def case_bash(tool, tmp):
    same_as_host(tool, "/bin/bash", ["-c", BASH_SCRIPT])

PYTHON_SCRIPT = r"""
import datetime, decimal, hashlib, json, os, re, sqlite3, sys
path = sys.argv[1]
data = {"name": "elfin", "values": [1, 2.5, None, True], "nested": {"k": "v"}}
with open(path, "w") as f:
    json.dump(data, f, sort_keys=True)
with open(path) as f:
    back = json.load(f)
print(back == data, os.path.getsize(path))
print(hashlib.sha256(json.dumps(back, sort_keys=True).encode()).hexdigest())
print(hashlib.md5(b"elfin").hexdigest(), hashlib.blake2b(b"x", digest_size=8).hexdigest())
print(re.findall(r"(\w+)=(\d+)", "a=1, bb=22, ccc=333"))
decimal.getcontext().prec = 30
print(decimal.Decimal(1) / decimal.Decimal(7), decimal.Decimal("1.1") + decimal.Decimal("2.2"))
d = datetime.datetime(2024, 2, 28, 23, 30) + datetime.timedelta(hours=2)
print(d.isoformat(), d.strftime("%A %j"), datetime.date(2000, 1, 1).toordinal())
db = sqlite3.connect(os.path.join(os.path.dirname(path), "py.db"))
db.execute("create table t(k text primary key, v integer)")
db.executemany("insert into t values (?, ?)", [(c, ord(c)) for c in "elfin"])
db.commit()
print(db.execute("select group_concat(k, ''), sum(v) from (select * from t order by v)").fetchone())
print(sorted(os.listdir(os.path.dirname(path))))
"""

def case_python3(tool, tmp):
    # No extra flags: the tool packs Python's standard library by itself.
    d = os.path.join(tmp, "py")
    os.makedirs(d)
    same_as_host(tool, "/usr/bin/python3", ["-c", PYTHON_SCRIPT, os.path.join(d, "data.json")], dirs=[d],
                 reset=lambda: [os.unlink(os.path.join(d, n)) for n in os.listdir(d)])

# Threads and signals in CPython: the GIL (a futex-based condition variable),
# locks, conditions and queues between threads, a pool, and SIGALRM/ITIMER_REAL
# handlers interrupting blocking calls while other threads are alive (Linux
# gives a process-directed signal to the main thread when it does not block
# it, and CPython runs handlers in the main thread).
PYTHON_THREADS_SCRIPT = r"""
import concurrent.futures, os, queue, select, signal, threading, time
lock = threading.Lock()
total = [0]
def add(n):
    for _ in range(2000):
        with lock:
            total[0] += n
ts = [threading.Thread(target=add, args=(k,)) for k in range(1, 9)]
for t in ts: t.start()
for t in ts: t.join()
print("lock:", total[0])
q = queue.Queue(maxsize=4)
squares = []
def produce():
    for i in range(200): q.put(i)
    q.put(None)
def consume():
    while (x := q.get()) is not None: squares.append(x * x)
ts = [threading.Thread(target=produce), threading.Thread(target=consume)]
for t in ts: t.start()
for t in ts: t.join()
print("queue:", len(squares), sum(squares))
cond, seen = threading.Condition(), []
def waiter(i):
    with cond:
        cond.wait_for(lambda: "go" in seen)
        seen.append(i)
ts = [threading.Thread(target=waiter, args=(i,)) for i in range(5)]
for t in ts: t.start()
with cond:
    seen.append("go")
    cond.notify_all()
for t in ts: t.join()
print("condition:", sorted(x for x in seen if x != "go"))
local = threading.local()
def tls(i):
    local.v = i
    time.sleep(0.01)
    return local.v == i
with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
    print("pool:", sum(pool.map(lambda x: x * x, range(1000))), all(pool.map(tls, range(8))))
stop = threading.Event()
idle = [threading.Thread(target=stop.wait) for _ in range(3)]
for t in idle: t.start()
def timeout(signum, frame): raise TimeoutError(signal.Signals(signum).name)
signal.signal(signal.SIGALRM, timeout)
signal.alarm(1)
try:
    time.sleep(60); print("alarm: sleep ran to its end")
except TimeoutError as e: print("alarm: interrupted time.sleep with", e)
r, w = os.pipe()
signal.setitimer(signal.ITIMER_REAL, 0.1)
try:
    select.select([r], [], [], 60); print("itimer: select ran to its end")
except TimeoutError as e: print("itimer: interrupted select with", threading.active_count(), "threads alive")
held = threading.Lock(); held.acquire()
signal.setitimer(signal.ITIMER_REAL, 0.1)
try:
    held.acquire(timeout=60); print("itimer: acquired")
except TimeoutError: print("itimer: interrupted Lock.acquire")
ticks = []
signal.signal(signal.SIGALRM, lambda s, f: ticks.append(s))
signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)
while len(ticks) < 5: signal.pause()
signal.setitimer(signal.ITIMER_REAL, 0)
print("itimer interval:", len(ticks), "ticks, then", signal.getitimer(signal.ITIMER_REAL))
stop.set()
for t in idle: t.join()
print("threads left:", threading.active_count())
"""

def case_python3_threads(tool, tmp):
    same_as_host(tool, "/usr/bin/python3", ["-c", PYTHON_THREADS_SCRIPT], quiet=True)

def case_python3_threads_smp2(tool, tmp):
    # The same on two CPUs: the threads run at once, and SIGALRM must still
    # reach the main thread.
    same_as_host(tool, "/usr/bin/python3", ["-c", PYTHON_THREADS_SCRIPT], quiet=True, options=["--smp", "2"])

# AF_UNIX from Python: socket.socketpair() (stream and datagram), a path
# server in a thread, descriptors passed with socket.send_fds, SO_PEERCRED,
# an abstract name. Nothing printed depends on the run (pids, temp paths).
PYTHON_UNIX_SCRIPT = r"""
import os, socket, stat, struct, tempfile, threading
a, b = socket.socketpair()
print(a.family == socket.AF_UNIX, a.type == socket.SOCK_STREAM, repr(b.getsockname()))
a.sendall(b"hello over socketpair")
print(b.recv(100))
c, d = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
c.send(b"one"); c.send(b"two")
print(d.recv(10), d.recv(10))
path = os.path.join(tempfile.mkdtemp(), "srv.sock")
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path); srv.listen(1)
def serve():
    conn, _ = srv.accept()
    conn.sendall(conn.recv(100).upper())
    conn.close()
t = threading.Thread(target=serve); t.start()
cl = socket.socket(socket.AF_UNIX)
cl.connect(path); cl.sendall(b"shout")
print(cl.recv(100), cl.recv(100)); t.join()
print(os.path.basename(cl.getpeername()), stat.S_ISSOCK(os.stat(path).st_mode))
os.unlink(path)
r, w = os.pipe(); os.write(w, b"piped")
socket.send_fds(a, [b"fd"], [r])
msg, fds, flags, addr = socket.recv_fds(b, 10, 4)
print(msg, len(fds), os.read(fds[0], 10))
pid, uid, gid = struct.unpack("3i", a.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
print(pid == os.getpid(), uid == os.getuid(), gid == os.getgid())
ab = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
ab.bind("\0elfin-py-%d" % os.getpid())
print(ab.getsockname()[:9])
import asyncio
async def echo_upper():
    async def handle(r, w):
        w.write((await r.readline()).upper()); await w.drain(); w.close()
    p = os.path.join(tempfile.mkdtemp(), "aio.sock")
    srv = await asyncio.start_unix_server(handle, p)
    r, w = await asyncio.open_unix_connection(p)
    w.write(b"asyncio over af_unix\n"); await w.drain()
    print(await r.readline()); w.close(); srv.close(); await srv.wait_closed()
asyncio.run(echo_upper())
"""

def case_python3_unix(tool, tmp):
    same_as_host(tool, "/usr/bin/python3", ["-c", PYTHON_UNIX_SCRIPT], quiet=True)

def case_python3_faulthandler(tool, tmp):
    # faulthandler's SIGSEGV handler writes the fatal error and the traceback to
    # stderr, then re-raises the signal with the default action: the program
    # dies of SIGSEGV (139). stderr goes to a file, as `2>file` in a shell.
    args = ["-X", "faulthandler", "-c", "import ctypes; ctypes.string_at(0)"]
    want = [b"Fatal Python error: Segmentation fault", b"Current thread 0x",
            b'File "<string>", line 1 in <module>']
    results = {}
    for where in ("native", "vm"):
        path = os.path.join(tmp, f"{where}.err")
        with open(path, "wb") as f:
            if where == "native":
                p = subprocess.run(["/usr/bin/python3"] + args, stdout=subprocess.PIPE, stderr=f, timeout=60)
                rc, out = (128 - p.returncode if p.returncode < 0 else p.returncode), p.stdout
            else:
                rc, out, _ = elfin(tool, "/usr/bin/python3", args, stderr=f)
        err = without_notes(open(path, "rb").read())
        results[where] = (rc, err)
        if rc != 139:
            fail(f"python3 -X faulthandler ({where}) exited {rc}, not 139 (SIGSEGV)", rc, out, err)
        for w in want:
            if w not in err:
                fail(f"python3 -X faulthandler ({where}): {w.decode()!r} is not on stderr", rc, out, err)
    # The VM's stderr starts as natively; the tool's words for the signal come after.
    rc, err = results["vm"]
    if not err.startswith(b"Fatal Python error: Segmentation fault\n"):
        fail("the VM's stderr does not start with faulthandler's line", rc, b"", err)
    if not err.rstrip().endswith(b"Segmentation fault"):
        fail("the tool's 'Segmentation fault' is not the last line of stderr", rc, b"", err)
    print(f"ok: python3 -X faulthandler: exit 139 and the fatal error with its traceback, natively and in the VM")

GO_SOURCE = """package   main
import ("fmt";"os")
type point struct{x,y int
name string}
func main(){ p:=point{x:1,y:2,name:"p"}
for i:=0;i<3;i++{fmt.Println(i,p)}
if len(os.Args)>1 {  fmt.Println( os.Args[1:] ) }
s := []int{1,2,3}[0:len([]int{1,2,3})]
_ = s }
"""

def case_gofmt(tool, tmp):
    # Go's gofmt (static, from golang-go) parses and prints a tree of files on
    # several goroutines; -d prints its own diff of each.
    gofmt = "/usr/lib/go-1.19/bin/gofmt"
    need(gofmt, "golang-go")
    d = os.path.join(tmp, "gosrc")
    os.makedirs(os.path.join(d, "sub"))
    for i, name in enumerate(("a.go", "b.go", "sub/c.go", "sub/d.go")):
        with open(os.path.join(d, name), "w") as f:
            f.write(GO_SOURCE.replace("main", f"pkg{i}").replace("point", f"point{i}"))
    with open(os.path.join(d, "sub/tidy.go"), "w") as f:
        f.write("package tidy\n\nconst Answer = 42\n")
    same_as_host(tool, gofmt, ["-l", d], dirs=[d], mem="256M", quiet=True)
    same_as_host(tool, gofmt, ["-s", "-d", d], dirs=[d], mem="256M", quiet=True)

def case_runsc(tool, tmp):
    # gVisor's runsc (a static Go program, Go's runtime as Debian built it).
    need("/usr/bin/runsc", "runsc")
    same_as_host(tool, "/usr/bin/runsc", ["--version"], mem="256M", quiet=True)

PERL_SCRIPT = r"""
use strict; use warnings;
my $path = $ARGV[0];
my %age = (alice => 31, bob => 27, carol => 45);
open(my $out, '>', $path) or die "open: $!";
for my $name (sort keys %age) { printf $out "%s:%d\n", $name, $age{$name}; }
close($out);
open(my $in, '<', $path) or die "open: $!";
my %back = map { chomp; split /:/ } <$in>;
close($in);
my $sum = 0; $sum += $_ for values %back;
print join(",", map { "$_=$back{$_}" } sort { $back{$a} <=> $back{$b} } keys %back), "\n";
print "sum $sum, size ", -s $path, "\n";
my $s = "The quick brown fox"; (my $t = $s) =~ s/(\w+)/\u\L$1/g; print "$t\n";
print scalar(reverse "elfin"), " ", sprintf("%.3f", atan2(1, 1) * 4), " ", join("", map { chr(ord($_) + 1) } split //, "HAL"), "\n";
"""

def case_perl(tool, tmp):
    d = os.path.join(tmp, "pl")
    os.makedirs(d)
    same_as_host(tool, "/usr/bin/perl", ["-e", PERL_SCRIPT, os.path.join(d, "ages.txt")], dirs=[d],
                 reset=lambda: os.unlink(os.path.join(d, "ages.txt")))

SQL_SCRIPT = """
create table item(id integer primary key, name text not null, price real, qty integer);
insert into item(name, price, qty) values ('apple', 0.5, 100), ('pear', 0.75, 40), ('plum', 1.25, 7);
create index item_name on item(name);
begin;
update item set qty = qty - 3 where name like 'p%';
insert into item(name, price, qty) select name || '-bio', price * 2, qty / 2 from item;
commit;
select name, price, qty, printf('%.2f', price * qty) from item order by name;
select count(*), sum(qty), max(price) from item;
with recursive n(i) as (select 1 union all select i + 1 from n where i < 10) select group_concat(i * i, ' ') from n;
pragma integrity_check;
"""

def case_sqlite3(tool, tmp):
    d = os.path.join(tmp, "sql")
    os.makedirs(d)
    script = os.path.join(d, "script.sql")
    open(script, "w").write(SQL_SCRIPT)
    db = os.path.join(d, "shop.db")
    same_as_host(tool, "/usr/bin/sqlite3", [db, ".read " + script], dirs=[d],
                 reset=lambda: os.unlink(db))

CASES = {"cat": case_cat, "sha256sum": case_sha256sum, "sort": case_sort, "ls": case_ls, "ls-root": case_ls_root,
         "printf": case_echo_env, "find": case_find, "tar": case_tar, "bash": case_bash,
         "sqlite3": case_sqlite3, "python3": case_python3, "perl": case_perl,
         "python3-threads": case_python3_threads, "python3-threads-smp2": case_python3_threads_smp2, "python3-faulthandler": case_python3_faulthandler,
         "python3-unix": case_python3_unix,
         "runsc": case_runsc, "gofmt": case_gofmt}

def main():
    if "--list" in sys.argv:
        print("\n".join(CASES))
        return
    tool = sys.argv[sys.argv.index("--elfin") + 1]
    case = sys.argv[-1]
    with tempfile.TemporaryDirectory() as tmp:
        CASES[case](tool, tmp)

main()
