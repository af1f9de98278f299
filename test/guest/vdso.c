// The vDSO: found through AT_SYSINFO_EHDR, its functions looked up by name and
// version in its own dynamic symbol table (with both of its hash tables, as a
// dynamic linker would), called directly and compared with the syscalls they
// stand in for. Also [vdso]/[vvar] in /proc/self/maps and /proc/self/auxv.
// Passes on Linux with Linux's vDSO too.
#include "check.h"
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sched.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <time.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);
typedef int (*gettimeofday_fn)(struct timeval *, struct timezone *);
typedef time_t (*time_fn)(time_t *);
typedef long (*getcpu_fn)(unsigned *, unsigned *, void *);
typedef int (*clock_getres_fn)(clockid_t, struct timespec *);

// ---- The vDSO's dynamic symbol table, read by hand ---------------------------

static struct {
    uintptr_t bias; // run-time address - address in the file
    const ElfW(Sym) *symtab;
    const char *strtab;
    const Elf32_Word *hash;     // DT_HASH (SysV)
    const Elf32_Word *gnu_hash; // DT_GNU_HASH
    const ElfW(Versym) *versym;
    const ElfW(Verdef) *verdef;
    unsigned nsyms;
} vdso;

static int vdso_parse(uintptr_t base)
{
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)base;
    CHECK_MEM(eh->e_ident, ELFMAG, SELFMAG);
    CHECK_EQ(eh->e_ident[EI_CLASS], ELFCLASS64);
    CHECK_EQ(eh->e_type, ET_DYN);
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)(base + eh->e_phoff);
    const ElfW(Dyn) *dyn = NULL;
    int have_load = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && !have_load) {
            // The first PT_LOAD holds the ELF header (offset 0).
            CHECK_EQ(ph[i].p_offset, 0);
            vdso.bias = base - ph[i].p_vaddr;
            have_load = 1;
        }
    }
    CHECK(have_load);
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_DYNAMIC)
            dyn = (const ElfW(Dyn) *)(vdso.bias + ph[i].p_vaddr);
    CHECK(dyn != NULL);
    if (!have_load || !dyn)
        return 0;
    int relocs = 0;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        uintptr_t p = vdso.bias + dyn->d_un.d_ptr;
        switch (dyn->d_tag) {
        case DT_SYMTAB: vdso.symtab = (const ElfW(Sym) *)p; break;
        case DT_STRTAB: vdso.strtab = (const char *)p; break;
        case DT_HASH: vdso.hash = (const Elf32_Word *)p; break;
        case DT_GNU_HASH: vdso.gnu_hash = (const Elf32_Word *)p; break;
        case DT_VERSYM: vdso.versym = (const ElfW(Versym) *)p; break;
        case DT_VERDEF: vdso.verdef = (const ElfW(Verdef) *)p; break;
        case DT_REL: case DT_RELA: case DT_JMPREL: case DT_TEXTREL: relocs++; break;
        }
    }
    CHECK_EQ(relocs, 0); // nobody relocates the vDSO
    CHECK(vdso.symtab && vdso.strtab && vdso.versym && vdso.verdef);
    CHECK(vdso.hash || vdso.gnu_hash);
    if (!vdso.symtab || !vdso.strtab || !vdso.versym || !vdso.verdef || !(vdso.hash || vdso.gnu_hash))
        return 0;
    if (vdso.hash) {
        vdso.nsyms = vdso.hash[1]; // nchain
    } else {
        // The GNU hash table does not say how many symbols there are: the
        // last chain of the highest bucket ends the table.
        const Elf32_Word *h = vdso.gnu_hash;
        Elf32_Word nbuckets = h[0], symoffset = h[1], bloom_size = h[2];
        const Elf32_Word *buckets = (const Elf32_Word *)((const ElfW(Addr) *)(h + 4) + bloom_size);
        const Elf32_Word *chain = buckets + nbuckets;
        Elf32_Word last = 0;
        for (Elf32_Word b = 0; b < nbuckets; b++)
            if (buckets[b] > last)
                last = buckets[b];
        if (last >= symoffset)
            while (!(chain[last - symoffset] & 1))
                last++;
        vdso.nsyms = last + 1;
    }
    CHECK(vdso.nsyms > 1 && vdso.nsyms < 1000);
    return 1;
}

