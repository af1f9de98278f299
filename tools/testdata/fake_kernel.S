/* A stand-in for the Elfin kernel, for testing the tool's side of
 * docs/boot-protocol.md without the real kernel: a 32-bit PVH ELF that finds
 * a script in the initramfs and plays it. The script is the text after the
 * marker FAKEKERNEL: up to a NUL byte; each command is one letter:
 *   C<text>\n   write text and newline to the console (COM1)
 *   S<text>\n   write text and newline to the status channel (port 0xe9)
 *   A           write the kernel command line and a newline to the console
 *   X<decimal>  write the number to isa-debug-exit (QEMU exits)
 *   H           hang forever
 *   T           triple fault (QEMU exits 0 under -no-reboot)
 * Without a script it says so on the console and exits with 1. */
    .code32
    .section .note.Xen, "a", @note
    .align 4
    .long 4, 4, 18            /* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .align 4
    .long _start

    .text
    .globl _start
_start:
    cli
    mov %ebx, %edi            /* hvm_start_info */
    mov 24(%edi), %eax        /* cmdline_paddr */
    mov %eax, cmdline
    mov 12(%edi), %ecx        /* nr_modules */
    test %ecx, %ecx
    jz noscript
    mov 16(%edi), %esi        /* modlist_paddr */
    mov 8(%esi), %ecx         /* module size */
    mov (%esi), %esi          /* module paddr */
    lea (%esi,%ecx), %edx     /* end */
scan:
    lea 11(%esi), %eax
    cmp %edx, %eax
    ja noscript
    mov %esi, %ebp
    mov $magic, %edi
    mov $11, %ecx
    repe cmpsb
    je line
    lea 1(%ebp), %esi
    jmp scan

line:
    movzbl (%esi), %eax
    test %al, %al
    jz triple
    inc %esi
    cmp $'C', %al
    je to_console
    cmp $'S', %al
    je to_status
    cmp $'A', %al
    je cmdline_out
    cmp $'X', %al
    je do_exit
    cmp $'H', %al
    je hang
    cmp $'T', %al
    je triple
    jmp line
to_console:
    mov $0x3f8, %dx
    jmp copy
to_status:
    mov $0xe9, %dx
copy:
    movzbl (%esi), %eax
    test %al, %al
    jz triple
    inc %esi
    outb %al, %dx
    cmp $'\n', %al
    jne copy
    jmp line

cmdline_out:
    mov cmdline, %ebx
    mov $0x3f8, %dx
    test %ebx, %ebx
    jz 2f
1:  movzbl (%ebx), %eax
    test %al, %al
    jz 2f
    outb %al, %dx
    inc %ebx
    jmp 1b
2:  mov $'\n', %al
    outb %al, %dx
    jmp line

do_exit:
    xor %ecx, %ecx
1:  movzbl (%esi), %eax
    sub $'0', %eax
    cmp $9, %eax
    ja 2f
    imul $10, %ecx
    add %eax, %ecx
    inc %esi
    jmp 1b
2:  mov %ecx, %eax
exit_eax:
    mov $0xf4, %dx
    outl %eax, %dx
hang:
    hlt
    jmp hang

triple:
    lidt null_idt
    int3
    jmp hang

noscript:
    mov $noscript_msg, %esi
    mov $0x3f8, %dx
1:  movzbl (%esi), %eax
    test %al, %al
    jz 2f
    outb %al, %dx
    inc %esi
    jmp 1b
2:  mov $1, %eax
    jmp exit_eax

    .data
    .align 8
null_idt:
    .word 0
    .long 0
cmdline:
    .long 0
magic:
    .ascii "FAKEKERNEL:"
noscript_msg:
    .asciz "fake kernel: no FAKEKERNEL: script in the initramfs\n"
