#!/usr/bin/env python3
"""Makes the kernel's embedded symbol table (for symbolised backtraces).

gen_ksyms.py STAGE1_ELF OUT.s        writes the table as assembly
gen_ksyms.py --check STAGE1 FINAL    fails if any code address moved between links
Format: u64 count, then count * {u64 addr, u32 name_offset, u32 pad}, then names.
"""
import subprocess, sys

def symbols(elf):
    out = subprocess.run(["nm", "-n", "-C", "--defined-only", elf], check=True,
                         capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    return syms

if sys.argv[1] == "--check":
    a, b = symbols(sys.argv[2]), symbols(sys.argv[3])
    if a != b:
        sys.exit("gen_ksyms: code moved between the two kernel links")
    sys.exit(0)

syms = [s for s in symbols(sys.argv[1]) if s[0] >= 0xffffffff80000000]
names = b""
lines = ["    .section .ksyms, \"a\"", "    .align 8", f"    .quad {len(syms)}"]
offsets = []
for addr, name in syms:
    offsets.append(len(names))
    names += name.encode()[:120] + b"\0"
for (addr, _), off in zip(syms, offsets):
    lines.append(f"    .quad {addr:#x}\n    .long {off}, 0")
lines.append("    .byte " + ",".join(str(b) for b in names) if names else "")
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
