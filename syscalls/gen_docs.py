#!/usr/bin/env python3
"""Writes docs/syscalls.md from syscalls/syscall_64.tbl (the single source).

gen_docs.py TABLE OUT.md           write the page
gen_docs.py --check TABLE OUT.md   fail if the page is out of date (a unit of CI)
"""
import sys

def render(table):
    real, fake, missing = [], [], []
    for line in open(table):
        code, _, comment = line.partition("#")
        f = code.split()
        if len(f) != 5:
            continue
        nr, name, handler, status = int(f[0]), f[1], f[2], f[3]
        why = comment.strip()
        (real if status == "real" else fake if status == "fake" else missing).append((nr, name, why))
    out = ["# System calls", "",
           "Generated from `syscalls/syscall_64.tbl` by `syscalls/gen_docs.py`; do not edit by hand.", "",
           "Elfin uses Linux's x86-64 numbers. A syscall is **implemented** (with Linux's error semantics),",
           "**faked** (returns success without doing what Linux does — each says why), or **missing**:",
           "it returns `-ENOSYS`, and `elfin run` names it once (`the program called NAME, which Elfin",
           "does not implement`).", "",
           f"Implemented: {len(real)}. Faked: {len(fake)}. Missing: {len(missing)}.", "",
           "## Implemented", "", "| nr | name |", "|---:|---|"]
    out += [f"| {nr} | `{name}` |" for nr, name, _ in real]
    out += ["", "## Faked", ""]
    if fake:
        out += ["| nr | name | why |", "|---:|---|---|"] + [f"| {nr} | `{n}` | {w} |" for nr, n, w in fake]
    else:
        out += ["None."]
    out += ["", "## Missing (return ENOSYS)", "", ", ".join(f"`{n}`" for _, n, _ in missing), ""]
    return "\n".join(out)

if sys.argv[1] == "--check":
    want = render(sys.argv[2])
    have = open(sys.argv[3]).read() if __import__("os").path.exists(sys.argv[3]) else ""
    if want != have:
        sys.exit(f"{sys.argv[3]} is out of date: run python3 syscalls/gen_docs.py {sys.argv[2]} {sys.argv[3]}")
else:
    open(sys.argv[2], "w").write(render(sys.argv[1]))
