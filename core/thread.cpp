#include "core/thread.h"
#include "core/process.h"
#include "core/string.h"
#include "mm/heap.h"
#include "platform/x86_64/cpu.h"

extern "C" char thread_first_entry[]; // platform/x86_64/switch.S

namespace core {

namespace {
constexpr size_t KSTACK_SIZE = 16 * 1024;
Thread g_main;
Thread* g_all;
int g_next_tid;
int g_live;

size_t fpu_size() { return x86::g_features.xsave ? x86::g_features.xsave_size : 512; }

ErrorOr fpu_alloc(Thread* t)
{
    size_t n = fpu_size() + 64;
    t->fpu_alloc = mm::kmalloc(n);
    if (!t->fpu_alloc) return Errno::ENOMEM;
    memset(t->fpu_alloc, 0, n);
    t->fpu = reinterpret_cast<u8*>((reinterpret_cast<u64>(t->fpu_alloc) + 63) & ~63ull);
    return {};
}

void link(Thread* t)
{
    // Appended, so the list stays in creation order.
    Thread** p = &g_all;
    while (*p) p = &(*p)->all_next;
    t->all_next = nullptr;
    *p = t;
    g_live++;
}
} // namespace

Thread* current() { return static_cast<Thread*>(x86::this_cpu()->current_thread); }

void threads_init(u64 boot_stack_top)
{
    g_main.tid = process().pid;
    g_next_tid = g_main.tid + 1;
    g_main.kstack_top = boot_stack_top;
    g_main.state = ThreadState::Running;
    MUST(fpu_alloc(&g_main));
    link(&g_main);
    x86::this_cpu()->current_thread = &g_main;
}

x86::TrapFrame* user_frame_of(Thread* t)
{
    return reinterpret_cast<x86::TrapFrame*>(t->kstack_top - sizeof(x86::TrapFrame));
}

Result<Thread*> thread_create(const x86::TrapFrame& parent)
{
    Thread* self = current();
    auto* t = new (std::nothrow) Thread;
    if (!t) return Errno::ENOMEM;
    t->kstack = static_cast<u8*>(mm::kmalloc(KSTACK_SIZE));
    if (!t->kstack || fpu_alloc(t).is_error()) {
        thread_destroy(t);
        return Errno::ENOMEM;
    }
    t->kstack_top = (reinterpret_cast<u64>(t->kstack) + KSTACK_SIZE) & ~15ull;
    auto* frame = user_frame_of(t);
    *frame = parent;
    frame->rax = 0;
    // What switch_context pops (r15, r14, r13, r12, rbx, rbp) and returns to.
    u64* sp = reinterpret_cast<u64*>(frame) - 7;
    for (int i = 0; i < 6; i++) sp[i] = 0;
    sp[6] = reinterpret_cast<u64>(thread_first_entry);
    t->saved_rsp = reinterpret_cast<u64>(sp);

    fpu::save(t); // the parent's live registers: a new thread starts with a copy
    while (find_thread(g_next_tid)) g_next_tid++; // clone3's set_tid may have taken it
    t->tid = g_next_tid++;
    t->fs_base = self->fs_base;
    t->gs_base = self->gs_base;
    t->affinity = self->affinity;
    t->nice = self->nice;
    t->cpu = self->cpu;
    // Linux: the mask is inherited; pending signals and the alternate stack
    // (for a thread sharing the address space) are not.
    t->signals.blocked = self->signals.blocked;
    memcpy(t->name, self->name, sizeof t->name);
    link(t);
    return t;
}

Thread* find_thread(int tid)
{
    for (Thread* t = g_all; t; t = t->all_next)
        if (t->tid == tid) return t;
    return nullptr;
}

int live_threads() { return g_live; }
Thread* thread_list() { return g_all; }

int thread_ids(int* out, int max)
{
    int n = 0;
    for (Thread* t = g_all; t && n < max; t = t->all_next) out[n++] = t->tid;
    return n;
}

void thread_unlink(Thread* t)
{
    for (Thread** p = &g_all; *p; p = &(*p)->all_next) {
        if (*p == t) {
            *p = t->all_next;
            g_live--;
            return;
        }
    }
}

void thread_destroy(Thread* t)
{
    if (t == &g_main) return; // its stack is the boot stack, its struct static
    mm::kfree(t->kstack);
    mm::kfree(t->fpu_alloc);
    delete t;
}

namespace fpu {
void save(Thread* t)
{
    if (x86::g_features.xsave)
        asm volatile("xsave64 (%0)" ::"r"(t->fpu), "a"(~0u), "d"(~0u) : "memory");
    else
        asm volatile("fxsave64 (%0)" ::"r"(t->fpu) : "memory");
}

void restore(Thread* t)
{
    if (x86::g_features.xsave)
        asm volatile("xrstor64 (%0)" ::"r"(t->fpu), "a"(~0u), "d"(~0u) : "memory");
    else
        asm volatile("fxrstor64 (%0)" ::"r"(t->fpu) : "memory");
}
} // namespace fpu

} // namespace core
