// The smallest end-to-end check: one line on stdout, exit status 0. Built both
// as a static ET_EXEC and as a static PIE.
#include <stdio.h>

int main(void)
{
    puts("Hello from Elfin");
    return 0;
}