// The name of version index `ndx` (from the version definitions).
static const char *vdso_version_name(unsigned ndx)
{
    const ElfW(Verdef) *d = vdso.verdef;
    for (int n = 0; n < 100; n++) {
        if ((d->vd_ndx & 0x7fff) == ndx) {
            const ElfW(Verdaux) *aux = (const ElfW(Verdaux) *)((const char *)d + d->vd_aux);
            return vdso.strtab + aux->vda_name;
        }
        if (!d->vd_next)
            break;
        d = (const ElfW(Verdef) *)((const char *)d + d->vd_next);
    }
    return NULL;
}

static int vdso_symbol_matches(unsigned i, const char *name, const char *version)
{
    const ElfW(Sym) *s = &vdso.symtab[i];
    if (s->st_shndx == SHN_UNDEF || ELF64_ST_TYPE(s->st_info) != STT_FUNC)
        return 0;
    if (strcmp(vdso.strtab + s->st_name, name) != 0)
        return 0;
    const char *v = vdso_version_name(vdso.versym[i] & 0x7fff);
    return v && strcmp(v, version) == 0;
}

// Every symbol, one after the other.
static void *vdso_sym_linear(const char *name, const char *version)
{
    for (unsigned i = 1; i < vdso.nsyms; i++)
        if (vdso_symbol_matches(i, name, version))
            return (void *)(vdso.bias + vdso.symtab[i].st_value);
    return NULL;
}

