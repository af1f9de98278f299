#pragma once
namespace x86 {
void cpu_init();
}
