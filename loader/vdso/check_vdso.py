#!/usr/bin/env python3
"""Checks the linked vDSO before the kernel embeds it: the kernel maps it as
it is, with no loader to apply relocations or find libraries, and programs
look its functions up by name and version (glibc: "LINUX_2.6").

    check_vdso.py vdso.so
"""
import struct
import sys

WANT = ["__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_time", "__vdso_getcpu",
        "__vdso_clock_getres", "clock_gettime", "gettimeofday", "time", "getcpu", "clock_getres"]
DT_NEEDED, DT_STRTAB, DT_SYMTAB, DT_RELA, DT_REL, DT_TEXTREL, DT_JMPREL = 1, 5, 6, 7, 17, 22, 23
DT_HASH, DT_GNU_HASH, DT_VERSYM, DT_VERDEF, DT_VERDEFNUM = 4, 0x6ffffef5, 0x6ffffff0, 0x6ffffffc, 0x6ffffffd
DT_RELACOUNT, DT_RELCOUNT = 0x6ffffff9, 0x6ffffffa


def fail(why):
    sys.exit(f"check_vdso: {sys.argv[1]}: {why}")


def main():
    data = open(sys.argv[1], "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        fail("not a 64-bit ELF file")
    e_type, = struct.unpack_from("<H", data, 16)
    if e_type != 3:
        fail("not a shared object (ET_DYN)")
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    loads, dyn = [], None
    for i in range(phnum):
        p_type, p_flags, p_offset, p_vaddr, _, p_filesz, p_memsz, _ = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type == 1:
            loads.append((p_offset, p_vaddr, p_filesz, p_memsz, p_flags))
        elif p_type == 2:
            dyn = (p_offset, p_filesz)
    if len(loads) != 1 or loads[0][0] != 0 or loads[0][1] != 0 or loads[0][2] != loads[0][3]:
        fail(f"wants one PT_LOAD of the whole file at address 0, has {loads}")
    if loads[0][4] & 2:
        fail("its PT_LOAD is writable")
    if dyn is None:
        fail("no PT_DYNAMIC")
    tags = {}
    for off in range(dyn[0], dyn[0] + dyn[1], 16):
        tag, val = struct.unpack_from("<qQ", data, off)
        if tag == 0:
            break
        tags.setdefault(tag, val)
    for bad, name in ((DT_NEEDED, "DT_NEEDED"), (DT_RELA, "DT_RELA"), (DT_REL, "DT_REL"),
                      (DT_TEXTREL, "DT_TEXTREL"), (DT_JMPREL, "DT_JMPREL"),
                      (DT_RELACOUNT, "DT_RELACOUNT"), (DT_RELCOUNT, "DT_RELCOUNT")):
        if bad in tags:
            fail(f"has {name}: the vDSO must need no loader (no relocations, no libraries)")
    for need, name in ((DT_HASH, "DT_HASH"), (DT_GNU_HASH, "DT_GNU_HASH"), (DT_SYMTAB, "DT_SYMTAB"),
                       (DT_STRTAB, "DT_STRTAB"), (DT_VERSYM, "DT_VERSYM"), (DT_VERDEF, "DT_VERDEF")):
        if need not in tags:
            fail(f"has no {name}")
    strtab = tags[DT_STRTAB]

    def cstr(off):
        return data[off:data.index(b"\0", off)].decode()

    # Version definitions: index -> name.
    versions, off = {}, tags[DT_VERDEF]
    for _ in range(tags.get(DT_VERDEFNUM, 0)):
        _, _, ndx, _, _, aux, nxt = struct.unpack_from("<HHHHIII", data, off)
        name_off, = struct.unpack_from("<I", data, off + aux)
        versions[ndx] = cstr(strtab + name_off)
        off += nxt
    nsyms, = struct.unpack_from("<I", data, tags[DT_HASH] + 4)  # DT_HASH's nchain
    found = {}
    for i in range(1, nsyms):
        st_name, st_info, _, st_shndx, st_value, _ = struct.unpack_from("<IBBHQQ", data, tags[DT_SYMTAB] + 24 * i)
        versym, = struct.unpack_from("<H", data, tags[DT_VERSYM] + 2 * i)
        if st_shndx != 0 and (st_info & 0xf) == 2:
            found[cstr(strtab + st_name)] = versions.get(versym & 0x7fff)
    for name in WANT:
        if found.get(name) != "LINUX_2.6":
            fail(f"{name} is not exported as a function of version LINUX_2.6 (found: {found})")


if __name__ == "__main__":
    main()
