// A store through NULL: the program must be killed by SIGSEGV (the tool's
// exit code 139) after what it printed before is out.
#include <stdio.h>

int main(void)
{
    printf("before the fault\n");
    fflush(stdout);
    volatile int *p = NULL;
    *p = 1;
    printf("after the fault\n");
    return 0;
}
