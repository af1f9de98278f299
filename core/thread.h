#pragma once
// A thread of the program: its kernel stack and saved kernel context, the
// user state the CPU does not keep for it while it is switched out (FS/GS
// bases, the XSAVE area), and the per-thread registrations of the Linux ABI
// (clear_child_tid, robust list, rseq, name, affinity, nice).
//
// Every thread shares the one process (core/process.h): address space, fd
// table, signal dispositions. The scheduler (core/sched.h) owns the fields
// under "scheduler" and changes them only with its lock held.
#include "core/types.h"
#include "core/result.h"
#include "core/signal.h"
#include "core/sync.h"
#include "platform/x86_64/trap.h"

namespace core {

enum class ThreadState : u8 { Runnable, Running, Blocked, Dead };
enum class WakeReason : u8 { None, Woken, Timeout, Interrupted };

constexpr u64 NO_DEADLINE = ~0ull;
constexpr int MAX_CPUS = 64;

struct Thread {
    u64 saved_rsp = 0;              // kernel rsp while switched out (switch.S)
    u8* kstack = nullptr;           // owned kernel stack, or nullptr for the boot stack
    u64 kstack_top = 0;
    int tid = 0;
    bool is_idle = false;

    // scheduler
    ThreadState state = ThreadState::Runnable;
    WakeReason wake_reason = WakeReason::None;
    bool interruptible = false;
    int cpu = 0;                    // the CPU it runs or last ran on
    u64 slice_end = 0;
    u64 deadline = NO_DEADLINE;     // while on the timer list
    u64 cpu_ns = 0, ran_since = 0;  // CPU time used, for CLOCK_THREAD_CPUTIME_ID
    // The part of cpu_ns spent in the kernel (getrusage, times, /proc stat):
    // counted from each entry from user mode (sys_since) to the way back.
    u64 sys_ns = 0, sys_since = 0;
    bool in_kernel = true;
    u64 nvcsw = 0, nivcsw = 0;      // switches away: blocked / preempted
    u64 minflt = 0;                 // page faults resolved without I/O
    Thread* rq_next = nullptr;
    Thread* timer_next = nullptr;
    bool on_timer = false;
    WaitQueue* wq = nullptr;
    Thread* wq_next = nullptr;
    Thread* wq_prev = nullptr;
    u64 wait_key = 0;               // what it waits for on a shared queue (futex address)
    u32 wait_bits = 0;              // FUTEX_WAIT_BITSET's mask
    Thread* all_next = nullptr;     // every live thread, for lookup by tid

    // user state saved across switches
    u64 fs_base = 0, gs_base = 0;
    u8* fpu = nullptr;              // XSAVE area (64-byte aligned inside fpu_alloc)
    void* fpu_alloc = nullptr;

    // Linux ABI registrations
    u64 clear_child_tid = 0;
    u64 robust_head = 0, robust_len = 0;
    u64 rseq_area = 0;
    u32 rseq_len = 0, rseq_sig = 0;
    int rseq_cpu = -1;              // the cpu_id last written to the rseq area
    char name[16] = "elfin";
    u64 affinity = ~0ull;           // bit i: may run on CPU i (of those online)
    int nice = 0;
    int exit_code = 0;

    SignalState signals;            // blocked mask, thread-directed pending, altstack
};

// The thread running on this CPU.
Thread* current();
// The program's first thread, running on the boot stack; called once before
// the program starts.
void threads_init(u64 boot_stack_top);
// A new thread that will enter ring 3 with a copy of `frame` (the parent's
// registers at its syscall) with rax = 0. Not yet runnable: sched::start().
Result<Thread*> thread_create(const x86::TrapFrame& parent);
Thread* find_thread(int tid);
int live_threads();
Thread* thread_list(); // the first live thread; the rest through all_next
// Thread ids in creation order, for /proc/self/task.
int thread_ids(int* out, int max);
// Takes an exiting thread out of the lookup list; frees a dead one once its
// stack is no longer in use.
void thread_unlink(Thread* t);
void thread_destroy(Thread* t);
// The register frame saved at the top of t's kernel stack on entry from user mode.
x86::TrapFrame* user_frame_of(Thread* t);

// After a thread was preempted in user mode: rseq's cpu_id and critical
// section abort (syscalls/thread.cpp).
void rseq_resume(Thread* t, x86::TrapFrame* f);

namespace fpu {
// Saves the CPU's user FPU/SSE/AVX state into t, or loads it from t.
void save(Thread* t);
void restore(Thread* t);
} // namespace fpu

} // namespace core
