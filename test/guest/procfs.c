// /proc and /sys: what glibc, language runtimes and common tools read.
// /proc/self/{exe,cwd,fd/,maps,status,stat,statm,cmdline,comm,limits,mounts},
// /proc/{cpuinfo,meminfo,stat,uptime,loadavg,version}, /proc/sys/kernel/*,
// /sys/devices/system/cpu/online (sysconf(_SC_NPROCESSORS_ONLN)), /dev/fd and
// /dev/std*, and that nothing can be created or written there.
//
// usage: procfs [ARGS...]   (any arguments: /proc/self/cmdline must show them)
// Passes natively on Linux too: every expected value comes from a syscall
// (getpid, getcwd, uname...) rather than from what Elfin happens to say.
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

static char exe[4096];

// The whole file (up to 64 KiB, NUL-terminated); its length in *len.
static char *slurp(const char *path, size_t *len)
{
    static char bufs[2][65536];
    static int next;
    char *buf = bufs[next++ % 2];
    size_t n = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        check_fail(__FILE__, __LINE__, path, "open failed: %s", strerror(errno));
        buf[0] = 0;
        if (len) *len = 0;
        return buf;
    }
    for (;;) {
        // Small reads: the text must stay one consistent snapshot across them.
        ssize_t r = read(fd, buf + n, n + 100 < sizeof bufs[0] - 1 ? 100 : sizeof bufs[0] - 1 - n);
        if (r <= 0) break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = 0;
    if (len) *len = n;
    return buf;
}

// The value after "key" at the start of a line, up to the end of the line.
static const char *field(const char *text, const char *key)
{
    static char value[512];
    size_t klen = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, key, klen) == 0) {
            const char *v = p + klen;
            size_t n = strcspn(v, "\n");
            if (n >= sizeof value) n = sizeof value - 1;
            memcpy(value, v, n);
            value[n] = 0;
            return value;
        }
    }
    return "(missing)";
}

static void test_exe(void)
{
    ssize_t n = CHECK_OK(readlink("/proc/self/exe", exe, sizeof exe - 1));
    exe[n > 0 ? n : 0] = 0;
    CHECK(exe[0] == '/');
    struct stat a, b;
    CHECK_OK(stat(exe, &a));
    CHECK_OK(stat("/proc/self/exe", &b));
    CHECK_EQ(a.st_ino, b.st_ino);
    CHECK_EQ(a.st_size, b.st_size);

    char self[64], want[64];
    n = CHECK_OK(readlink("/proc/self", self, sizeof self - 1));
    self[n > 0 ? n : 0] = 0;
    snprintf(want, sizeof want, "%d", getpid());
    CHECK_STR(self, want);
    snprintf(want, sizeof want, "/proc/%d/exe", getpid());
    char again[4096];
    n = CHECK_OK(readlink(want, again, sizeof again - 1));
    again[n > 0 ? n : 0] = 0;
    CHECK_STR(again, exe);
}

static void test_maps(void)
{
    char *maps = slurp("/proc/self/maps", NULL);
    CHECK(strstr(maps, "[stack]\n") != NULL);
    // The program's text: "start-end r-xp offset dev inode   path".
    int text = 0, stack = 0;
    unsigned long here = (unsigned long)&text;
    for (char *line = maps; *line;) {
        char *end = strchr(line, '\n');
        if (!end) break;
        *end = 0;
        unsigned long start, stop, off, ino;
        char perms[5];
        unsigned maj, min;
        int pos = 0;
        if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &start, &stop, perms, &off, &maj, &min, &ino, &pos) == 7) {
            if (strcmp(perms, "r-xp") == 0 && strcmp(line + pos, exe) == 0 && start <= (unsigned long)&test_maps &&
                (unsigned long)&test_maps < stop)
                text++;
            if (start <= here && here < stop) stack += strcmp(line + pos, "[stack]") == 0;
        } else {
            check_fail(__FILE__, __LINE__, "maps line", "unparsable: \"%s\"", line);
        }
        line = end + 1;
    }
    CHECK_EQ(text, 1);
    CHECK_EQ(stack, 1); // a local variable is in [stack]
}

