// The system-wide /proc files: cpuinfo (decoded from CPUID as Linux's
// arch/x86/kernel/cpu/proc.c prints it), meminfo, stat, uptime, loadavg.
#include "fs/procfs.h"

namespace fs {

namespace {

constexpr u64 CLK_TCK = 100;
constexpr u64 NS_PER_TICK = 1000000000ull / CLK_TCK;

// Linux's names for CPUID bits (arch/x86/include/asm/cpufeatures.h, the ones
// with a name shown in /proc/cpuinfo), in its word order.
struct FlagWord {
    u32 leaf, subleaf;
    u8 reg; // 0 eax, 1 ebx, 2 ecx, 3 edx
    const char* names[32];
};

const FlagWord FLAG_WORDS[] = {
    { 1, 0, 3, { "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", nullptr,
                 "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "pn", "clflush", nullptr, "dts",
                 "acpi", "mmx", "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe" } },
    { 0x80000001, 0, 3, { nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                 nullptr, nullptr, nullptr, "syscall", nullptr, nullptr, nullptr, nullptr, nullptr,
                 nullptr, nullptr, "mp", "nx", nullptr, "mmxext", nullptr, nullptr, "fxsr_opt",
                 "pdpe1gb", "rdtscp", nullptr, "lm", "3dnowext", "3dnow" } },
    { 1, 0, 2, { "pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est", "tm2",
                 "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm", nullptr, "pcid", "dca",
                 "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt", "tsc_deadline_timer", "aes",
                 "xsave", nullptr, "avx", "f16c", "rdrand", "hypervisor" } },
    { 0x80000001, 0, 2, { "lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm", "sse4a",
                 "misalignsse", "3dnowprefetch", "osvw", "ibs", "xop", "skinit", "wdt", nullptr,
                 "lwp", "fma4", "tce", nullptr, "nodeid_msr", nullptr, "tbm", "topoext",
                 "perfctr_core", "perfctr_nb", nullptr, "bpext", "ptsc", "perfctr_llc", "mwaitx",
                 nullptr, nullptr } },
    { 7, 0, 1, { "fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2", nullptr, "smep", "bmi2",
                 "erms", "invpcid", "rtm", "cqm", nullptr, "mpx", "rdt_a", "avx512f", "avx512dq",
                 "rdseed", "adx", "smap", "avx512ifma", nullptr, "clflushopt", "clwb", "intel_pt",
                 "avx512pf", "avx512er", "avx512cd", "sha_ni", "avx512bw", "avx512vl" } },
    { 0xd, 1, 0, { "xsaveopt", "xsavec", "xgetbv1", "xsaves" } },
    { 7, 0, 2, { nullptr, "avx512vbmi", "umip", "pku", "ospke", "waitpkg", "avx512_vbmi2", nullptr,
                 "gfni", "vaes", "vpclmulqdq", "avx512_vnni", "avx512_bitalg", nullptr,
                 "avx512_vpopcntdq", nullptr, "la57", nullptr, nullptr, nullptr, nullptr, nullptr,
                 "rdpid", nullptr, nullptr, "cldemote", nullptr, "movdiri", "movdir64b" } },
    { 7, 0, 3, { nullptr, nullptr, nullptr, nullptr, "fsrm", nullptr, nullptr, nullptr,
                 "avx512_vp2intersect", nullptr, "md_clear", nullptr, nullptr, nullptr, "serialize",
                 nullptr, "tsxldtrk", nullptr, "pconfig", "arch_lbr", "ibt", nullptr, "amx_bf16",
                 "avx512_fp16", "amx_tile", "amx_int8", nullptr, nullptr, "flush_l1d",
                 "arch_capabilities" } },
};

u32 reg_of(const ProcCpuid& r, u8 reg)
{
    switch (reg) {
    case 0: return r.eax;
    case 1: return r.ebx;
    case 2: return r.ecx;
    default: return r.edx;
    }
}

u32 max_leaf(u32 base) { return proc_source().cpuid(base, 0).eax; }

bool has_leaf(u32 leaf)
{
    u32 base = leaf & 0x80000000u;
    u32 top = max_leaf(base);
    return base ? (top >= leaf && top < base + 0x1000) : top >= leaf;
}

// "1234.567" from a frequency in Hz.
void mhz(ProcText& out, u64 hz)
{
    u64 khz = hz / 1000;
    out.appendf("%lu.%03lu", khz / 1000, khz % 1000);
}

void two_decimals(ProcText& out, u64 hundredths) { out.appendf("%lu.%02lu", hundredths / 100, hundredths % 100); }

} // namespace

void proc_cpu_flags(ProcText& out)
{
    bool first = true;
    for (auto& w : FLAG_WORDS) {
        if (!has_leaf(w.leaf)) continue;
        u32 bits = reg_of(proc_source().cpuid(w.leaf, w.subleaf), w.reg);
        for (int b = 0; b < 32; b++) {
            if (!(bits & (1u << b)) || !w.names[b]) continue;
            if (!first) out.append_char(' ');
            out.append(w.names[b]);
            first = false;
        }
    }
}

namespace {
void (*g_net_unix)(ProcText&);
} // namespace

void set_proc_net_unix(void (*list)(ProcText&)) { g_net_unix = list; }

void gen_net_unix(ProcText& out, const ProcFile&)
{
    out.append("Num       RefCount Protocol Flags    Type St Inode Path\n");
    if (g_net_unix) g_net_unix(out);
}

void gen_cpuinfo(ProcText& out, const ProcFile&)
{
    auto& src = proc_source();
    ProcCpuid l0 = src.cpuid(0, 0);
    char vendor[13];
    memcpy(vendor, &l0.ebx, 4);
    memcpy(vendor + 4, &l0.edx, 4);
    memcpy(vendor + 8, &l0.ecx, 4);
    vendor[12] = 0;
    ProcCpuid l1 = l0.eax >= 1 ? src.cpuid(1, 0) : ProcCpuid {};
    u32 family = (l1.eax >> 8) & 0xf, model = (l1.eax >> 4) & 0xf, stepping = l1.eax & 0xf;
    if (family == 0xf) family += (l1.eax >> 20) & 0xff;
    if (family >= 6) model += ((l1.eax >> 16) & 0xf) << 4;

    char brand[49] = {};
    if (has_leaf(0x80000004)) {
        for (u32 i = 0; i < 3; i++) {
            ProcCpuid r = src.cpuid(0x80000002 + i, 0);
            memcpy(brand + 16 * i, &r, 16);
        }
    }
    // Trimmed of spaces at both ends, as Linux's get_model_name().
    const char* name = brand;
    while (*name == ' ') name++;
    for (size_t len = strlen(brand); len && brand[len - 1] == ' '; len--) brand[len - 1] = 0;
    if (!*name) name = "unknown";

    u64 hz = src.tsc_hz();
    u32 cache_kb = has_leaf(0x80000006) ? src.cpuid(0x80000006, 0).ecx >> 16 : 0;
    u32 clflush = ((l1.ebx >> 8) & 0xff) * 8;
    if (!clflush) clflush = 64;
    u32 phys_bits = 36, virt_bits = 48;
    if (has_leaf(0x80000008)) {
        u32 a = src.cpuid(0x80000008, 0).eax;
        phys_bits = a & 0xff;
        virt_bits = (a >> 8) & 0xff;
    }

    // One block per CPU, as Linux: all alike but the numbers (one package, a
    // core per CPU, as QEMU's default topology).
    int ncpu = src.cpu_count();
    for (int cpu = 0; cpu < ncpu; cpu++) {
        u32 apic = src.apic_id(cpu);
        out.appendf("processor\t: %d\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\nmodel name\t: %s\n"
                    "stepping\t: %u\nmicrocode\t: 0x1\ncpu MHz\t\t: ", cpu, vendor, family, model, name, stepping);
        mhz(out, hz);
        out.append_char('\n');
        if (cache_kb) out.appendf("cache size\t: %u KB\n", cache_kb);
        out.appendf("physical id\t: 0\nsiblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %d\napicid\t\t: %u\n"
                    "initial apicid\t: %u\nfpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: yes\n"
                    "flags\t\t: ", ncpu, cpu, ncpu, apic, apic, l0.eax);
        proc_cpu_flags(out);
        out.append("\nbugs\t\t:\nbogomips\t: ");
        two_decimals(out, hz / 5000); // 2 * MHz, in hundredths
        out.appendf("\nclflush size\t: %u\ncache_alignment\t: %u\naddress sizes\t: %u bits physical, "
                    "%u bits virtual\npower management:\n\n", clflush, clflush, phys_bits, virt_bits);
    }
}

void gen_meminfo(ProcText& out, const ProcFile&)
{
    ProcMemory m;
    proc_source().memory(m);
    u64 used = m.total_bytes > m.free_bytes ? m.total_bytes - m.free_bytes : 0;
    auto line = [&](const char* name, u64 bytes) {
        size_t at = out.size();
        out.append(name);
        out.append_char(':');
        out.pad_to(at, 16);
        out.appendf("%8lu kB\n", bytes >> 10);
    };
    line("MemTotal", m.total_bytes);
    line("MemFree", m.free_bytes);
    line("MemAvailable", m.free_bytes);
    line("Buffers", 0);
    line("Cached", 0);
    line("SwapCached", 0);
    line("Active", used);
    line("Inactive", 0);
    line("Active(anon)", used);
    line("Inactive(anon)", 0);
    line("Active(file)", 0);
    line("Inactive(file)", 0);
    line("Unevictable", 0);
    line("Mlocked", 0);
    line("SwapTotal", 0);
    line("SwapFree", 0);
    line("Zswap", 0);
    line("Zswapped", 0);
    line("Dirty", 0);
    line("Writeback", 0);
    line("AnonPages", used);
    line("Mapped", 0);
    line("Shmem", 0);
    line("KReclaimable", 0);
    line("Slab", 0);
    line("SReclaimable", 0);
    line("SUnreclaim", 0);
    line("KernelStack", 0);
    line("PageTables", 0);
    line("NFS_Unstable", 0);
    line("Bounce", 0);
    line("WritebackTmp", 0);
    line("CommitLimit", m.total_bytes);
    line("Committed_AS", used);
    line("VmallocTotal", 34359738367ull << 10);
    line("VmallocUsed", 0);
    line("VmallocChunk", 0);
    line("Percpu", 0);
    line("HardwareCorrupted", 0);
    line("AnonHugePages", 0);
    line("ShmemHugePages", 0);
    line("ShmemPmdMapped", 0);
    line("FileHugePages", 0);
    line("FilePmdMapped", 0);
    out.append("HugePages_Total:       0\nHugePages_Free:        0\nHugePages_Rsvd:        0\n"
               "HugePages_Surp:        0\n");
    line("Hugepagesize", 2048 << 10);
    line("Hugetlb", 0);
    line("DirectMap4k", m.total_bytes);
    line("DirectMap2M", 0);
}

void gen_stat(ProcText& out, const ProcFile&)
{
    auto& src = proc_source();
    u64 up = src.uptime_ns() / NS_PER_TICK;
    u64 now_s = src.realtime_ns() / 1000000000ull;
    u64 btime = now_s > src.uptime_ns() / 1000000000ull ? now_s - src.uptime_ns() / 1000000000ull : 0;
    // No accounting yet: every CPU counts as busy with the program all along.
    int ncpu = proc_source().cpu_count();
    out.appendf("cpu  %lu 0 0 0 0 0 0 0 0 0\n", up * u64(ncpu));
    for (int cpu = 0; cpu < ncpu; cpu++) out.appendf("cpu%d %lu 0 0 0 0 0 0 0 0 0\n", cpu, up);
    out.appendf("intr 0\nctxt 0\nbtime %lu\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n"
                "softirq 0 0 0 0 0 0 0 0 0 0 0\n", btime);
}

void gen_uptime(ProcText& out, const ProcFile&)
{
    u64 hundredths = proc_source().uptime_ns() / 10000000ull;
    two_decimals(out, hundredths);
    out.append(" 0.00\n");
}

void gen_loadavg(ProcText& out, const ProcFile&)
{
    ProcProcess p;
    proc_source().process(p);
    out.appendf("0.00 0.00 0.00 1/1 %d\n", p.pid);
}

void proc_uuid(ProcText& out)
{
    u8 b[16];
    proc_source().random(b, sizeof b);
    b[6] = u8((b[6] & 0x0f) | 0x40); // version 4
    b[8] = u8((b[8] & 0x3f) | 0x80); // RFC 4122 variant
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.append_char('-');
        out.appendf("%02x", b[i]);
    }
    out.append_char('\n');
}

void gen_random_uuid(ProcText& out, const ProcFile&) { proc_uuid(out); }

} // namespace fs
