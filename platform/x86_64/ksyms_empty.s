    .section .ksyms, "a"
    .quad 0

    .section .note.GNU-stack, "", @progbits
