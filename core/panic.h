#pragma once
#include "platform/x86_64/trap.h"

namespace core {
[[noreturn]] void panic_with_frame(const x86::TrapFrame& f, const char* what);
}
