// Kernel context switch. Only the callee-saved registers need saving: the
// switch is a function call as far as the compiler is concerned. User
// registers stay in the TrapFrame at the top of each thread's kernel stack.

    .text
// void switch_context(u64* save_rsp, u64 new_rsp)
    .global switch_context
switch_context:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

// A new thread's first run: switch_context returned here with %rsp at the
// TrapFrame copied from its parent. Interrupts are off; trap_return restores
// the user's registers and IRETQs to ring 3.
    .global thread_first_entry
thread_first_entry:
    call sched_thread_started
    mov %rsp, %rdi
    call kernel_exit_to_user
    jmp trap_return

    .section .note.GNU-stack, "", @progbits
