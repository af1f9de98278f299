#pragma once
#include "core/types.h"

namespace serial {
void init();
void write(const char* s, size_t n);        // COM1: the console, the program's stdout
// COM2, when the host keeps the program's stderr apart from its stdout
// (`stderr-com2` on the command line); otherwise the same as write().
void init_err_port();
void write_err(const char* s, size_t n);
bool has_input();
int read_byte(); // -1 when nothing is waiting
// QEMU's isa-debugcon (port 0xe9): the status channel to the host tool.
void debugcon_write(const char* s, size_t n);
} // namespace serial
