#include <catch2/catch.hpp>
#include <cstring> // before core/string.h, whose declarations lack glibc's noexcept
#include "fs/pipe.h"
#include "fs/procfs.h"
#include "test/unit/fs/fs_fixture.h"
#include <sstream>

using fs_test::read_str;
using fs_test::str;
using fs_test::Tree;

namespace {

// ---- A fake kernel ---------------------------------------------------------

fs::ProcProcess g_proc;
std::vector<fs::ProcVma> g_vmas;
u32 g_groups[2] = { 10, 20 };

void fake_process(fs::ProcProcess& p) { p = g_proc; }
ErrorOr fake_vmas(fs::ProcVmaVisitor visit, void* cookie)
{
    for (auto& v : g_vmas) TRY(visit(v, cookie));
    return {};
}
void fake_memory(fs::ProcMemory& m) { m = { 512ull << 20, 300ull << 20 }; }

// A CPU that says GenuineIntel, family 6 model 0x55 stepping 7, with a brand
// string, sse/sse2 (leaf 1 edx), ssse3/popcnt/aes/avx (ecx), avx2/bmi1/bmi2 (leaf 7 ebx).
fs::ProcCpuid fake_cpuid(u32 leaf, u32 sub)
{
    auto chars = [](const char* s) {
        u32 v;
        memcpy(&v, s, 4);
        return v;
    };
    static const char BRAND[49] = "  Fake(R) CPU @ 2.40GHz                         ";
    switch (leaf) {
    case 0: return { 0xd, chars("Genu"), chars("ntel"), chars("ineI") };
    case 1: return { 0x00050657, 0x00000800, (1u << 9) | (1u << 23) | (1u << 25) | (1u << 28),
                     (1u << 0) | (1u << 25) | (1u << 26) };
    case 7: return sub == 0 ? fs::ProcCpuid { 0, (1u << 3) | (1u << 5) | (1u << 8), 0, 0 } : fs::ProcCpuid {};
    case 0x80000000: return { 0x80000008, 0, 0, 0 };
    case 0x80000001: return { 0, 0, 1u << 0, (1u << 11) | (1u << 29) };
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
        fs::ProcCpuid r;
        memcpy(&r, BRAND + 16 * (leaf - 0x80000002), 16);
        return r;
    }
    case 0x80000006: return { 0, 0, 1024u << 16, 0 };
    case 0x80000008: return { 0x3028, 0, 0, 0 };
    default: return {};
    }
}
u64 fake_tsc_hz() { return 2400000000ull; }
u64 fake_uptime() { return 12345670000000ull; } // 12345.67 s
u64 fake_realtime() { return 1700012345ull * 1000000000ull; }
void fake_random(u8* p, size_t n)
{
    for (size_t i = 0; i < n; i++) p[i] = u8(i * 17);
}

const fs::ProcSource FAKE = {
    fake_process, fake_vmas, fake_memory, fake_cpuid, fake_tsc_hz, fake_uptime, fake_realtime,
    fake_random, nullptr,
};

// Installs the fake for one test (the source is process-wide), before the tree is built.
struct FakeKernel {
    FakeKernel()
    {
        g_proc = fs::ProcProcess {};
        g_proc.pid = 7;
        g_proc.ppid = 1;
        g_proc.pgid = 7;
        g_proc.sid = 7;
        g_proc.uid = g_proc.euid = g_proc.suid = 1000;
        g_proc.gid = g_proc.egid = g_proc.sgid = 100;
        g_proc.groups = g_groups;
        g_proc.ngroups = 2;
        g_proc.sig_blocked = 1ull << 9;
        g_proc.sig_caught = (1ull << 1) | (1ull << 16);
        for (int i = 0; i < fs::PROC_NLIMITS; i++) g_proc.rlim_cur[i] = g_proc.rlim_max[i] = ~0ull;
        g_proc.rlim_cur[7] = 1024;
        g_proc.rlim_max[7] = 4096;
        g_proc.rlim_cur[11] = 15000;
        g_proc.rss_bytes = 3 << 20;
        g_proc.utime_ns = 1'234'000'000;
        g_proc.stime_ns = 456'000'000;
        g_proc.minflt = 321;
        g_vmas = {
            { 0x400000, 0x401000, fs::PROC_PROT_READ, false, 0, fs::make_dev(0, 1), 42, "/bin/prog" },
            { 0x401000, 0x403000, fs::PROC_PROT_READ | fs::PROC_PROT_EXEC, false, 0x1000, fs::make_dev(0, 1), 42, "/bin/prog" },
            { 0x403000, 0x404000, fs::PROC_PROT_READ | fs::PROC_PROT_WRITE, false, 0x3000, fs::make_dev(0, 1), 42, "/bin/prog" },
            { 0x404000, 0x426000, fs::PROC_PROT_READ | fs::PROC_PROT_WRITE, false, 0, 0, 0, "[heap]" },
            { 0x7f0000000000, 0x7f0000002000, fs::PROC_PROT_READ | fs::PROC_PROT_WRITE, true, 0, 0, 0, "" },
            { 0x7ffffffde000, 0x7ffffffff000, fs::PROC_PROT_READ | fs::PROC_PROT_WRITE, false, 0, 0, 0, "[stack]" },
        };
        fs::set_proc_source(&FAKE);
    }
    ~FakeKernel() { fs::set_proc_source(nullptr); }
};

