#pragma once
// Shared by core/signal.cpp and core/signal_frame.cpp only.
#include "core/signal.h"
#include "platform/x86_64/trap.h"

namespace core::signal {

constexpr u64 SIG_DFL_ = 0, SIG_IGN_ = 1;

enum class DefaultAction { Terminate, Core, Ignore };
DefaultAction default_action(int sig);
// Ends the program as the default action of sig does.
[[noreturn]] void die(int sig, const x86::TrapFrame* f, const SigInfo* info = nullptr);
bool on_altstack(u64 sp);
// dequeue for delivery on the way to user mode: of the process-directed
// signals, only those this thread may take (the one chosen for each, or any
// thread once that one has gone or blocks it).
int dequeue_to_deliver(u64 mask, SigInfo& out);

// Interrupts off for the guard's lifetime (the timer interrupt sends signals).
// Enough with one CPU, which is all the scheduler runs on today; with more,
// the pending sets and timers need a lock (timer_expired nests a send).
class IrqOff {
public:
    IrqOff() { asm volatile("pushfq; popq %0; cli" : "=r"(m_flags)::"memory"); }
    ~IrqOff()
    {
        if (m_flags & 0x200) asm volatile("sti" ::: "memory");
    }
    IrqOff(const IrqOff&) = delete;
    IrqOff& operator=(const IrqOff&) = delete;

private:
    u64 m_flags;
};

} // namespace core::signal
