/* The linked vDSO (loader/vdso/vdso.cmake), embedded in the kernel. The loader
 * maps these pages into every program (loader/vdso.cpp). */
    .section .rodata.vdso, "a"
    .balign 4096
    .globl vdso_image_start, vdso_image_end
vdso_image_start:
    .incbin ELFIN_VDSO_IMAGE
vdso_image_end:
    .balign 4096
    .section .note.GNU-stack, "", @progbits
