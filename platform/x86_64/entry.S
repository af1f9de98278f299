// Kernel entry and exit: interrupt/exception stubs, the SYSCALL entry, the
// first entry to ring 3, and the user-memory copy with its fault fixup.

// STAC/CLAC fault on CPUs without SMAP, so they are skipped there.
.macro stac_if_smap
    cmpb $0, g_smap_enabled(%rip)
    je .Lnostac\@
    stac
.Lnostac\@:
.endm
.macro clac_if_smap
    cmpb $0, g_smap_enabled(%rip)
    je .Lnoclac\@
    clac
.Lnoclac\@:
.endm
// An __ex_table entry: a fault at an instruction in [start, end) resumes at fixup.
.macro EXTABLE start, end, fixup
    .pushsection __ex_table, "a"
    .quad \start, \end, \fixup
    .popsection
.endm

.macro PUSH_REGS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
.endm

.macro POP_REGS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
.endm

    .text
// Vectors that push an error code: 8, 10-14, 17, 21, 29, 30.
.macro ISR num
    .align 16
isr_\num:
    .if (\num == 8) || (\num >= 10 && \num <= 14) || (\num == 17) || (\num == 21) || (\num == 29) || (\num == 30)
    .else
    push $0
    .endif
    push $\num
    jmp trap_common
.endm

    .global isr_table
isr_stubs:
.altmacro
.set i, 0
.rept 256
    ISR %i
    .set i, i+1
.endr

.macro ISR_ADDR num
    .quad isr_\num
.endm
    .section .rodata
    .align 8
isr_table:
.set i, 0
.rept 256
    ISR_ADDR %i
    .set i, i+1
.endr
    .text

trap_common:
    // If we came from ring 3, switch to the kernel's GS.
    testb $3, 24(%rsp)
    jz 1f
    swapgs
1:  cld
    PUSH_REGS
    mov %rsp, %rdi
    xor %ebp, %ebp
    call _ZN3x8611handle_trapEPNS_9TrapFrameE
    // An NMI (a wake-up for the giant lock's waiters, possibly arriving late,
    // in user mode) does nothing more: NMIs stay blocked until its IRETQ, so
    // it must not wait for the lock, which only an NMI would end.
    cmpq $2, 15*8(%rsp)         // vector
    je trap_return
    testb $3, 18*8(%rsp)        // cs: back to ring 3?
    jz trap_return
    cli
    mov %rsp, %rdi
    call kernel_exit_to_user    // may switch threads; comes back to this frame
    .global trap_return
trap_return:
    POP_REGS
    add $16, %rsp               // vector, error
    testb $3, 8(%rsp)
    jz 2f
    swapgs
2:  iretq

// SYSCALL: rcx = user rip, r11 = user rflags, interrupts off (SFMASK).
    .global syscall_entry
syscall_entry:
    swapgs
    mov %rsp, %gs:16
    mov %gs:8, %rsp
    pushq $0x23                 // ss
    pushq %gs:16                // rsp
    push %r11                   // rflags
    pushq $0x2b                 // cs
    push %rcx                   // rip
    pushq $0                    // error
    pushq $0x100                // vector: SYSCALL
    PUSH_REGS
    xor %ebp, %ebp
    call giant_enter            // with interrupts off (core/giant.h)
    mov %rsp, %rdi
    sti
    call syscall_dispatch
    cli
    mov %rsp, %rdi
    call kernel_exit_to_user    // may switch threads; comes back to this frame
    // SYSRET is only safe to a canonical rip and with rcx/r11 matching; the
    // dispatcher may have rewritten the frame (signal delivery, sigreturn), so
    // check and fall back to IRET.
    mov 17*8(%rsp), %rcx        // rip
    mov 19*8(%rsp), %r11        // rflags
    cmp %rcx, 12*8(%rsp)        // frame's rcx == rip ?
    jne syscall_iret
    cmp %r11, 4*8(%rsp)         // frame's r11 == rflags ?
    jne syscall_iret
    mov %rcx, %rax
    shl $16, %rax
    sar $16, %rax
    cmp %rax, %rcx
    jne syscall_iret
    POP_REGS
    add $16, %rsp
    mov (%rsp), %rcx            // rip
    mov 16(%rsp), %r11          // rflags
    mov 24(%rsp), %rsp          // user rsp
    swapgs
    sysretq
syscall_iret:
    jmp trap_return

// void giant_halt(const u32* serving, u32 ticket, const u8* flush_pending):
// HLT with interrupts off, for a CPU waiting for the giant lock
// (core/giant.cpp), unless its turn has come or a shootdown waits for it. An
// NMI wakes it. The last look and the HLT are one range: an NMI that arrives
// anywhere in it resumes at its end (x86::handle_trap), so a wake-up sent
// between the look and the HLT is not lost.
    .global giant_halt, giant_halt_begin, giant_halt_end
giant_halt:
giant_halt_begin:
    cmp %esi, (%rdi)
    je giant_halt_end
    cmpb $0, (%rdx)
    jne giant_halt_end
    hlt
giant_halt_end:
    ret

// enter_user(rip, rsp): first entry to ring 3, all registers clear.
    .global _ZN3x8610enter_userEmm
_ZN3x8610enter_userEmm:
    cli
    push %rdi
    push %rsi
    sub $8, %rsp
    call giant_leave_to_user
    add $8, %rsp
    pop %rsi
    pop %rdi
    pushq $0x23
    push %rsi
    pushq $0x202                // IF
    pushq $0x2b
    push %rdi
    xor %eax, %eax
    xor %ebx, %ebx
    xor %ecx, %ecx
    xor %edx, %edx
    xor %esi, %esi
    xor %edi, %edi
    xor %ebp, %ebp
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    xor %r11d, %r11d
    xor %r12d, %r12d
    xor %r13d, %r13d
    xor %r14d, %r14d
    xor %r15d, %r15d
    swapgs
    iretq

// long user_copy(void* dst, const void* src, size_t n): 0, or -EFAULT if a
// page fault inside it could not be resolved (the fault handler jumps to the
// fixup through __ex_table). Eight bytes a step, then the tail, as memcpy.
    .global user_copy
user_copy:
    mov %rdx, %rcx
    shr $3, %rcx
    and $7, %edx
    stac_if_smap
10: rep movsq
    mov %rdx, %rcx
    rep movsb
11: clac_if_smap
    xor %eax, %eax
    ret
12: clac_if_smap
    mov $-14, %rax
    ret
    EXTABLE 10b, 11b, 12b

// long user_strnlen(const char* s, size_t max): length, max if no NUL within
// max bytes, or -EFAULT.
    .global user_strnlen
user_strnlen:
    xor %eax, %eax
    stac_if_smap
20: cmp %rsi, %rax
    je 21f
    cmpb $0, (%rdi,%rax)
    je 21f
    inc %rax
    jmp 20b
21: clac_if_smap
    ret
22: clac_if_smap
    mov $-14, %rax
    ret
    EXTABLE 20b, 21b, 22b

// long user_zero(void* dst, size_t n)
    .global user_zero
user_zero:
    mov %rsi, %rcx
    shr $3, %rcx
    and $7, %esi
    xor %eax, %eax
    stac_if_smap
30: rep stosq
    mov %rsi, %rcx
    rep stosb
31: clac_if_smap
    xor %eax, %eax
    ret
32: clac_if_smap
    mov $-14, %rax
    ret
    EXTABLE 30b, 31b, 32b

    .section .note.GNU-stack, "", @progbits
