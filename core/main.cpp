// kmain: from the PVH entry to the program's first instruction.
#include "platform/x86_64/pvh.h"
#include "platform/x86_64/cpu.h"
#include "platform/x86_64/cpu_init.h"
#include "platform/x86_64/paging.h"
#include "platform/x86_64/serial.h"
#include "platform/x86_64/smp.h"
#include "platform/x86_64/trap.h"
#include "mm/phys.h"
#include "core/boot.h"
#include "core/giant.h"
#include "core/klog.h"
#include "core/power.h"
#include "core/process.h"
#include "core/random.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/time.h"
#include "drivers/net_card.h"
#include "net/stack.h"

extern "C" char __kernel_end[], __bss_start[], __bss_end[];
extern "C" void (*__init_array_start[])(), (*__init_array_end[])();

namespace {

alignas(16) u8 g_kernel_stack[64 * 1024];
x86::PerCpu g_cpu0;

struct BootInfo {
    const char* cmdline = "";
    u64 initrd_pa = 0, initrd_size = 0;
    u64 rsdp_pa = 0; // 0: not given (microvm's firmware leaves it to a scan)
};

BootInfo read_start_info(u64 start_info_pa)
{
    BootInfo bi;
    auto* si = static_cast<pvh::StartInfo*>(mm::phys_to_virt(start_info_pa));
    if (si->magic != pvh::START_MAGIC) PANIC("not started through PVH (bad start_info magic %#x)", si->magic);
    mm::PhysRange usable[64];
    int n = 0;
    if (si->version >= 1 && si->memmap_paddr && si->memmap_entries) {
        auto* mm_entries = static_cast<pvh::MemmapEntry*>(mm::phys_to_virt(si->memmap_paddr));
        for (u32 i = 0; i < si->memmap_entries && n < 64; i++)
            if (mm_entries[i].type == pvh::MEMMAP_RAM)
                usable[n++] = { mm_entries[i].addr, mm_entries[i].addr + mm_entries[i].size };
    }
    if (n == 0) PANIC("the hypervisor gave no memory map (PVH start_info version %u)", si->version);
    mm::PhysRange reserved[4];
    int nr = 0;
    reserved[nr++] = { 0, page_round_up(mm::virt_to_phys(__kernel_end)) };
    if (si->nr_modules && si->modlist_paddr) {
        auto* mod = static_cast<pvh::Module*>(mm::phys_to_virt(si->modlist_paddr));
        bi.initrd_pa = mod->paddr;
        bi.initrd_size = mod->size;
        reserved[nr++] = { page_round_down(mod->paddr), page_round_up(mod->paddr + mod->size) };
    }
    bi.rsdp_pa = si->rsdp_paddr;
    if (si->cmdline_paddr) bi.cmdline = static_cast<const char*>(mm::phys_to_virt(si->cmdline_paddr));
    mm::phys_init(usable, n, reserved, nr);
    return bi;
}

bool has_switch(const char* cmdline, const char* word)
{
    size_t wl = strlen(word);
    for (const char* p = cmdline; *p;) {
        while (*p == ' ') p++;
        const char* e = p;
        while (*e && *e != ' ') e++;
        if (size_t(e - p) == wl && !strncmp(p, word, wl)) return true;
        p = e;
    }
    return false;
}

} // namespace

extern "C" [[noreturn]] void kmain(u64 start_info_pa)
{
    memset(__bss_start, 0, 0); // .bss is zeroed by the loader (PVH loads memsz zero-filled)
    serial::init();
    x86::cpu_init();
    x86::set_cpu_number(0);
    for (auto* f = __init_array_start; f < __init_array_end; f++) (*f)();

    BootInfo bi = read_start_info(start_info_pa);
    // The command line and initrd live in low memory reachable through the boot
    // map; copy what we need before switching to the final tables.
    static char cmdline[512];
    size_t cl = strlen(bi.cmdline);
    if (cl >= sizeof cmdline) cl = sizeof cmdline - 1;
    memcpy(cmdline, bi.cmdline, cl);
    cmdline[cl] = 0;

    paging::init_kernel_tables(mm::phys_max_address());
    x86::gdt_init(&g_cpu0, reinterpret_cast<u64>(g_kernel_stack + sizeof g_kernel_stack));
    x86::idt_init();
    x86::syscall_init();

    // The host tool says which standard streams are not terminals on its side,
    // and whether stderr has a port (COM2) of its own; kernel messages go there too.
    if (has_switch(cmdline, "stderr-com2")) serial::init_err_port();
    u32 tty_mask = 7;
    if (has_switch(cmdline, "stdin-notty")) tty_mask &= ~1u;
    if (has_switch(cmdline, "stdout-notty")) tty_mask &= ~2u;
    if (has_switch(cmdline, "stderr-notty")) tty_mask &= ~4u;

    klog::g_verbose = has_switch(cmdline, "debug");
    auto& proc = core::process();
    core::process_init();
    proc.trace = has_switch(cmdline, "trace");
    proc.aslr = !has_switch(cmdline, "noaslr");

    if (has_switch(cmdline, "selftest-panic")) {
        // Proves the panic path end to end (tests use it): an invalid opcode
        // in the kernel must give registers, the instruction and a backtrace.
        asm volatile("ud2");
    }

    core::time::init();
    core::threads_init(reinterpret_cast<u64>(g_kernel_stack + sizeof g_kernel_stack));
    core::sched::init();
    core::giant::enter(); // left on the first entry to user mode (enter_user)
    int cpus = x86::smp::start_cpus(&g_cpu0, bi.rsdp_pa, core::time::tsc_hz());
    core::sched::set_cpu_count(cpus);
    core::random_init();
    klog::info("%lu MiB of RAM, initramfs %lu KiB at %#lx", mm::phys_total_pages() / 256,
               bi.initrd_size / 1024, bi.initrd_pa);

    // Devices (a network card only when the tool asked for one), then the
    // network on them: DHCP runs while the image is unpacked.
    drivers::discover(cmdline);
    net::start_cards(cmdline);
    core::set_after_unpack_hook(net::configure_at_boot);

    core::boot_program(static_cast<const u8*>(mm::phys_to_virt(bi.initrd_pa)), bi.initrd_size, tty_mask);
}

extern "C" [[noreturn]] void kmain_ap(x86::PerCpu* cpu, u64 stack_top)
{
    x86::cpu_init_ap();
    x86::gdt_init(cpu, stack_top);
    x86::idt_load();
    x86::syscall_init();
    x86::set_cpu_number(u32(cpu->cpu_id));
    core::time::init_ap();
    if (!x86::smp::ap_online(cpu)) {
        // The boot CPU gave up on this one and counts without it.
        for (;;) asm volatile("cli; hlt");
    }
    core::sched::run_ap(stack_top);
}
