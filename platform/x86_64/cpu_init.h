#pragma once
#include "core/types.h"
namespace x86 {
void cpu_init();
// Tells user mode which CPU it runs on (rdtscp/rdpid read IA32_TSC_AUX, as
// on Linux: node << 12 | cpu). Each CPU calls it once with its own number.
void set_cpu_number(u32 cpu);
}