std::string read_file(Tree& t, const char* path)
{
    int fd = t.open(path, fs::O_RDONLY);
    auto f = t.file(fd);
    std::string all;
    for (;;) {
        std::string piece = read_str(*f, 100); // in pieces: one snapshot across reads
        if (piece.empty()) break;
        all += piece;
    }
    REQUIRE(!t.ctx->fds.close(fd).is_error());
    return all;
}

std::string readlink(Tree& t, const char* path)
{
    auto r = fs::readlink_at(*t.ctx, fs::AT_FDCWD, path);
    if (r.is_error()) return std::string("error ") + core::errno_name(r.error());
    return str(r.value().view());
}

// The names getdents64 gives for a directory, "." and ".." left out.
std::vector<std::string> list_dir(Tree& t, const char* path)
{
    int fd = t.open(path, fs::O_RDONLY | fs::O_DIRECTORY);
    auto f = t.file(fd);
    std::vector<std::string> names;
    u8 buf[4096];
    for (;;) {
        fs::KernelBuffer kb(buf, sizeof buf);
        auto r = f->read_dir(kb, sizeof buf);
        REQUIRE(!r.is_error());
        if (r.value() == 0) break;
        for (size_t at = 0; at < r.value();) {
            u16 reclen;
            memcpy(&reclen, buf + at + 16, 2);
            std::string name(reinterpret_cast<const char*>(buf + at + 19));
            if (name != "." && name != "..") names.push_back(name);
            at += reclen;
        }
    }
    REQUIRE(!t.ctx->fds.close(fd).is_error());
    return names;
}

std::string line_of(const std::string& text, const std::string& key)
{
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0) return line;
    return "(no " + key + ")";
}

} // namespace

TEST_CASE("procfs: /proc/self is the pid's directory; exe, cmdline, environ, root, comm", "[fs][procfs]")
{
    FakeKernel k;
    Tree t;
    CHECK(readlink(t, "/proc/self") == "7");
    CHECK(readlink(t, "/proc/self/exe") == "/bin/prog");
    CHECK(readlink(t, "/proc/7/exe") == "/bin/prog");
    CHECK(t.must("/proc/self/exe").ptr() == t.must("/bin/prog").ptr());
    CHECK(read_file(t, "/proc/self/cmdline") == std::string("prog\0-v\0", 8));
    CHECK(read_file(t, "/proc/self/environ") == std::string("HOME=/\0", 7));
    CHECK(readlink(t, "/proc/self/root") == "/");
    CHECK(read_file(t, "/proc/self/comm") == "prog\n");
    CHECK(read_file(t, "/proc/self/task/7/comm") == "prog\n");
    auto st = t.must("/proc/self/status")->stat();
    CHECK(st.mode == (fs::S_IFREG | 0444));
    CHECK(st.size == 0); // as Linux: the size is not known before reading
}

