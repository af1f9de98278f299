// CPU feature discovery and control-register setup: SMEP/SMAP, NX, FPU/SSE and
// XSAVE (so programs can use AVX), FSGSBASE.
#include "platform/x86_64/cpu.h"
#include "platform/x86_64/cpu_init.h"

extern "C" bool g_smap_enabled;

namespace x86 {

void cpu_init()
{
    Cpuid l1 = cpuid(1);
    Cpuid l7 = cpuid(7);
    u32 max_ext = cpuid(0x80000000).eax;
    Cpuid e1 = max_ext >= 0x80000001 ? cpuid(0x80000001) : Cpuid {};
    g_features.smep = l7.ebx & (1 << 7);
    g_features.smap = l7.ebx & (1 << 20);
    g_features.fsgsbase = l7.ebx & 1;
    g_features.xsave = l1.ecx & (1 << 26);
    g_features.avx = l1.ecx & (1 << 28);
    g_features.rdrand = l1.ecx & (1 << 30);
    g_features.x2apic = l1.ecx & (1 << 21);
    g_features.pdpe1gb = e1.edx & (1 << 26);
    g_features.rdtscp = e1.edx & (1 << 27);
    g_features.rdpid = l7.ecx & (1 << 22);
    g_features.invariant_tsc = max_ext >= 0x80000007 && (cpuid(0x80000007).edx & (1 << 8));
    g_smap_enabled = g_features.smap;
    cpu_init_ap();
    if (g_features.xsave) g_features.xsave_size = cpuid(0xd, 0).ebx;
}

void cpu_init_ap()
{
    u64 cr0 = read_cr0();
    cr0 &= ~(1ull << 2);          // EM off
    cr0 |= (1ull << 1) | (1ull << 5) | (1ull << 16); // MP, NE, WP
    write_cr0(cr0);
    u64 cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_PGE;
    if (g_features.xsave) cr4 |= CR4_OSXSAVE;
    if (g_features.smep) cr4 |= CR4_SMEP;
    if (g_features.smap) cr4 |= CR4_SMAP;
    write_cr4(cr4);
    asm volatile("fninit");
    if (g_features.xsave) {
        // Enable every user state component the CPU supports among x87, SSE,
        // AVX and AVX-512 (opmask, ZMM_Hi256, Hi16_ZMM).
        Cpuid d = cpuid(0xd, 0);
        u64 supported = (u64(d.edx) << 32) | d.eax;
        u64 xcr0 = supported & (0x7 | 0xe0);
        if ((xcr0 & 0xe0) != 0xe0) xcr0 &= 0x7;
        asm volatile("xsetbv" ::"c"(0), "a"(u32(xcr0)), "d"(u32(xcr0 >> 32)));
    }
}

void set_cpu_number(u32 cpu)
{
    if (g_features.rdtscp || g_features.rdpid) wrmsr(MSR_TSC_AUX, cpu & 0xfff);
}

} // namespace x86
