// Exit status propagation: stdio is flushed, atexit handlers run, and the
// status returned from main is the program's exit code.
#include <stdio.h>
#include <stdlib.h>

static void at_exit(void) { puts("atexit ran"); }

int main(void)
{
    atexit(at_exit);
    printf("exiting with 42\n");
    return 42;
}
