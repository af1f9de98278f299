#include "core/giant.h"
#include <atomic>
#include "core/sched.h"
#include "core/time.h"
#include "core/verify.h"
#include "core/thread.h"
#include "platform/x86_64/cpu.h"
#include "platform/x86_64/smp.h"
#include "platform/x86_64/trap.h"

namespace core::giant {

namespace {
std::atomic<u32> g_next_ticket;
std::atomic<u32> g_serving;
std::atomic<int> g_owner { -1 };
u32 g_depth[MAX_CPUS];

int me() { return int(x86::this_cpu()->cpu_id); }

// platform/x86_64/entry.S: halts unless *serving == ticket or *flush_pending.
extern "C" void giant_halt(const std::atomic<u32>* serving, u32 ticket, const std::atomic<bool>* flush_pending);
static_assert(sizeof(std::atomic<u32>) == 4 && sizeof(std::atomic<bool>) == 1);

bool interrupts_enabled()
{
    u64 flags;
    asm volatile("pushfq; pop %0" : "=r"(flags));
    return flags & 0x200;
}
} // namespace

void enter()
{
    int cpu = me();
    if (g_owner.load(std::memory_order_relaxed) == cpu) {
        g_depth[cpu]++;
        return;
    }
    VERIFY(!interrupts_enabled());
    u64 arrived = time::tsc_hz() ? time::monotonic_ns() : 0; // (a trap before the clock is calibrated)
    x86::PerCpu* self = x86::this_cpu();
    u32 ticket = g_next_ticket.fetch_add(1, std::memory_order_relaxed);
    u64 spin_until = x86::rdtsc() + time::tsc_hz() / 50000; // 20 us
    while (g_serving.load(std::memory_order_acquire) != ticket) {
        x86::smp::tlb_service();
        // (Ticket 0xffffffff would be "not halted" in halted_for_ticket: it spins.)
        if (x86::rdtsc() < spin_until || ticket + 1 == 0) {
            x86::pause();
            continue;
        }
        // Spinning any longer would take host CPU time from the vCPU that
        // holds the lock (QEMU's vCPUs are host threads): halt until the
        // holder hands over (leave) or a shootdown needs this CPU. Each side
        // stores, then loads the other's word: one of them sees the other.
        self->halted_for_ticket.store(ticket + 1, std::memory_order_seq_cst);
        giant_halt(&g_serving, ticket, &self->flush_pending); // looks at both once more
        self->halted_for_ticket.store(0, std::memory_order_relaxed);
    }
    g_owner.store(cpu, std::memory_order_relaxed);
    g_depth[cpu] = 1;
    // Every thread's way in from user mode takes the lock afresh (a syscall,
    // a fault, an interrupt); the idle thread's wake-ups are not counted.
    sched::account_kernel_entry(arrived);
}

void leave()
{
    int cpu = me();
    VERIFY(g_owner.load(std::memory_order_relaxed) == cpu && g_depth[cpu] > 0);
    if (--g_depth[cpu] > 0) return;
    g_owner.store(-1, std::memory_order_relaxed);
    u32 next = g_serving.load(std::memory_order_relaxed) + 1;
    g_serving.store(next, std::memory_order_seq_cst);
    // The CPU whose turn it is may be halted: wake it.
    for (int i = 0; i < x86::smp::cpu_count(); i++) {
        x86::PerCpu* c = x86::smp::cpu(i);
        if (c && c->halted_for_ticket.load(std::memory_order_seq_cst) == next + 1) x86::smp::send_nmi(i);
    }
}

bool held() { return g_owner.load(std::memory_order_relaxed) == me(); }

u32 depth() { return held() ? g_depth[me()] : 0; }

void set_depth(u32 depth)
{
    VERIFY(held() && depth > 0);
    g_depth[me()] = depth;
}

} // namespace core::giant

extern "C" void giant_enter() { core::giant::enter(); }

extern "C" void giant_leave_to_user()
{
    VERIFY(core::giant::depth() == 1);
    core::sched::account_kernel_exit();
    core::giant::leave();
}
