// System calls the kernel lacks: -1 with ENOSYS, and the program keeps
// running. 400 is no Linux x86-64 syscall; tuxcall (184) is one Linux lists
// but never implemented, so both fail with ENOSYS natively too.
#include "check.h"

int main(void)
{
    CHECK_ERR(syscall(400), ENOSYS);
    CHECK_ERR(syscall(SYS_tuxcall), ENOSYS);
    CHECK_ERR(syscall(SYS_tuxcall), ENOSYS);         // reported once, fails every time
    CHECK_ERR(syscall(100000), ENOSYS);
    CHECK_ERR(syscall(-1L), ENOSYS);
    CHECK(getpid() > 0);                              // still alive and working
    return check_report("enosys");
}
