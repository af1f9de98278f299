#pragma once
#include "core/types.h"

namespace serial {
void init();
void write(const char* s, size_t n);
bool has_input();
int read_byte(); // -1 when nothing is waiting
// QEMU's isa-debugcon (port 0xe9): the status channel to the host tool.
void debugcon_write(const char* s, size_t n);
} // namespace serial