static unsigned long sysv_hash(const char *s)
{
    unsigned long h = 0, g;
    for (; *s; s++) {
        h = (h << 4) + (unsigned char)*s;
        g = h & 0xf0000000;
        if (g)
            h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

// Through DT_HASH, as older dynamic linkers do.
static void *vdso_sym_sysv(const char *name, const char *version)
{
    const Elf32_Word *h = vdso.hash;
    Elf32_Word nbucket = h[0];
    const Elf32_Word *bucket = h + 2, *chain = bucket + nbucket;
    for (Elf32_Word i = bucket[sysv_hash(name) % nbucket]; i != STN_UNDEF; i = chain[i])
        if (vdso_symbol_matches(i, name, version))
            return (void *)(vdso.bias + vdso.symtab[i].st_value);
    return NULL;
}

static uint32_t gnu_hash(const char *s)
{
    uint32_t h = 5381;
    for (; *s; s++)
        h = h * 33 + (unsigned char)*s;
    return h;
}

// Through DT_GNU_HASH (bloom filter, bucket, chain), as glibc does.
static void *vdso_sym_gnu(const char *name, const char *version)
{
    const Elf32_Word *h = vdso.gnu_hash;
    Elf32_Word nbuckets = h[0], symoffset = h[1], bloom_size = h[2], shift = h[3];
    const ElfW(Addr) *bloom = (const ElfW(Addr) *)(h + 4);
    const Elf32_Word *buckets = (const Elf32_Word *)(bloom + bloom_size);
    const Elf32_Word *chain = buckets + nbuckets;
    uint32_t hash = gnu_hash(name);
    const unsigned bits = sizeof(ElfW(Addr)) * 8;
    ElfW(Addr) word = bloom[(hash / bits) % bloom_size];
    ElfW(Addr) mask = ((ElfW(Addr))1 << (hash % bits)) | ((ElfW(Addr))1 << ((hash >> shift) % bits));
    if ((word & mask) != mask)
        return NULL;
    Elf32_Word i = buckets[hash % nbuckets];
    if (i < symoffset)
        return NULL;
    for (;; i++) {
        Elf32_Word h2 = chain[i - symoffset];
        if ((h2 | 1) == (hash | 1) && vdso_symbol_matches(i, name, version))
            return (void *)(vdso.bias + vdso.symtab[i].st_value);
        if (h2 & 1)
            return NULL;
    }
}

static void *vdso_sym(const char *name)
{
    check_context = name;
    void *p = vdso_sym_linear(name, "LINUX_2.6");
    CHECK(p != NULL);
    if (vdso.hash)
        CHECK(vdso_sym_sysv(name, "LINUX_2.6") == p);
    if (vdso.gnu_hash)
        CHECK(vdso_sym_gnu(name, "LINUX_2.6") == p);
    // The name alone, with another version, is not the same symbol.
    CHECK(vdso_sym_linear(name, "LINUX_9.9") == NULL);
    check_context = NULL;
    return p;
}

// ---- Comparisons with the syscalls ------------------------------------------

static long long ts_ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static struct timespec sys_clock(clockid_t id)
{
    struct timespec t = { -1, -1 };
    CHECK_EQ(syscall(SYS_clock_gettime, id, &t), 0);
    return t;
}

static void test_clock_gettime(clock_gettime_fn vdso_clock_gettime)
{
    static const struct { clockid_t id; const char *name; } clocks[] = {
        { CLOCK_REALTIME, "CLOCK_REALTIME" }, { CLOCK_MONOTONIC, "CLOCK_MONOTONIC" },
        { CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW" }, { CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE" },
        { CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE" }, { CLOCK_BOOTTIME, "CLOCK_BOOTTIME" },
        { CLOCK_TAI, "CLOCK_TAI" },
    };
    for (unsigned c = 0; c < sizeof clocks / sizeof clocks[0]; c++) {
        check_context = clocks[c].name;
        for (int round = 0; round < 50; round++) {
            struct timespec before = sys_clock(clocks[c].id), v = { -1, -1 };
            CHECK_EQ(vdso_clock_gettime(clocks[c].id, &v), 0);
            struct timespec after = sys_clock(clocks[c].id);
            CHECK(v.tv_nsec >= 0 && v.tv_nsec < 1000000000);
            CHECK(ts_ns(before) <= ts_ns(v));
            CHECK(ts_ns(v) <= ts_ns(after));
            // And glibc's clock_gettime (which may itself use the vDSO).
            struct timespec g = { -1, -1 };
            CHECK_EQ(clock_gettime(clocks[c].id, &g), 0);
            CHECK(ts_ns(after) <= ts_ns(g));
            if (ts_ns(before) > ts_ns(v) || ts_ns(v) > ts_ns(after)) {
                fprintf(stderr, "  syscall %lld, vdso %lld, syscall %lld\n", ts_ns(before), ts_ns(v),
                        ts_ns(after));
                break;
            }
        }
    }
    check_context = NULL;
    // Successive readings of one clock never go back.
    struct timespec prev = { 0, 0 }, now;
    for (int i = 0; i < 200; i++) {
        CHECK_EQ(vdso_clock_gettime(CLOCK_MONOTONIC, &now), 0);
        if (ts_ns(now) < ts_ns(prev)) {
            CHECK(ts_ns(now) >= ts_ns(prev));
            break;
        }
        prev = now;
    }
    // Clocks the vDSO does not compute go to the syscall.
    struct timespec t = { -1, -1 };
    CHECK_EQ(vdso_clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t), 0);
    CHECK(t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < 1000000000);
    // Errors come back as the syscall's -errno (glibc turns them into errno).
    CHECK_EQ(vdso_clock_gettime(12345, &t), -EINVAL);
}

static void test_clock_getres(clock_getres_fn vdso_clock_getres)
{
    static const clockid_t ids[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
                                     CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_TAI, CLOCK_PROCESS_CPUTIME_ID };
    for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        struct timespec v = { -1, -1 }, s = { -2, -2 };
        CHECK_EQ(vdso_clock_getres(ids[i], &v), 0);
        CHECK_EQ(syscall(SYS_clock_getres, ids[i], &s), 0);
        CHECK_EQ(v.tv_sec, s.tv_sec);
        CHECK_EQ(v.tv_nsec, s.tv_nsec);
        CHECK_EQ(vdso_clock_getres(ids[i], NULL), 0);
    }
    struct timespec t;
    CHECK_EQ(vdso_clock_getres(12345, &t), -EINVAL);
}

static void test_gettimeofday(gettimeofday_fn vdso_gettimeofday)
{
    for (int round = 0; round < 20; round++) {
        long long before = ts_ns(sys_clock(CLOCK_REALTIME)) / 1000;
        struct timeval tv = { -1, -1 };
        CHECK_EQ(vdso_gettimeofday(&tv, NULL), 0);
        long long after = ts_ns(sys_clock(CLOCK_REALTIME)) / 1000;
        long long us = tv.tv_sec * 1000000LL + tv.tv_usec;
        CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
        CHECK(before <= us);
        CHECK(us <= after);
    }
    struct timezone tz = { -1, -1 };
    struct timeval tv;
    CHECK_EQ(vdso_gettimeofday(&tv, &tz), 0);
    struct timezone sys_tz = { -2, -2 };
    CHECK_EQ(syscall(SYS_gettimeofday, NULL, &sys_tz), 0);
    CHECK_EQ(tz.tz_minuteswest, sys_tz.tz_minuteswest);
    CHECK_EQ(tz.tz_dsttime, sys_tz.tz_dsttime);
    CHECK_EQ(vdso_gettimeofday(NULL, NULL), 0);
}

static void test_time(time_fn vdso_time)
{
    time_t before = syscall(SYS_time, NULL), t = -1;
    time_t v = vdso_time(&t);
    time_t after = syscall(SYS_time, NULL);
    CHECK_EQ(v, t);
    CHECK(before <= v);
    CHECK(v <= after);
    CHECK(vdso_time(NULL) >= v);
    CHECK(v > 1600000000); // the wall clock is set (2020 or later)
}

static void test_getcpu(getcpu_fn vdso_getcpu)
{
    unsigned cpu = ~0u, node = ~0u;
    int nprocs = get_nprocs_conf();
    CHECK_EQ(vdso_getcpu(&cpu, &node, NULL), 0);
    CHECK(cpu < (unsigned)nprocs);
    CHECK(node != ~0u);
    CHECK_EQ(vdso_getcpu(NULL, NULL, NULL), 0);
    unsigned scpu = ~0u, snode = ~0u;
    CHECK_EQ(syscall(SYS_getcpu, &scpu, &snode, NULL), 0);
    CHECK(scpu < (unsigned)nprocs);
    CHECK_EQ(snode, node);
    // Pinned to one CPU, both must name it.
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(scpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) == 0) {
        CHECK_EQ(vdso_getcpu(&cpu, NULL, NULL), 0);
        CHECK_EQ(cpu, scpu);
        CHECK_EQ(sched_getcpu(), (int)scpu);
    } else if (nprocs == 1) {
        CHECK_EQ(cpu, scpu);
    }
}