static void test_status_stat(void)
{
    char want[64];
    char *status = slurp("/proc/self/status", NULL);
    snprintf(want, sizeof want, "%d", getpid());
    CHECK_STR(field(status, "Pid:\t"), want);
    CHECK_STR(field(status, "Tgid:\t"), want);
    snprintf(want, sizeof want, "%d", getppid());
    CHECK_STR(field(status, "PPid:\t"), want);
    snprintf(want, sizeof want, "%u\t%u\t%u\t%u", getuid(), geteuid(), geteuid(), geteuid());
    CHECK_STR(field(status, "Uid:\t"), want);
    CHECK_STR(field(status, "State:\t"), "R (running)");
    CHECK_STR(field(status, "Threads:\t"), "1");
    const char *slash = strrchr(exe, '/');
    char comm[16] = "";
    strncat(comm, slash ? slash + 1 : exe, sizeof comm - 1);
    CHECK_STR(field(status, "Name:\t"), comm);
    CHECK(atol(field(status, "VmSize:\t")) > 0);
    CHECK(atol(field(status, "VmRSS:\t")) > 0);
    CHECK(strlen(field(status, "SigBlk:\t")) == 16);
    CHECK(strcmp(field(status, "Cpus_allowed_list:\t"), "(missing)") != 0);

    char comm_file[32];
    snprintf(comm_file, sizeof comm_file, "%s\n", comm);
    CHECK_STR(slurp("/proc/self/comm", NULL), comm_file);
    // The first thread's name is the program's, and renaming it renames the process.
    char name[16] = "";
    CHECK(prctl(PR_GET_NAME, name) == 0);
    CHECK_STR(name, comm);
    CHECK(prctl(PR_SET_NAME, "renamed-by-prctl-long") == 0);
    CHECK(prctl(PR_GET_NAME, name) == 0);
    CHECK_STR(name, "renamed-by-prct");
    CHECK_STR(slurp("/proc/self/comm", NULL), "renamed-by-prct\n");
    CHECK(prctl(PR_SET_NAME, comm) == 0);

    char *stat = slurp("/proc/self/stat", NULL);
    snprintf(want, sizeof want, "%d (%s) R ", getpid(), comm);
    CHECK(strncmp(stat, want, strlen(want)) == 0);
    int fields = 2;
    char *rest = strrchr(stat, ')');
    for (char *tok = rest ? strtok(rest + 1, " \n") : NULL; tok; tok = strtok(NULL, " \n")) fields++;
    CHECK_EQ(fields, 52);

    unsigned long size = 0, resident = 0;
    CHECK_EQ(sscanf(slurp("/proc/self/statm", NULL), "%lu %lu", &size, &resident), 2);
    CHECK(size > 0);

    char *limits = slurp("/proc/self/limits", NULL);
    CHECK(strncmp(limits, "Limit                     Soft Limit           Hard Limit           Units", 72) == 0);
    CHECK(strstr(limits, "\nMax open files            ") != NULL);
}

static void test_cmdline(int argc, char **argv)
{
    size_t len;
    char *cmd = slurp("/proc/self/cmdline", &len);
    size_t want = 0;
    for (int i = 0; i < argc; i++) want += strlen(argv[i]) + 1;
    CHECK_EQ(len, want);
    size_t at = 0;
    for (int i = 0; i < argc && at < len; i++) {
        CHECK_STR(cmd + at, argv[i]);
        at += strlen(cmd + at) + 1;
    }
    size_t envlen;
    char *env = slurp("/proc/self/environ", &envlen);
    (void)env;
    CHECK(envlen == 0 || env[envlen - 1] == 0);
}

static int has_name(DIR *d, const char *name)
{
    rewinddir(d);
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, name) == 0) return 1;
    return 0;
}

static void test_fd(void)
{
    int fd = CHECK_OK(open(exe, O_RDONLY));
    char name[64], target[4096];
    snprintf(name, sizeof name, "/proc/self/fd/%d", fd);
    ssize_t n = CHECK_OK(readlink(name, target, sizeof target - 1));
    target[n > 0 ? n : 0] = 0;
    CHECK_STR(target, exe);
    snprintf(name, sizeof name, "/dev/fd/%d", fd);
    n = CHECK_OK(readlink(name, target, sizeof target - 1));
    target[n > 0 ? n : 0] = 0;
    CHECK_STR(target, exe);

    DIR *d = opendir("/proc/self/fd");
    CHECK(d != NULL);
    if (d) {
        char num[16];
        snprintf(num, sizeof num, "%d", fd);
        CHECK(has_name(d, "0"));
        CHECK(has_name(d, "1"));
        CHECK(has_name(d, "2"));
        CHECK(has_name(d, num));
        closedir(d);
    }
    // Through the link: the same file.
    struct stat a, b;
    snprintf(name, sizeof name, "/proc/self/fd/%d", fd);
    CHECK_OK(stat(name, &a));
    CHECK_OK(fstat(fd, &b));
    CHECK_EQ(a.st_ino, b.st_ino);
    close(fd);
    CHECK_ERR(readlink(name, target, sizeof target), ENOENT);

    n = CHECK_OK(readlink("/dev/stdout", target, sizeof target - 1));
    target[n > 0 ? n : 0] = 0;
    CHECK_STR(target, "/proc/self/fd/1");

    char cwd[4096];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    n = CHECK_OK(readlink("/proc/self/cwd", target, sizeof target - 1));
    target[n > 0 ? n : 0] = 0;
    CHECK_STR(target, cwd);
    CHECK_OK(chdir("/"));
    n = CHECK_OK(readlink("/proc/self/cwd", target, sizeof target - 1));
    target[n > 0 ? n : 0] = 0;
    CHECK_STR(target, "/");
    CHECK_OK(chdir(cwd));
}