TEST_CASE("procfs: maps in Linux's format", "[fs][procfs]")
{
    FakeKernel k;
    Tree t;
    std::string pad(72 - std::string("00401000-00403000 r-xp 00001000 00:01 42 ").size(), ' ');
    std::string want =
        "00400000-00401000 r--p 00000000 00:01 42 " + pad + " /bin/prog\n"
        "00401000-00403000 r-xp 00001000 00:01 42 " + pad + " /bin/prog\n"
        "00403000-00404000 rw-p 00003000 00:01 42 " + pad + " /bin/prog\n"
        "00404000-00426000 rw-p 00000000 00:00 0 " + pad + "  [heap]\n"
        "7f0000000000-7f0000002000 rw-s 00000000 00:00 0 \n"
        "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0" + std::string(72 - 47, ' ') + " [stack]\n";
    CHECK(read_file(t, "/proc/self/maps") == want);
}

TEST_CASE("procfs: status fields", "[fs][procfs]")
{
    FakeKernel k;
    Tree t;
    std::string s = read_file(t, "/proc/self/status");
    CHECK(s.rfind("Name:\tprog\nUmask:\t0022\nState:\tR (running)\nTgid:\t7\n", 0) == 0);
    CHECK(line_of(s, "Pid:") == "Pid:\t7");
    CHECK(line_of(s, "PPid:") == "PPid:\t1");
    CHECK(line_of(s, "Uid:") == "Uid:\t1000\t1000\t1000\t1000");
    CHECK(line_of(s, "Gid:") == "Gid:\t100\t100\t100\t100");
    CHECK(line_of(s, "Groups:") == "Groups:\t10 20");
    CHECK(line_of(s, "FDSize:") == "FDSize:\t64");
    CHECK(line_of(s, "VmSize:") == "VmSize:\t     292 kB"); // 4+8+4+136+8+132 KiB
    CHECK(line_of(s, "VmRSS:") == "VmRSS:\t    3072 kB");
    CHECK(line_of(s, "VmStk:") == "VmStk:\t     132 kB");
    CHECK(line_of(s, "VmExe:") == "VmExe:\t       8 kB");
    CHECK(line_of(s, "Threads:") == "Threads:\t1");
    CHECK(line_of(s, "SigQ:") == "SigQ:\t0/15000");
    CHECK(line_of(s, "SigBlk:") == "SigBlk:\t0000000000000200");
    CHECK(line_of(s, "SigIgn:") == "SigIgn:\t0000000000000000");
    CHECK(line_of(s, "SigCgt:") == "SigCgt:\t0000000000010002");
    CHECK(line_of(s, "CapEff:") == "CapEff:\t0000000000000000"); // not root
    CHECK(line_of(s, "Cpus_allowed_list:") == "Cpus_allowed_list:\t0");
    CHECK(s.back() == '\n');
}

TEST_CASE("procfs: stat has 52 fields, comm in parentheses; statm", "[fs][procfs]")
{
    FakeKernel k;
    Tree t;
    std::string s = read_file(t, "/proc/self/stat");
    REQUIRE(s.rfind("7 (prog) R 1 7 7 0 -1 ", 0) == 0);
    REQUIRE(s.back() == '\n');
    std::istringstream rest(s.substr(s.rfind(')') + 1));
    std::vector<std::string> fields;
    for (std::string f; rest >> f;) fields.push_back(f);
    CHECK(fields.size() + 2 == 52);
    CHECK(fields[10 - 3] == "321");                    // minflt
    CHECK(fields[14 - 3] == "123");                    // utime, ticks of 10 ms
    CHECK(fields[15 - 3] == "45");                     // stime
    CHECK(fields[20 - 3] == "1");                      // num_threads
    CHECK(fields[23 - 3] == std::to_string(292 * 1024)); // vsize
    CHECK(fields[24 - 3] == "768");                    // rss, pages
    CHECK(fields[26 - 3] == std::to_string(0x401000)); // startcode
    CHECK(fields[27 - 3] == std::to_string(0x403000)); // endcode
    CHECK(fields[28 - 3] == std::to_string(0x7ffffffff000)); // startstack
    CHECK(fields[38 - 3] == "17");                     // exit_signal

    CHECK(read_file(t, "/proc/self/statm") == "73 768 4 2 0 68 0\n");
}