// ---- /proc --------------------------------------------------------------------

static void test_maps(uintptr_t base)
{
    FILE *f = fopen("/proc/self/maps", "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char line[512];
    int saw_vdso = 0, saw_vvar = 0;
    unsigned long vvar_start = 0, vvar_end = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long start, end;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) != 3)
            continue;
        if (strstr(line, "[vdso]")) {
            saw_vdso++;
            CHECK_EQ(start, base);
            CHECK_STR(perms, "r-xp");
        } else if (strstr(line, "[vvar]")) {
            saw_vvar++;
            vvar_start = start;
            vvar_end = end;
            CHECK_STR(perms, "r--p");
        }
    }
    fclose(f);
    CHECK_EQ(saw_vdso, 1);
    CHECK_EQ(saw_vvar, 1);
    if (!saw_vvar)
        return;
    // The clock data is the kernel's: the program cannot make it writable.
    CHECK_ERR(mprotect((void *)vvar_start, vvar_end - vvar_start, PROT_READ | PROT_WRITE), EACCES);
    CHECK_OK(mprotect((void *)vvar_start, vvar_end - vvar_start, PROT_READ));
}

static void test_proc_auxv(uintptr_t base)
{
    int fd = open("/proc/self/auxv", O_RDONLY);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    unsigned long words[256];
    size_t got = 0;
    ssize_t n;
    while ((n = read(fd, (char *)words + got, sizeof words - got)) > 0)
        got += n;
    close(fd);
    CHECK(got >= 16 && got % 16 == 0 && got < sizeof words);
    size_t pairs = got / 16;
    int saw_ehdr = 0, saw_pagesz = 0, saw_random = 0, saw_phdr = 0, saw_entry = 0;
    for (size_t i = 0; i < pairs; i++) {
        unsigned long type = words[2 * i], val = words[2 * i + 1];
        if (type == AT_NULL) {
            CHECK_EQ(i, pairs - 1); // the last entry, and only there
            break;
        }
        if (type != AT_HWCAP && type != AT_HWCAP2)
            CHECK_EQ(getauxval(type), val);
        saw_ehdr += type == AT_SYSINFO_EHDR && val == base;
        saw_pagesz += type == AT_PAGESZ && val == 4096;
        saw_random += type == AT_RANDOM;
        saw_phdr += type == AT_PHDR;
        saw_entry += type == AT_ENTRY;
    }
    CHECK_EQ(words[2 * (pairs - 1)], AT_NULL);
    CHECK_EQ(saw_ehdr, 1);
    CHECK_EQ(saw_pagesz, 1);
    CHECK_EQ(saw_random, 1);
    CHECK_EQ(saw_phdr, 1);
    CHECK_EQ(saw_entry, 1);
}