static void test_system(void)
{
    char *cpu = slurp("/proc/cpuinfo", NULL);
    CHECK(strstr(cpu, "processor\t: 0\n") != NULL);
    CHECK(strstr(cpu, "\nflags\t\t: ") != NULL);
    CHECK(strstr(cpu, "\nvendor_id\t: ") != NULL);
    CHECK(strstr(cpu, " sse2") != NULL); // x86-64 has it
    CHECK(strstr(cpu, "\nmodel name\t: ") != NULL);

    char *mem = slurp("/proc/meminfo", NULL);
    long total = atol(field(mem, "MemTotal:"));
    CHECK(total > 0);
    CHECK(atol(field(mem, "MemFree:")) <= total);
    CHECK(strcmp(field(mem, "MemAvailable:"), "(missing)") != 0);

    char *stat = slurp("/proc/stat", NULL);
    CHECK(strncmp(stat, "cpu ", 4) == 0);
    CHECK(atol(field(stat, "btime ")) > 1000000000L);
    CHECK(strcmp(field(stat, "procs_running "), "(missing)") != 0);

    double up = -1, idle = -1;
    CHECK_EQ(sscanf(slurp("/proc/uptime", NULL), "%lf %lf", &up, &idle), 2);
    CHECK(up >= 0);
    double l1 = -1;
    CHECK_EQ(sscanf(slurp("/proc/loadavg", NULL), "%lf", &l1), 1);

    struct utsname u;
    CHECK_OK(uname(&u));
    char want[80];
    snprintf(want, sizeof want, "%s\n", u.release);
    CHECK_STR(slurp("/proc/sys/kernel/osrelease", NULL), want);
    CHECK_STR(slurp("/proc/sys/kernel/ostype", NULL), "Linux\n");
    snprintf(want, sizeof want, "Linux version %s ", u.release);
    CHECK(strncmp(slurp("/proc/version", NULL), want, strlen(want)) == 0);
    CHECK(atol(slurp("/proc/sys/kernel/pid_max", NULL)) > 0);
    CHECK(strlen(slurp("/proc/sys/kernel/random/boot_id", NULL)) == 37);
    CHECK(strstr(slurp("/proc/self/mounts", NULL), " /proc proc ") != NULL);
    CHECK(strstr(slurp("/proc/filesystems", NULL), "\tproc\n") != NULL);

    CHECK(slurp("/sys/devices/system/cpu/online", NULL)[0] == '0');
    CHECK(sysconf(_SC_NPROCESSORS_ONLN) >= 1);
    CHECK(sysconf(_SC_NPROCESSORS_CONF) >= 1);
    // Every online CPU: one cpuinfo block, one cpuN line in /proc/stat, and
    // "online" naming 0..n-1 ("0" or "0-N", on a machine without holes).
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    int blocks = 0, stat_cpus = 0;
    for (const char *p = slurp("/proc/cpuinfo", NULL); (p = strstr(p, "processor\t: ")); p++) blocks++;
    for (const char *p = slurp("/proc/stat", NULL); (p = strstr(p, "\ncpu")); p++) stat_cpus++;
    CHECK_EQ(blocks, n);
    CHECK_EQ(stat_cpus, n);
    char online[32];
    if (n > 1) snprintf(online, sizeof online, "0-%ld\n", n - 1);
    else snprintf(online, sizeof online, "0\n");
    CHECK_STR(slurp("/sys/devices/system/cpu/online", NULL), online);
    CHECK(get_nprocs() >= 1);
}

static void test_read_only(void)
{
    // ENOENT: proc's lookup fails before any create is tried. /sys has no create: EACCES.
    CHECK_ERR(open("/proc/elfin-new", O_CREAT | O_WRONLY, 0644), ENOENT);
    CHECK_ERR(open("/proc/self/elfin-new", O_CREAT | O_WRONLY, 0644), ENOENT);
    CHECK_ERR(open("/proc/sys/kernel/elfin-new", O_CREAT | O_WRONLY, 0644), ENOENT);
    CHECK_ERR(mkdir("/proc/elfin-new", 0755), ENOENT);
    CHECK_ERR(open("/sys/elfin-new", O_CREAT | O_WRONLY, 0644), EACCES);
    CHECK_ERR(open("/proc/sys/kernel/osrelease", O_WRONLY), EACCES);
    CHECK_ERR(open("/sys/devices/system/cpu/online", O_WRONLY), EACCES);
}

int main(int argc, char **argv)
{
    test_exe();
    test_maps();
    test_status_stat();
    test_cmdline(argc, argv);
    test_fd();
    test_system();
    test_read_only();
    return check_report("procfs");
}
