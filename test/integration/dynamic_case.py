#!/usr/bin/env python3
"""Unmodified glibc-dynamic Debian programs, each in its own VM, compared with
the same command run natively on the host.

dynamic_case.py --elfin PATH CASE     run one case (exit 0 pass, 1 fail, 77 skip)
dynamic_case.py --list                the cases
"""
import hashlib, os, subprocess, sys, tempfile

def run(cmd, env=None, timeout=110):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=timeout)
    return p.returncode, p.stdout, p.stderr

def elfin(tool, program, args, files=(), dirs=()):
    env = dict(os.environ)
    cmd = [tool, "run", "--mem", "96M"]
    for f in files:
        cmd += ["--file", f]
    for d in dirs:
        cmd += ["--dir", d]
    return run(cmd + ["--", program] + list(args), env=env)

def fail(msg, rc=None, out=b"", err=b""):
    print(f"FAIL: {msg}")
    if rc is not None:
        print(f"exit status {rc}")
    print("stdout:", out[:2000].decode(errors="replace"))
    print("stderr:", err[:2000].decode(errors="replace"))
    sys.exit(1)

def same_as_host(tool, program, args, files=(), dirs=(), host_args=None):
    h_rc, h_out, _ = run([program] + list(host_args if host_args is not None else args))
    rc, out, err = elfin(tool, program, args, files, dirs)
    if rc != h_rc:
        fail(f"{program} exited {rc}, natively {h_rc}", rc, out, err)
    if out != h_out:
        fail(f"{program}'s output differs from the native run\nnative: {h_out[:500]!r}", rc, out, err)
    print(f"ok: {program} {' '.join(args)}: {len(out)} bytes, same as natively")

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

def case_echo_env(tool, tmp):
    same_as_host(tool, "/usr/bin/printf", ["%s-%d\\n", "dynamic", "42"])

CASES = {"cat": case_cat, "sha256sum": case_sha256sum, "sort": case_sort, "ls": case_ls,
         "printf": case_echo_env}

def main():
    if "--list" in sys.argv:
        print("\n".join(CASES))
        return
    tool = sys.argv[sys.argv.index("--elfin") + 1]
    case = sys.argv[-1]
    with tempfile.TemporaryDirectory() as tmp:
        CASES[case](tool, tmp)

main()