// `vdso glibc`: only glibc's own clock calls, for a run under --trace that
// shows none of them reaching the kernel (test/integration/run_case.py).
static int glibc_only(void)
{
    struct timespec a, b;
    struct timeval tv;
    CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &a), 0);
    CHECK_EQ(clock_gettime(CLOCK_REALTIME, &b), 0);
    CHECK_EQ(gettimeofday(&tv, NULL), 0);
    CHECK(time(NULL) >= b.tv_sec);
    CHECK_EQ(clock_getres(CLOCK_MONOTONIC, &a), 0);
    CHECK(sched_getcpu() >= 0);
    return check_report("vdso");
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "glibc") == 0)
        return glibc_only();
    uintptr_t base = getauxval(AT_SYSINFO_EHDR);
    CHECK(base != 0);
    if (!base || !vdso_parse(base))
        return check_report("vdso");
    clock_gettime_fn cg = (clock_gettime_fn)vdso_sym("__vdso_clock_gettime");
    gettimeofday_fn gtod = (gettimeofday_fn)vdso_sym("__vdso_gettimeofday");
    time_fn tm = (time_fn)vdso_sym("__vdso_time");
    getcpu_fn gc = (getcpu_fn)vdso_sym("__vdso_getcpu");
    clock_getres_fn gr = (clock_getres_fn)vdso_sym("__vdso_clock_getres");
    // Linux's names without the prefix are the same functions.
    CHECK(vdso_sym_linear("clock_gettime", "LINUX_2.6") == (void *)cg);
    CHECK(vdso_sym_linear("gettimeofday", "LINUX_2.6") == (void *)gtod);
    CHECK(vdso_sym_linear("time", "LINUX_2.6") == (void *)tm);
    CHECK(vdso_sym_linear("getcpu", "LINUX_2.6") == (void *)gc);
    CHECK(vdso_sym_linear("__vdso_nonexistent", "LINUX_2.6") == NULL);
    if (cg)
        test_clock_gettime(cg);
    if (gr)
        test_clock_getres(gr);
    if (gtod)
        test_gettimeofday(gtod);
    if (tm)
        test_time(tm);
    if (gc)
        test_getcpu(gc);
    test_maps(base);
    test_proc_auxv(base);
    return check_report("vdso");
}
