#include "platform/x86_64/trap.h"
#include "platform/x86_64/cpu.h"
#include "core/string.h"
#include <new>

extern "C" char syscall_entry[];

namespace x86 {

Features g_features;

namespace {
struct [[gnu::packed]] Tss {
    u32 reserved0;
    u64 rsp[3];
    u64 reserved1;
    u64 ist[7];
    u64 reserved2;
    u16 reserved3;
    u16 iomap_base;
};

struct [[gnu::packed]] DescPtr {
    u16 limit;
    u64 base;
};

} // namespace

struct CpuTables {
    alignas(16) u64 gdt[8];
    Tss tss;
    // The double-fault handler and NMIs run on their own stacks (IST 1, 2) so a
    // kernel stack overflow still reports cleanly.
    alignas(16) u8 ist_stacks[2][8192];
};

namespace {
CpuTables g_boot_tables;
} // namespace

CpuTables* alloc_cpu_tables()
{
    auto* t = new (std::nothrow) CpuTables;
    if (t) memset(t, 0, sizeof *t);
    return t;
}

void gdt_init(PerCpu* cpu, u64 kernel_stack_top)
{
    if (!cpu->tables) cpu->tables = &g_boot_tables;
    u64* g_gdt = cpu->tables->gdt;
    Tss& g_tss = cpu->tables->tss;
    auto& g_ist_stacks = cpu->tables->ist_stacks;
    g_gdt[0] = 0;
    g_gdt[1] = 0x00af9a000000ffffull; // 0x08 kernel code 64
    g_gdt[2] = 0x00cf92000000ffffull; // 0x10 kernel data
    g_gdt[3] = 0x00cffa000000ffffull; // 0x18 user code 32 (only for SYSRET's layout)
    g_gdt[4] = 0x00cff2000000ffffull; // 0x20 user data
    g_gdt[5] = 0x00affa000000ffffull; // 0x28 user code 64
    u64 base = reinterpret_cast<u64>(&g_tss);
    u64 limit = sizeof(Tss) - 1;
    g_gdt[6] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) | (((limit >> 16) & 0xf) << 48)
        | (((base >> 24) & 0xff) << 56);
    g_gdt[7] = base >> 32;
    g_tss.iomap_base = sizeof(Tss);
    g_tss.ist[0] = reinterpret_cast<u64>(g_ist_stacks[0] + sizeof g_ist_stacks[0]);
    g_tss.ist[1] = reinterpret_cast<u64>(g_ist_stacks[1] + sizeof g_ist_stacks[1]);

    DescPtr gdtr { sizeof(cpu->tables->gdt) - 1, reinterpret_cast<u64>(g_gdt) };
    asm volatile(
        "lgdt %0\n"
        "pushq $0x08\n"
        "leaq 1f(%%rip), %%rax\n"
        "pushq %%rax\n"
        "lretq\n"
        "1:\n"
        "mov $0x10, %%ax\n"
        "mov %%ax, %%ds\n"
        "mov %%ax, %%es\n"
        "mov %%ax, %%ss\n"
        "xor %%eax, %%eax\n"
        "mov %%ax, %%fs\n"
        "mov %%ax, %%gs\n"
        "mov %1, %%ax\n"
        "ltr %%ax\n"
        :
        : "m"(gdtr), "i"(TSS_SEL)
        : "rax", "memory");
    cpu->self = cpu;
    wrmsr(MSR_GS_BASE, reinterpret_cast<u64>(cpu));
    wrmsr(MSR_KERNEL_GS_BASE, 0);
    set_kernel_stack(kernel_stack_top);
}

void set_kernel_stack(u64 top)
{
    PerCpu* cpu = this_cpu();
    cpu->tables->tss.rsp[0] = top;
    cpu->kernel_rsp = top;
}

PerCpu* this_cpu()
{
    PerCpu* p;
    asm volatile("mov %%gs:0, %0" : "=r"(p));
    return p;
}

void syscall_init()
{
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1); // SCE
    wrmsr(MSR_STAR, (u64(0x18) << 48) | (u64(KERNEL_CS) << 32));
    wrmsr(MSR_LSTAR, reinterpret_cast<u64>(syscall_entry));
    // Clear IF, TF, DF, AC, NT on entry.
    wrmsr(MSR_SFMASK, 0x200 | 0x100 | 0x400 | 0x40000 | 0x4000);
}

} // namespace x86
