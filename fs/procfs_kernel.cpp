// The kernel's ProcSource: what /proc shows, from core::process(), the
// address space, the page allocator, CPUID and the clocks.
#include "fs/procfs.h"
#include "core/process.h"
#include "core/random.h"
#include "core/thread.h"
#include "core/time.h"
#include "fs/vfs.h"
#include "mm/address_space.h"
#include "mm/phys.h"
#include "platform/x86_64/cpu.h"
#include "platform/x86_64/smp.h"
#include "core/sched.h"

namespace fs {

namespace {

u64 g_start_ns; // when the program was set up

void kernel_process(ProcProcess& out)
{
    const core::Process& p = core::process();
    out = ProcProcess {};
    out.pid = p.pid;
    out.ppid = p.ppid;
    out.pgid = p.pgid;
    out.sid = p.sid;
    out.uid = p.uid;
    out.euid = p.euid;
    out.suid = p.suid;
    out.gid = p.gid;
    out.egid = p.egid;
    out.sgid = p.sgid;
    out.groups = p.groups;
    out.ngroups = p.ngroups;
    out.umask = has_current() ? current().umask : p.umask;
    out.threads = core::live_threads();
    out.sig_pending = core::signal::pending_mask();
    out.sig_blocked = core::current_signal_state().blocked;
    for (int sig = 1; sig <= core::NSIG; sig++) {
        u64 bit = 1ull << (sig - 1);
        u64 handler = core::signal::action(sig).handler;
        if (handler == 1) out.sig_ignored |= bit;
        else if (handler > 1) out.sig_caught |= bit;
    }
    for (int i = 0; i < PROC_NLIMITS && i < core::RLIM_NLIMITS; i++) {
        out.rlim_cur[i] = p.rlimits[i].cur;
        out.rlim_max[i] = p.rlimits[i].max;
    }
    out.start_ns = g_start_ns;
    out.rss_bytes = (mm::phys_total_pages() - mm::phys_free_pages()) * PAGE_SIZE;
    out.rss_peak_bytes = mm::phys_peak_used_pages() * PAGE_SIZE;
    auto usage = core::sched::process_usage();
    out.utime_ns = usage.cpu_ns - usage.sys_ns;
    out.stime_ns = usage.sys_ns;
    out.minflt = usage.minflt;
    const mm::AddressSpace& as = mm::address_space();
    out.brk_start = as.brk_start;
    out.brk = as.brk_end;

    // FDSize: the table grows in powers of two from 64, as Linux's.
    out.fd_slots = 64;
    if (!has_current()) return; // /proc being built
    FdTable& fds = current_fds();
    size_t open = fds.open_count(), seen = 0;
    int highest = -1;
    for (int fd = 0; seen < open; fd++)
        if (!fds.get_raw(fd).is_error()) {
            seen++;
            highest = fd;
        }
    while (out.fd_slots <= highest) out.fd_slots *= 2;
}

ErrorOr kernel_for_each_vma(ProcVmaVisitor visit, void* cookie)
{
    for (const mm::Vma& v : mm::address_space().vmas()) {
        ProcVma pv {};
        pv.start = v.start;
        pv.end = v.end;
        pv.prot = v.prot;
        pv.shared = v.flags & mm::VMA_SHARED;
        if (v.name) pv.name = v.name;
        else if (v.flags & mm::VMA_STACK) pv.name = "[stack]";
        else if (v.flags & mm::VMA_HEAP) pv.name = "[heap]";
        else if (v.file) pv.name = v.file->name();
        if (v.file) {
            pv.offset = v.file_offset;
            if (!pv.name.is_empty() && pv.name[0] == '/') {
                auto inode = resolve_path(pv.name);
                if (!inode.is_error()) {
                    pv.dev = ROOT_DEV;
                    pv.ino = inode.value()->ino();
                }
            }
        }
        TRY(visit(pv, cookie));
    }
    return {};
}

void kernel_memory(ProcMemory& m)
{
    m.total_bytes = mm::phys_total_pages() * PAGE_SIZE;
    m.free_bytes = mm::phys_free_pages() * PAGE_SIZE;
}

ProcCpuid kernel_cpuid(u32 leaf, u32 sub)
{
    x86::Cpuid r = x86::cpuid(leaf, sub);
    return { r.eax, r.ebx, r.ecx, r.edx };
}

u64 kernel_uptime_ns() { return core::time::monotonic_ns(); }

void kernel_random(u8* buf, size_t n) { core::random_bytes(buf, n); }

// The vector exec put on the program's stack (loader/exec.cpp keeps a copy),
// AT_NULL included; before any exec, only its AT_NULL.
void kernel_auxv(ProcText& out)
{
    const core::Process& p = core::process();
    if (p.saved_auxv_words) {
        out.append_bytes(p.saved_auxv, p.saved_auxv_words * 8);
        return;
    }
    const u64 end[] = { 0 /* AT_NULL */, 0 };
    out.append_bytes(end, sizeof end);
}

u32 kernel_apic_id(int cpu)
{
    x86::PerCpu* c = x86::smp::cpu(cpu);
    return c ? c->apic_id : 0;
}

const ProcSource KERNEL_SOURCE = {
    kernel_process, kernel_for_each_vma, kernel_memory, kernel_cpuid, core::time::tsc_hz,
    kernel_uptime_ns, core::time::realtime_ns, kernel_random, kernel_auxv, core::sched::cpu_count,
    kernel_apic_id,
};

} // namespace

// Called by unpack_initramfs (fs/vfs.cpp) before /proc is built.
void register_kernel_proc_source()
{
    g_start_ns = core::time::monotonic_ns();
    set_proc_source(&KERNEL_SOURCE);
}

} // namespace fs
