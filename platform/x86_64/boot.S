// PVH entry: QEMU (and Firecracker, cloud-hypervisor) jump here in 32-bit
// protected mode, paging off, with %ebx = physical address of hvm_start_info.
// We build boot page tables (identity + higher half for the first 1 GiB),
// enter long mode and call kmain in the higher half.
#define KERNEL_VMA 0xffffffff80000000
#define V2P(x) ((x) - KERNEL_VMA)
#include "long_mode.inc"

    .section .note.Xen, "a"
    .align 4
    .long 4          // name size
    .long 4          // desc size
    .long 18         // XEN_ELFNOTE_PHYS32_ENTRY
    .asciz "Xen"
    .long pvh_start32

    .section .boot.text, "ax"
    .code32
    .global pvh_start32
pvh_start32:
    cli
    cld
    mov %ebx, %edi                      // start_info, kept for kmain
    lgdt boot_gdt_desc
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    lea V2P(boot_stack_top), %esp

    // PML4[0] and PML4[511] -> PDPT; PDPT[0] and PDPT[510] -> PD (1 GiB of 2 MiB pages).
    lea V2P(boot_pdpt), %eax
    or $3, %eax
    mov %eax, V2P(boot_pml4)
    mov %eax, V2P(boot_pml4) + 511*8
    lea V2P(boot_pd), %eax
    or $3, %eax
    mov %eax, V2P(boot_pdpt)
    mov %eax, V2P(boot_pdpt) + 510*8
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax                      // present, writable, 2 MiB
    mov %eax, V2P(boot_pd)(,%ecx,8)
    inc %ecx
    cmp $512, %ecx
    jne 1b

    lea V2P(boot_pml4), %edx
    ENTER_LONG_MODE
    ljmp $0x08, $long_mode_entry

    .code64
long_mode_entry:
    movabs $higher_half, %rax
    jmp *%rax

    .text
higher_half:
    mov $0, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    movabs $boot_stack_top, %rsp
    xor %ebp, %ebp
    // %edi still holds the start_info physical address (zero-extended).
    mov %edi, %edi
    call kmain
2:  hlt
    jmp 2b

    .section .boot.data, "aw"
    .align 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff            // 0x08: 64-bit code
    .quad 0x00cf92000000ffff            // 0x10: data
boot_gdt_desc:
    .word boot_gdt_desc - boot_gdt - 1
    .long boot_gdt

    .section .bss
    .align 4096
    .global boot_pml4
boot_pml4:  .skip 4096
boot_pdpt:  .skip 4096
boot_pd:    .skip 4096
    .align 16
    .global boot_stack_top
boot_stack: .skip 32768
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
