    .section .ksyms, "a"
    .quad 0
