// /proc/<pid>: the process's files, in Linux's exact formats (fs/proc/array.c,
// task_mmu.c, base.c).
#include "fs/procfs.h"

namespace fs {

namespace {

constexpr u64 CLK_TCK = 100; // USER_HZ
constexpr u64 NS_PER_TICK = 1000000000ull / CLK_TCK;
constexpr u64 CAP_FULL = (1ull << 41) - 1; // CAP_LAST_CAP = 40

ProcProcess process()
{
    ProcProcess p;
    proc_source().process(p);
    return p;
}

// What status, stat and statm say about the address space, from the mappings.
struct VmSummary {
    u64 size { 0 }, stack { 0 }, exe { 0 }, lib { 0 }, data { 0 }, file { 0 };
    u64 start_code { 0 }, end_code { 0 }, start_data { 0 }, end_data { 0 }, start_stack { 0 };
};

ErrorOr summarize(const ProcVma& v, void* cookie)
{
    auto& s = *static_cast<VmSummary*>(cookie);
    u64 len = v.end - v.start;
    s.size += len;
    bool is_stack = v.name == "[stack]";
    bool is_file = v.ino || (!v.name.is_empty() && v.name[0] == '/');
    if (is_file) s.file += len;
    if (is_stack) {
        s.stack += len;
        s.start_stack = v.end;
    } else if ((v.prot & PROC_PROT_EXEC) && is_file) {
        // The first executable file mapping is the program's text (ET_EXEC
        // sits low; a PIE's text comes before its libraries' in the usual layout).
        if (!s.end_code && v.name == proc_exe_path()) {
            s.start_code = v.start;
            s.end_code = v.end;
            s.exe += len;
        } else if (v.name == proc_exe_path()) {
            s.exe += len;
        } else {
            s.lib += len;
        }
    } else if ((v.prot & PROC_PROT_WRITE) && !v.shared) {
        s.data += len;
        if (v.name == proc_exe_path() && !s.start_data) {
            s.start_data = v.start;
            s.end_data = v.end;
        }
    }
    return {};
}

VmSummary vm_summary()
{
    VmSummary s;
    (void)proc_source().for_each_vma(summarize, &s);
    return s;
}

u32 dev_major(u64 dev) { return u32(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffull)); }
u32 dev_minor(u64 dev) { return u32((dev & 0xff) | ((dev >> 12) & ~0xffull)); }

ErrorOr map_line(const ProcVma& v, void* cookie)
{
    auto& out = *static_cast<ProcText*>(cookie);
    size_t line = out.size();
    out.appendf("%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ", v.start, v.end,
        (v.prot & PROC_PROT_READ) ? 'r' : '-', (v.prot & PROC_PROT_WRITE) ? 'w' : '-',
        (v.prot & PROC_PROT_EXEC) ? 'x' : '-', v.shared ? 's' : 'p', v.offset,
        dev_major(v.dev), dev_minor(v.dev), v.ino);
    if (!v.name.is_empty()) {
        // seq_setwidth(25 + 6 * sizeof(void*) - 1) and seq_pad(' ') in show_map_vma.
        out.pad_to(line, 72);
        out.append_char(' ');
        out.append(v.name);
    }
    out.append_char('\n');
    return {};
}

void kb_line(ProcText& out, const char* name, u64 bytes) { out.appendf("%s:\t%8lu kB\n", name, bytes >> 10); }

} // namespace

void gen_pid_maps(ProcText& out, const ProcFile&) { (void)proc_source().for_each_vma(map_line, &out); }

