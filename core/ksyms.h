#pragma once
#include "core/types.h"

namespace core {
// The function containing addr and the offset into it, from the symbol table
// embedded at link time; nullptr if unknown.
const char* symbolize(u64 addr, u64* offset);
} // namespace core
