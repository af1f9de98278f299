#include "platform/x86_64/smp.h"
#include <atomic>
#include <new>
#include "platform/x86_64/acpi.h"
#include "platform/x86_64/cpu.h"
#include "platform/x86_64/lapic.h"
#include "mm/heap.h"
#include "mm/phys.h"
#include "core/klog.h"
#include "core/string.h"

extern "C" char ap_trampoline_start[], ap_trampoline_end[], ap_trampoline_cr3[];
extern "C" char boot_pml4[];

// What ap_entry64 (ap_boot.S) reads: one CPU starts at a time.
extern "C" struct {
    u64 cr3, stack_top;
    x86::PerCpu* cpu;
} g_ap_start;
decltype(g_ap_start) g_ap_start;

namespace x86 {

namespace lapic {
void send_ipi(u32 apic_id, u32 icr)
{
    u64 flags;
    asm volatile("pushfq; pop %0; cli" : "=r"(flags)::"memory");
    write(REG_ICR_HI, apic_id << 24);
    write(REG_ICR_LO, icr);
    while (read(REG_ICR_LO) & ICR_PENDING) pause();
    if (flags & 0x200) sti();
}
} // namespace lapic

namespace smp {

namespace {
constexpr u64 AP_TRAMPOLINE = 0x8000; // ap_boot.S's AP_TRAMPOLINE; SIPI vector 0x08
constexpr u64 AP_STACK = 16 * 1024;
constexpr u64 KERNEL_VMA = 0xffffffff80000000ull;

PerCpu* g_cpus[MAX_CPUS];
std::atomic<int> g_online { 1 };
// The CPU being started, until it arrives (ap_online) or the boot CPU gives
// up on it: whichever takes it out decides.
std::atomic<PerCpu*> g_starting;

const u8* read_phys(void*, u64 pa, u64 len)
{
    // The physmap covers RAM rounded up to 1 GiB (paging.cpp), which holds the
    // ACPI tables: they are in RAM the firmware reserved.
    u64 mapped = (mm::phys_max_address() + (1ull << 30) - 1) & ~((1ull << 30) - 1);
    if (pa + len < pa || pa + len > mapped) return nullptr;
    return static_cast<const u8*>(mm::phys_to_virt(pa));
}

void delay_us(u64 us, u64 tsc_hz)
{
    u64 end = rdtsc() + tsc_hz / 1000000 * us;
    while (rdtsc() < end) pause();
}

u64 find_rsdp(const acpi::PhysReader& mem, u64 given)
{
    if (given) return given;
    // The first KiB of the EBDA (its segment is at 0x40e), then the BIOS area.
    const u8* bda = mem(0x40e, 2);
    u64 ebda = bda ? u64(bda[0] | bda[1] << 8) << 4 : 0;
    u64 pa = ebda ? acpi::scan_rsdp(mem, ebda, 1024) : 0;
    return pa ? pa : acpi::scan_rsdp(mem, 0xe0000, 0x20000);
}

bool start_one(PerCpu* cpu, u64 tsc_hz)
{
    u8* stack = static_cast<u8*>(mm::kmalloc(AP_STACK));
    if (!stack) return false;
    g_ap_start.cr3 = read_cr3();
    g_ap_start.stack_top = (reinterpret_cast<u64>(stack) + AP_STACK) & ~15ull;
    g_ap_start.cpu = cpu;
    g_starting.store(cpu);
    // INIT, then two STARTUPs (Intel SDM vol. 3, 8.4.4.1); QEMU needs no
    // long waits, real hardware the 10 ms and 200 us.
    lapic::send_ipi(cpu->apic_id, lapic::ICR_INIT);
    delay_us(10000, tsc_hz);
    for (int i = 0; i < 2 && g_starting.load() == cpu; i++) {
        lapic::send_ipi(cpu->apic_id, lapic::ICR_STARTUP | (AP_TRAMPOLINE >> 12));
        delay_us(200, tsc_hz);
    }
    u64 deadline = rdtsc() + tsc_hz; // one second
    while (g_starting.load() == cpu && rdtsc() < deadline) pause();
    PerCpu* expected = cpu;
    // Not arrived: if it ever does, ap_online tells it to stop; its stack stays.
    return !g_starting.compare_exchange_strong(expected, nullptr);
}
} // namespace

int start_cpus(PerCpu* boot_cpu, u64 rsdp_pa, u64 tsc_hz)
{
    boot_cpu->apic_id = lapic::id();
    g_cpus[0] = boot_cpu;
    acpi::PhysReader mem { &read_phys, nullptr };
    u64 rsdp = find_rsdp(mem, rsdp_pa);
    u32 len = 0;
    const u8* madt = rsdp ? acpi::find_table(mem, rsdp, "APIC", &len) : nullptr;
    if (!madt) {
        klog::info("no ACPI MADT (RSDP at %#lx): one CPU", rsdp);
        return 1;
    }
    u32 ids[MAX_CPUS];
    int n = acpi::madt_apic_ids(madt, len, ids, MAX_CPUS);
    if (n > MAX_CPUS) {
        klog::warn("the MADT lists %d CPUs; using the first %d", n, MAX_CPUS);
        n = MAX_CPUS;
    }
    if (n <= 1) return 1;

    memcpy(mm::phys_to_virt(AP_TRAMPOLINE), ap_trampoline_start, size_t(ap_trampoline_end - ap_trampoline_start));
    auto* cr3_slot = static_cast<u32*>(mm::phys_to_virt(AP_TRAMPOLINE + (ap_trampoline_cr3 - ap_trampoline_start)));
    *cr3_slot = u32(reinterpret_cast<u64>(boot_pml4) - KERNEL_VMA);

    for (int i = 0; i < n; i++) {
        if (ids[i] == boot_cpu->apic_id) continue;
        int num = g_online.load();
        auto* cpu = new (std::nothrow) PerCpu {};
        CpuTables* tables = alloc_cpu_tables();
        if (!cpu || !tables) {
            klog::warn("out of memory starting CPU %d", num);
            break;
        }
        cpu->cpu_id = u64(num);
        cpu->apic_id = ids[i];
        cpu->tables = tables;
        g_cpus[num] = cpu;
        if (!start_one(cpu, tsc_hz)) {
            klog::warn("the CPU with APIC id %u did not start", ids[i]);
            g_cpus[num] = nullptr;
            continue; // its PerCpu and tables stay, for a late start to stop on
        }
        g_online.store(num + 1);
    }
    klog::info("%d CPUs online (MADT at %#lx lists %d; RSDP at %#lx, %s)", g_online.load(), mm::virt_to_phys(madt), n,
               rsdp, rsdp_pa ? "from the start info" : "found by a scan");
    return g_online.load();
}

bool ap_online(PerCpu* cpu)
{
    PerCpu* expected = cpu;
    return g_starting.compare_exchange_strong(expected, nullptr);
}

int cpu_count() { return g_online.load(std::memory_order_relaxed); }

PerCpu* cpu(int i) { return i >= 0 && i < MAX_CPUS ? g_cpus[i] : nullptr; }

void send_resched(int i)
{
    PerCpu* c = cpu(i);
    if (c && c != this_cpu()) lapic::send_ipi(c->apic_id, lapic::ICR_FIXED | RESCHED_VECTOR);
}

void send_nmi(int i)
{
    PerCpu* c = cpu(i);
    if (c && c != this_cpu()) lapic::send_ipi(c->apic_id, lapic::ICR_NMI);
}

void tlb_shootdown()
{
    int n = cpu_count();
    if (n <= 1) return;
    PerCpu* self = this_cpu();
    for (int i = 0; i < n; i++) {
        PerCpu* c = g_cpus[i];
        if (!c || c == self) continue;
        c->flush_pending.store(true, std::memory_order_seq_cst);
        lapic::send_ipi(c->apic_id, lapic::ICR_FIXED | FLUSH_VECTOR);
        // One halted waiting for the giant lock has interrupts off: it
        // answers once an NMI wakes it (core/giant.cpp).
        if (c->halted_for_ticket.load(std::memory_order_seq_cst)) lapic::send_ipi(c->apic_id, lapic::ICR_NMI);
    }
    for (int i = 0; i < n; i++) {
        PerCpu* c = g_cpus[i];
        if (!c || c == self) continue;
        while (c->flush_pending.load(std::memory_order_acquire)) {
            tlb_service(); // (never pending here: only the giant lock's holder shoots down)
            pause();
        }
    }
}

void tlb_service()
{
    PerCpu* self = this_cpu();
    if (!self->flush_pending.load(std::memory_order_acquire)) return;
    write_cr3(read_cr3()); // user pages are not global: this drops them all
    self->flush_pending.store(false, std::memory_order_release);
}

} // namespace smp
} // namespace x86
