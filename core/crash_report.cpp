#include "core/crash_report.h"
#include <Zydis/Zydis.h>
#include "core/format.h"
#include "core/klog.h"
#include "core/thread.h"
#include "mm/address_space.h"
#include "mm/backing.h"
#include "mm/user_ptr.h"

namespace core {

namespace {

using namespace signal;

const char* signal_name(int sig)
{
    switch (sig) {
    case SIGQUIT: return "SIGQUIT";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGSEGV: return "SIGSEGV";
    case SIGXCPU: return "SIGXCPU";
    case SIGXFSZ: return "SIGXFSZ";
    case SIGSYS: return "SIGSYS";
    default: return "signal";
    }
}

// Linux's si_code words for a fault (<asm-generic/siginfo.h>), or nullptr.
const char* fault_code(int sig, int code)
{
    switch (sig) {
    case SIGSEGV:
        return code == SEGV_MAPERR ? "SEGV_MAPERR: nothing is mapped there"
             : code == SEGV_ACCERR ? "SEGV_ACCERR: the mapping does not allow that access" : nullptr;
    case SIGBUS:
        return code == BUS_ADRALN ? "BUS_ADRALN: misaligned address"
             : code == BUS_ADRERR ? "BUS_ADRERR: past the end of the mapped file" : nullptr;
    case SIGFPE:
        return code == FPE_INTDIV ? "FPE_INTDIV: integer division by zero"
             : code == FPE_INTOVF ? "FPE_INTOVF: integer overflow"
             : code == FPE_FLTDIV ? "FPE_FLTDIV: floating-point division by zero"
             : code == FPE_FLTINV ? "FPE_FLTINV: invalid floating-point operation"
             : code >= FPE_FLTOVF && code <= FPE_FLTRES ? "floating-point exception" : nullptr;
    case SIGILL: return code >= 1 && code <= 8 ? "illegal instruction" : nullptr;
    case SIGTRAP: return code == TRAP_BRKPT ? "TRAP_BRKPT: breakpoint (int3)" : code == TRAP_TRACE ? "TRAP_TRACE: single step" : nullptr;
    default: return nullptr;
    }
}

void say_cause(int sig, const SigInfo* info)
{
    Thread* t = current();
    if (!info) {
        klog::printf("elfin: crash report: %s killed the program (thread %d \"%s\")\n", signal_name(sig), t->tid, t->name);
        return;
    }
    if (info->code > 0 && info->code < SI_KERNEL) {
        const char* why = fault_code(sig, info->code);
        if (why)
            klog::printf("elfin: crash report: %s (%s) at address 0x%lx in thread %d \"%s\"\n", signal_name(sig), why,
                info->fault.addr, t->tid, t->name);
        else
            klog::printf("elfin: crash report: %s (si_code %d) in thread %d \"%s\"\n", signal_name(sig), info->code, t->tid,
                t->name);
        return;
    }
    const char* how = info->code == SI_TKILL ? "tgkill" : info->code == SI_QUEUE ? "sigqueue"
                    : info->code == SI_USER ? "kill" : info->code == SI_KERNEL ? "the kernel" : "a signal";
    klog::printf("elfin: crash report: %s sent by %s (from pid %d) to thread %d \"%s\"\n", signal_name(sig), how,
        info->kill.pid, t->tid, t->name);
}

// "at 0x401745 in /bin/prog + 0x1745: mov dword ptr [rax], 0x2a"
void say_where(u64 rip)
{
    char where[160] = "unmapped";
    if (const mm::Vma* v = mm::address_space().find(rip)) {
        const char* name = v->name ? v->name : v->file ? v->file->name() : "anonymous memory";
        u64 off = rip - v->start + (v->file ? v->file_offset : 0);
        format(where, sizeof where, "%s + %#lx", name, off);
    }
    // The instruction, read as the program would (it may end at the edge of a mapping).
    u8 code[15];
    size_t n = sizeof code;
    if (mm::copy_from_user(code, rip, n).is_error()) {
        size_t to_page_end = 4096 - (rip & 4095);
        n = to_page_end < n && !mm::copy_from_user(code, rip, to_page_end).is_error() ? to_page_end : 0;
    }
    ZydisDisassembledInstruction insn;
    if (n > 0 && ZYAN_SUCCESS(ZydisDisassembleIntel(ZYDIS_MACHINE_MODE_LONG_64, rip, code, n, &insn)))
        klog::printf("elfin:   at %#lx in %s: %s\n", rip, where, insn.text);
    else
        klog::printf("elfin:   at %#lx in %s (the instruction cannot be read)\n", rip, where);
}

} // namespace

void crash_report(int sig, const SigInfo* info, const x86::TrapFrame* f)
{
    say_cause(sig, info);
    if (!f) f = user_frame_of(current());
    if (!f) return;
    // In a system call (a signal sent by the program to itself, as abort()
    // does): the syscall instruction is the one before rip.
    if (f->vector == x86::SYSCALL_VECTOR) {
        klog::printf("elfin:   in a system call made by:\n");
        say_where(f->rip - 2);
    } else {
        say_where(f->rip);
    }
    klog::printf("elfin:   rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
    klog::printf("elfin:   rsi %016lx  rdi %016lx  rbp %016lx  rsp %016lx\n", f->rsi, f->rdi, f->rbp, f->rsp);
    klog::printf("elfin:   r8  %016lx  r9  %016lx  r10 %016lx  r11 %016lx\n", f->r8, f->r9, f->r10, f->r11);
    klog::printf("elfin:   r12 %016lx  r13 %016lx  r14 %016lx  r15 %016lx\n", f->r12, f->r13, f->r14, f->r15);
    klog::printf("elfin:   rflags %016lx  (no core file is written: the VM's filesystem ends with the program)\n", f->rflags);
}

} // namespace core