TEST_CASE("procfs: fd lists the open descriptors, as links to their paths", "[fs][procfs]")
{
    FakeKernel k;
    Tree t;
    CHECK(list_dir(t, "/proc/self/fd") == std::vector<std::string> { "0" }); // the listing's own descriptor
    int a = t.open("/etc/conf", fs::O_RDONLY);
    int b = t.open("/a/b", fs::O_RDONLY | fs::O_DIRECTORY);
    int c = t.open("/data/empty", fs::O_RDONLY);
    auto fd_link = [&](int fd) { return readlink(t, ("/proc/self/fd/" + std::to_string(fd)).c_str()); };
    CHECK(fd_link(a) == "/etc/conf");
    CHECK(fd_link(b) == "/a/b");
    CHECK(readlink(t, ("/dev/fd/" + std::to_string(c)).c_str()) == "/data/empty");
    CHECK(list_dir(t, "/proc/self/fd") == std::vector<std::string> { "0", "1", "2", "3" });
    // Through the link, the same file.
    CHECK(t.must(("/proc/self/fd/" + std::to_string(a)).c_str()).ptr() == t.must("/etc/conf").ptr());
    CHECK(readlink(t, "/dev/stdin") == "/proc/self/fd/0");

    REQUIRE(!t.ctx->fds.close(b).is_error());
    CHECK(readlink(t, "/proc/self/fd/1") == "error ENOENT");
    CHECK(list_dir(t, "/proc/self/fd") == std::vector<std::string> { "0", "1", "2" }); // 1 is the listing
    REQUIRE(!t.ctx->fds.dup2(a, 9).is_error());
    CHECK(readlink(t, "/proc/self/fd/9") == "/etc/conf");
    // A descriptor reused for another file.
    REQUIRE(!t.ctx->fds.close(a).is_error());
    int d = t.open("/bin/prog", fs::O_RDONLY);
    CHECK(d == a);
    CHECK(fd_link(d) == "/bin/prog");

    // What has no path: a pipe, an eventfd; the console.
    auto ends = MUST(fs::make_pipe(0));
    int r = MUST(t.ctx->fds.install(ends.read, false));
    CHECK(fd_link(r) == "pipe:[" + std::to_string(ends.read->inode().ino()) + "]");
    int e = MUST(t.ctx->fds.install(MUST(fs::make_eventfd(0, 0)), false));
    CHECK(fd_link(e) == "anon_inode:[eventfd]");
    int con = t.open("/dev/console", fs::O_RDWR);
    CHECK(fd_link(con) == "/dev/console");
}

TEST_CASE("procfs: cwd follows chdir", "[fs][procfs]")
{
    FakeKernel k;
    Tree t; // the fixture's Context starts at the root
    CHECK(readlink(t, "/proc/self/cwd") == "/");
    REQUIRE(!fs::chdir(*t.ctx, "/a/b/c").is_error());
    CHECK(readlink(t, "/proc/self/cwd") == "/a/b/c");
    // A relative walk from inside /proc sees fresh entries too.
    REQUIRE(!fs::chdir(*t.ctx, "/proc/self").is_error());
    CHECK(readlink(t, "cwd") == "/proc/7");
}

TEST_CASE("procfs: read-only; nothing can be created", "[fs][procfs]")
{
    FakeKernel k;
    Tree t;
    CHECK(t.open_error("/proc/self/status", fs::O_WRONLY) == Errno::EACCES);
    CHECK(t.open_error("/proc/cpuinfo", fs::O_RDWR) == Errno::EACCES);
    CHECK(t.open_error("/proc/cpuinfo", fs::O_RDONLY | fs::O_TRUNC) == Errno::EACCES);
    CHECK(t.open_error("/proc/new", fs::O_CREAT | fs::O_WRONLY) == Errno::ENOENT);
    CHECK(t.open_error("/proc/self/new", fs::O_CREAT | fs::O_WRONLY) == Errno::ENOENT);
    CHECK(t.open_error("/proc/sys/kernel/new", fs::O_CREAT | fs::O_WRONLY) == Errno::ENOENT);
    CHECK(t.open_error("/sys/devices/new", fs::O_CREAT | fs::O_WRONLY) == Errno::EACCES);
    CHECK(t.open_error("/sys/devices/system/cpu/online", fs::O_WRONLY) == Errno::EACCES);
}

