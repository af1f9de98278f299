#pragma once
#include "core/types.h"
namespace x86 {
// The boot CPU: finds the features (g_features) and sets the control
// registers and XCR0 for them.
void cpu_init();
// Every other CPU: the same control registers and XCR0 as the boot CPU's.
void cpu_init_ap();
// Tells user mode which CPU it runs on (rdtscp/rdpid read IA32_TSC_AUX, as
// on Linux: node << 12 | cpu). Each CPU calls it once with its own number.
void set_cpu_number(u32 cpu);
}
