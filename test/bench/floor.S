/*
 * The floor: the least a PVH kernel can do. QEMU enters at `floor_entry` in
 * 32-bit protected mode (paging off) through the Xen PVH note below; the
 * kernel writes 0 to isa-debug-exit (port 0xf4) and QEMU exits with status
 * (0 << 1) | 1 = 1. Anything Elfin takes beyond this is Elfin's own cost.
 */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4                  /* namesz: "Xen\0" */
	.long 4                  /* descsz: a 32-bit physical address */
	.long 18                 /* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.balign 4
	.long floor_entry
	.balign 4

	.section .text
	.code32
	.globl floor_entry
floor_entry:
	xorl %eax, %eax
	movw $0xf4, %dx
	outl %eax, %dx
1:	hlt                      /* not reached: QEMU exits on the write */
	jmp 1b