void gen_pid_status(ProcText& out, const ProcFile&)
{
    ProcProcess p = process();
    VmSummary vm = vm_summary();
    out.append("Name:\t");
    out.append(proc_comm());
    out.appendf("\nUmask:\t%04o\nState:\tR (running)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
                "TracerPid:\t0\n", p.umask, p.pid, p.pid, p.ppid);
    out.appendf("Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n", p.uid, p.euid, p.suid, p.euid,
        p.gid, p.egid, p.sgid, p.egid);
    out.appendf("FDSize:\t%d\nGroups:\t", p.fd_slots);
    for (int i = 0; i < p.ngroups; i++) out.appendf(i ? " %u" : "%u", p.groups[i]);
    out.appendf("\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", p.pid, p.pid, p.pgid, p.sid);
    u64 rss_file = p.rss_bytes < vm.file ? p.rss_bytes : vm.file;
    kb_line(out, "VmPeak", vm.size);
    kb_line(out, "VmSize", vm.size);
    kb_line(out, "VmLck", 0);
    kb_line(out, "VmPin", 0);
    kb_line(out, "VmHWM", p.rss_peak_bytes > p.rss_bytes ? p.rss_peak_bytes : p.rss_bytes);
    kb_line(out, "VmRSS", p.rss_bytes);
    kb_line(out, "RssAnon", p.rss_bytes - rss_file);
    kb_line(out, "RssFile", rss_file);
    kb_line(out, "RssShmem", 0);
    kb_line(out, "VmData", vm.data);
    kb_line(out, "VmStk", vm.stack);
    kb_line(out, "VmExe", vm.exe);
    kb_line(out, "VmLib", vm.lib);
    kb_line(out, "VmPTE", vm.size / 512); // 8 bytes per 4 KiB page
    kb_line(out, "VmSwap", 0);
    out.appendf("HugetlbPages:\t%8u kB\nCoreDumping:\t0\nTHP_enabled:\t1\nThreads:\t%d\n", 0u, p.threads);
    out.appendf("SigQ:\t0/%lu\n", p.rlim_cur[11]);
    out.appendf("SigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n",
        p.sig_pending, u64(0), p.sig_blocked, p.sig_ignored, p.sig_caught);
    bool root = p.euid == 0;
    out.appendf("CapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\nCapBnd:\t%016lx\nCapAmb:\t%016lx\n",
        u64(0), root ? CAP_FULL : 0, root ? CAP_FULL : 0, CAP_FULL, u64(0));
    out.append("NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n"
               "Speculation_Store_Bypass:\tthread vulnerable\n"
               "SpeculationIndirectBranch:\tconditional enabled\n"
               "Cpus_allowed:\t1\nCpus_allowed_list:\t0\n"
               "Mems_allowed:\t00000000,00000001\nMems_allowed_list:\t0\n"
               "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
}

void gen_pid_stat(ProcText& out, const ProcFile&)
{
    ProcProcess p = process();
    VmSummary vm = vm_summary();
    // Fields 1-2: pid (comm).
    out.appendf("%d (", p.pid);
    out.append(proc_comm());
    // 3-13: state ppid pgrp session tty_nr tpgid flags(PF_RANDOMIZE) minflt cminflt majflt cmajflt
    out.appendf(") R %d %d %d 0 -1 4194304 %lu 0 0 0 ", p.ppid, p.pgid, p.sid, p.minflt);
    // 14-21: utime stime cutime cstime priority nice num_threads itrealvalue
    out.appendf("%lu %lu 0 0 20 0 %d 0 ", p.utime_ns / NS_PER_TICK, p.stime_ns / NS_PER_TICK, p.threads);
    // 22-25: starttime vsize rss rsslim
    out.appendf("%lu %lu %lu %lu ", p.start_ns / NS_PER_TICK, vm.size, p.rss_bytes / PAGE_SIZE, p.rlim_cur[5]);
    // 26-30: startcode endcode startstack kstkesp kstkeip
    out.appendf("%lu %lu %lu 0 0 ", vm.start_code, vm.end_code, vm.start_stack);
    // 31-37: signal blocked sigignore sigcatch wchan nswap cnswap (signals as decimal)
    out.appendf("%lu %lu %lu %lu 0 0 0 ", p.sig_pending, p.sig_blocked, p.sig_ignored, p.sig_caught);
    // 38-44: exit_signal processor rt_priority policy delayacct_blkio_ticks guest_time cguest_time
    out.append("17 0 0 0 0 0 0 ");
    // 45-52: start_data end_data start_brk arg_start arg_end env_start env_end exit_code
    out.appendf("%lu %lu %lu 0 0 0 0 0\n", vm.start_data, vm.end_data, p.brk_start);
}

void gen_pid_statm(ProcText& out, const ProcFile&)
{
    ProcProcess p = process();
    VmSummary vm = vm_summary();
    u64 rss_file = p.rss_bytes < vm.file ? p.rss_bytes : vm.file;
    // size resident shared text lib data dt, in pages
    out.appendf("%lu %lu %lu %lu 0 %lu 0\n", vm.size / PAGE_SIZE, p.rss_bytes / PAGE_SIZE,
        rss_file / PAGE_SIZE, vm.exe / PAGE_SIZE, (vm.data + vm.stack) / PAGE_SIZE);
}

void gen_pid_limits(ProcText& out, const ProcFile&)
{
    static const struct { const char* name; const char* unit; } LIMITS[PROC_NLIMITS] = {
        { "Max cpu time", "seconds" }, { "Max file size", "bytes" }, { "Max data size", "bytes" },
        { "Max stack size", "bytes" }, { "Max core file size", "bytes" },
        { "Max resident set", "bytes" }, { "Max processes", "processes" },
        { "Max open files", "files" }, { "Max locked memory", "bytes" },
        { "Max address space", "bytes" }, { "Max file locks", "locks" },
        { "Max pending signals", "signals" }, { "Max msgqueue size", "bytes" },
        { "Max nice priority", nullptr }, { "Max realtime priority", nullptr },
        { "Max realtime timeout", "us" },
    };
    ProcProcess p = process();
    out.appendf("%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
    for (int i = 0; i < PROC_NLIMITS; i++) {
        out.appendf("%-25s ", LIMITS[i].name);
        const u64 both[2] = { p.rlim_cur[i], p.rlim_max[i] };
        for (u64 v : both) {
            if (v == ~0ull) out.appendf("%-20s ", "unlimited");
            else out.appendf("%-20lu ", v);
        }
        if (LIMITS[i].unit) out.appendf("%-10s", LIMITS[i].unit);
        out.append_char('\n');
    }
}

void gen_pid_auxv(ProcText& out, const ProcFile&) { proc_source().auxv(out); }

void gen_pid_mounts(ProcText& out, const ProcFile&)
{
    out.append("rootfs / tmpfs rw,relatime 0 0\n"
               "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
               "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
               "devtmpfs /dev devtmpfs rw,nosuid,relatime,mode=755 0 0\n");
}

void gen_pid_mountinfo(ProcText& out, const ProcFile&)
{
    // One file system (st_dev 0:1) holds them all, so all say 0:1.
    out.append("1 1 0:1 / / rw,relatime shared:1 - tmpfs rootfs rw\n"
               "2 1 0:1 / /proc rw,nosuid,nodev,noexec,relatime shared:2 - proc proc rw\n"
               "3 1 0:1 / /sys rw,nosuid,nodev,noexec,relatime shared:3 - sysfs sysfs rw\n"
               "4 1 0:1 / /dev rw,nosuid,relatime shared:4 - devtmpfs devtmpfs rw,mode=755\n");
}

void gen_pid_comm(ProcText& out, const ProcFile&)
{
    out.append(proc_comm());
    out.append_char('\n');
}

} // namespace fs
