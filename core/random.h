#pragma once
#include "core/types.h"

namespace core {
// A ChaCha20 stream keyed at boot from RDSEED/RDRAND when the CPU has them,
// mixed with TSC jitter and the RTC. Serves getrandom, /dev/urandom, AT_RANDOM, ASLR.
void random_init();
void random_bytes(void* out, size_t n);
u64 random_u64();
} // namespace core
