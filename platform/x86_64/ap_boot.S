// The application processors' way in: a SIPI starts each in 16-bit real mode
// at AP_TRAMPOLINE (a page below 1 MiB that smp.cpp copies this code to). It
// goes to protected mode, then long mode on the boot page tables (boot.S:
// identity and higher half of the first 1 GiB), jumps to ap_entry64 in the
// kernel image, which switches to the kernel's tables and calls kmain_ap.
#define AP_TRAMPOLINE 0x8000
#define T(x) (AP_TRAMPOLINE + (x) - ap_trampoline_start)
#include "long_mode.inc"

    .section .rodata
    .align 16
    .global ap_trampoline_start, ap_trampoline_end, ap_trampoline_cr3
    .code16
ap_trampoline_start:
    cli
    cld
    xor %ax, %ax
    mov %ax, %ds
    lgdtl T(ap_gdt_desc)
    mov %cr0, %eax
    or $1, %eax                         // PE
    mov %eax, %cr0
    ljmpl $0x08, $T(ap_prot)

    .code32
ap_prot:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov T(ap_trampoline_cr3), %edx
    ENTER_LONG_MODE
    ljmpl $0x18, $T(ap_long)

    .code64
ap_long:
    movabs $ap_entry64, %rax
    jmp *%rax

    .align 8
ap_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff            // 0x08: 32-bit code
    .quad 0x00cf92000000ffff            // 0x10: data
    .quad 0x00af9a000000ffff            // 0x18: 64-bit code
ap_gdt_desc:
    .word ap_gdt_desc - ap_gdt - 1
    .long T(ap_gdt)
    .align 4
ap_trampoline_cr3:                      // the boot tables' physical address, filled in by smp.cpp
    .long 0
ap_trampoline_end:

    .text
    .code64
// Long mode on the boot tables: switch to the kernel's, take the stack
// smp.cpp prepared and enter C++.
ap_entry64:
    mov g_ap_start+0(%rip), %rax        // kernel cr3
    mov %rax, %cr3
    mov g_ap_start+8(%rip), %rsp        // stack top
    mov g_ap_start+16(%rip), %rdi       // PerCpu*
    mov %rsp, %rsi
    xor %ebp, %ebp
    call kmain_ap
1:  hlt
    jmp 1b

    .section .note.GNU-stack, "", @progbits