TEST_CASE("procfs: cpuinfo from CPUID", "[fs][procfs]")
{
    FakeKernel k;
    Tree t;
    std::string s = read_file(t, "/proc/cpuinfo");
    CHECK(line_of(s, "processor") == "processor\t: 0");
    CHECK(line_of(s, "vendor_id") == "vendor_id\t: GenuineIntel");
    CHECK(line_of(s, "cpu family") == "cpu family\t: 6");
    CHECK(line_of(s, "model\t") == "model\t\t: 85");
    CHECK(line_of(s, "model name") == "model name\t: Fake(R) CPU @ 2.40GHz");
    CHECK(line_of(s, "stepping") == "stepping\t: 7");
    CHECK(line_of(s, "cpu MHz") == "cpu MHz\t\t: 2400.000");
    CHECK(line_of(s, "cache size") == "cache size\t: 1024 KB");
    CHECK(line_of(s, "flags") == "flags\t\t: fpu sse sse2 syscall lm ssse3 popcnt aes avx lahf_lm bmi1 avx2 bmi2");
    CHECK(line_of(s, "bogomips") == "bogomips\t: 4800.00");
    CHECK(line_of(s, "address sizes") == "address sizes\t: 40 bits physical, 48 bits virtual");
    CHECK(s.size() > 2);
    CHECK(s.substr(s.size() - 2) == "\n\n");
}

TEST_CASE("procfs: meminfo, stat, uptime, loadavg, version, sys", "[fs][procfs]")
{
    FakeKernel k;
    Tree t;
    std::string m = read_file(t, "/proc/meminfo");
    CHECK(m.rfind("MemTotal:         524288 kB\nMemFree:          307200 kB\nMemAvailable:     307200 kB\n", 0) == 0);
    CHECK(line_of(m, "SwapTotal:") == "SwapTotal:             0 kB");
    CHECK(line_of(m, "HugePages_Total:") == "HugePages_Total:       0");

    std::string s = read_file(t, "/proc/stat");
    CHECK(line_of(s, "cpu ") == "cpu  1234567 0 0 0 0 0 0 0 0 0");
    CHECK(line_of(s, "btime") == "btime 1700000000");
    CHECK(line_of(s, "processes") == "processes 1");
    CHECK(line_of(s, "procs_running") == "procs_running 1");
    CHECK(read_file(t, "/proc/uptime") == "12345.67 0.00\n");
    CHECK(read_file(t, "/proc/loadavg") == "0.00 0.00 0.00 1/1 7\n");
    CHECK(read_file(t, "/proc/version").rfind("Linux version 6.1.0-elfin ", 0) == 0);
    CHECK(read_file(t, "/proc/sys/kernel/osrelease") == "6.1.0-elfin\n");
    CHECK(read_file(t, "/proc/sys/kernel/ostype") == "Linux\n");
    CHECK(read_file(t, "/proc/sys/kernel/pid_max") == "4194304\n");
    CHECK(read_file(t, "/proc/sys/kernel/cap_last_cap") == "40\n");
    CHECK(read_file(t, "/proc/sys/vm/overcommit_memory") == "0\n");
    CHECK(read_file(t, "/proc/sys/fs/nr_open") == "1048576\n");
    CHECK(read_file(t, "/proc/sys/net/core/somaxconn") == "4096\n");
    std::string uuid = read_file(t, "/proc/sys/kernel/random/uuid");
    CHECK(uuid.size() == 37);
    CHECK(uuid[14] == '4');
    CHECK(read_file(t, "/proc/sys/kernel/random/boot_id") == read_file(t, "/proc/sys/kernel/random/boot_id"));
    CHECK(read_file(t, "/proc/filesystems").find("nodev\tproc\n") != std::string::npos);
    CHECK(read_file(t, "/proc/self/mounts").rfind("rootfs / tmpfs ", 0) == 0);
    CHECK(read_file(t, "/proc/mounts") == read_file(t, "/proc/self/mounts"));
    CHECK(read_file(t, "/proc/self/mountinfo").find(" /proc ") != std::string::npos);
    CHECK(read_file(t, "/sys/devices/system/cpu/online") == "0\n");
    CHECK(read_file(t, "/sys/devices/system/cpu/possible") == "0\n");
    CHECK(t.must("/sys/devices/system/cpu/cpu0")->is_directory());
}

