/* The program every column boots: print one line, exit 0. Built twice by
 * scripts/bench: -static -O2 (hello) and as a glibc-dynamic PIE (hello-dyn). */
#include <unistd.h>

int main(void)
{
	static const char msg[] = "hello from elfin bench\n";
	return write(1, msg, sizeof msg - 1) == (ssize_t)(sizeof msg - 1) ? 0 : 1;
}
