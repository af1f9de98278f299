// The initial process state: argv, envp and the auxiliary vector.
//
// usage (the test driver passes exactly this):
//   ELFIN_TEST_VAR='a=b c' auxv one 'two words' '' --not-an-option
// Built both as a static ET_EXEC (auxv) and as a static PIE (auxv-pie).
#include "check.h"

#include <elf.h>
#include <libgen.h>
#include <link.h>
#include <sys/auxv.h>
#include <sys/stat.h>

extern char **environ;
extern const ElfW(Ehdr) __ehdr_start;   // the linker's name for our own ELF header
extern char _start[];

static void test_args(int argc, char **argv, char **envp)
{
    CHECK_EQ(argc, 5);
    if (argc != 5)
        return;
    char name[256];
    snprintf(name, sizeof name, "%s", argv[0]);
    CHECK(strncmp(basename(name), "auxv", 4) == 0);
    CHECK_STR(argv[1], "one");
    CHECK_STR(argv[2], "two words");
    CHECK_STR(argv[3], "");
    CHECK_STR(argv[4], "--not-an-option");
    CHECK(argv[5] == NULL);
    CHECK(envp == argv + argc + 1);                   // the ABI's stack layout
    CHECK(environ == envp);
    CHECK_STR(getenv("ELFIN_TEST_VAR"), "a=b c");
    int found = 0;
    for (char **e = envp; *e; e++) {
        CHECK(strchr(*e, '=') != NULL);               // every entry is NAME=value
        if (strcmp(*e, "ELFIN_TEST_VAR=a=b c") == 0)
            found++;
    }
    CHECK_EQ(found, 1);
    // The strings live in writable memory.
    argv[1][0] = 'O';
    CHECK_STR(argv[1], "One");
}

static void test_auxv(char **envp)
{
    char **e = envp;
    while (*e)
        e++;
    ElfW(auxv_t) *av = (ElfW(auxv_t) *)(e + 1);       // right after envp's NULL
    int n = 0, seen_pagesz = 0;
    for (; av->a_type != AT_NULL && n < 100; av++, n++) {
        if (av->a_type == AT_PAGESZ)
            seen_pagesz = 1;
        // glibc rewrites its copy of the hardware capability words on x86.
        if (av->a_type != AT_HWCAP && av->a_type != AT_HWCAP2)
            CHECK_EQ(getauxval(av->a_type), av->a_un.a_val);
    }
    CHECK(n < 100);
    CHECK(seen_pagesz);

    CHECK_EQ(getauxval(AT_PAGESZ), 4096);
    CHECK_EQ(sysconf(_SC_PAGESIZE), 4096);
    CHECK_EQ(getauxval(AT_CLKTCK), 100);
    CHECK_EQ(getauxval(AT_BASE), 0);                  // no interpreter
    CHECK_EQ(getauxval(AT_FLAGS), 0);
    CHECK_EQ(getauxval(AT_SECURE), 0);
    CHECK_EQ(getauxval(AT_UID), getuid());
    CHECK_EQ(getauxval(AT_EUID), geteuid());
    CHECK_EQ(getauxval(AT_GID), getgid());
    CHECK_EQ(getauxval(AT_EGID), getegid());

    const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
    CHECK(rnd != NULL);
    if (rnd) {
        int nonzero = 0;
        for (int i = 0; i < 16; i++)
            nonzero |= rnd[i];
        CHECK(nonzero);
    }

    // The program headers and the entry point are this very program's.
    const ElfW(Ehdr) *eh = &__ehdr_start;
    CHECK_MEM(eh->e_ident, ELFMAG, SELFMAG);
    CHECK_EQ(getauxval(AT_PHDR), (unsigned long)eh + eh->e_phoff);
    CHECK_EQ(getauxval(AT_PHNUM), eh->e_phnum);
    CHECK_EQ(getauxval(AT_PHENT), sizeof(ElfW(Phdr)));
    CHECK_EQ(getauxval(AT_ENTRY), (unsigned long)_start);
    // For a PIE the entry in the file is relative to where the image was loaded.
    CHECK_EQ(getauxval(AT_ENTRY) - eh->e_entry, eh->e_type == ET_DYN ? (unsigned long)eh : 0);
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
    int loads = 0;
    for (unsigned i = 0; i < eh->e_phnum; i++)
        loads += ph[i].p_type == PT_LOAD;
    CHECK(loads >= 1);

    CHECK_STR((const char *)getauxval(AT_PLATFORM), "x86_64");
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    CHECK(execfn != NULL && execfn[0] != 0);
    struct stat a, b;
    if (execfn) {
        CHECK_EQ(stat(execfn, &a), 0);
        CHECK_EQ(stat("/proc/self/exe", &b), 0);
        CHECK_EQ(a.st_ino, b.st_ino);
        CHECK_EQ(a.st_dev, b.st_dev);
    }

    // A vDSO is optional; if there is one, it is an ELF image.
    const unsigned char *vdso = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
    if (vdso)
        CHECK_MEM(vdso, ELFMAG, SELFMAG);
}

int main(int argc, char **argv, char **envp)
{
    test_args(argc, argv, envp);
    test_auxv(envp);
    return check_report("auxv");
}