int three_cpus() { return 3; }
u32 apic_times_two(int cpu) { return u32(cpu) * 2; }

TEST_CASE("procfs and sysfs: one entry per CPU online", "[fs][procfs]")
{
    FakeKernel k;
    fs::ProcSource more = FAKE;
    more.cpu_count = three_cpus;
    more.apic_id = apic_times_two;
    fs::set_proc_source(&more);
    Tree t;
    std::string s = read_file(t, "/proc/cpuinfo");
    size_t blocks = 0;
    for (size_t at = 0; (at = s.find("processor\t: ", at)) != std::string::npos; at++) blocks++;
    CHECK(blocks == 3);
    CHECK(s.find("processor\t: 2\n") != std::string::npos);
    CHECK(s.find("apicid\t\t: 4\n") != std::string::npos);
    CHECK(s.find("siblings\t: 3\n") != std::string::npos);
    std::string stat = read_file(t, "/proc/stat");
    CHECK(stat.find("\ncpu2 ") != std::string::npos);
    CHECK(stat.find("\ncpu3 ") == std::string::npos);
    CHECK(read_file(t, "/sys/devices/system/cpu/online") == "0-2\n");
    CHECK(read_file(t, "/sys/devices/system/cpu/present") == "0-2\n");
    CHECK(read_file(t, "/sys/devices/system/cpu/cpu2/online") == "1\n");
    CHECK(read_file(t, "/sys/devices/system/cpu/cpu1/topology/core_id") == "1\n");
    CHECK(t.open_error("/sys/devices/system/cpu/cpu3", fs::O_RDONLY) == Errno::ENOENT);
}

TEST_CASE("procfs: limits in Linux's table", "[fs][procfs]")
{
    FakeKernel k;
    Tree t;
    std::string s = read_file(t, "/proc/self/limits");
    CHECK(line_of(s, "Limit") == "Limit                     Soft Limit           Hard Limit           Units     ");
    CHECK(line_of(s, "Max open files") == "Max open files            1024                 4096                 files     ");
    CHECK(line_of(s, "Max cpu time") == "Max cpu time              unlimited            unlimited            seconds   ");
    CHECK(line_of(s, "Max nice priority") == "Max nice priority         unlimited            unlimited            ");
}

TEST_CASE("procfs: a read at offset 0 makes the text again", "[fs][procfs]")
{
    FakeKernel k;
    Tree t;
    int fd = t.open("/proc/self/status", fs::O_RDONLY);
    auto f = t.file(fd);
    std::string first = read_str(*f, 1 << 16);
    CHECK(first.find("Pid:\t7\n") != std::string::npos);
    g_proc.pid = 8;
    CHECK(read_str(*f, 1 << 16).empty()); // at the end of the first snapshot
    REQUIRE(!f->seek(0, fs::WHENCE_SET).is_error());
    CHECK(read_str(*f, 1 << 16).find("Pid:\t8\n") != std::string::npos);
}

TEST_CASE("procfs: without a source, defaults", "[fs][procfs]")
{
    fs::set_proc_source(nullptr);
    Tree t;
    CHECK(readlink(t, "/proc/self") == "2");
    CHECK(read_file(t, "/proc/self/status").find("Pid:\t2\n") != std::string::npos);
    CHECK(read_file(t, "/proc/self/maps").empty());
    CHECK(read_file(t, "/proc/meminfo").rfind("MemTotal:", 0) == 0);
}

TEST_CASE("procfs: net/unix is the header and what net/ lists", "[fs][procfs]")
{
    Tree t;
    const std::string header = "Num       RefCount Protocol Flags    Type St Inode Path\n";
    CHECK(read_file(t, "/proc/net/unix") == header);
    fs::set_proc_net_unix([](fs::ProcText& out) {
        out.append("0000000000000000: 00000002 00000000 00010000 0001 01   128 @abs\n");
    });
    CHECK(read_file(t, "/proc/net/unix") == header + "0000000000000000: 00000002 00000000 00010000 0001 01   128 @abs\n");
    fs::set_proc_net_unix(nullptr);
}
