#pragma once
// Maps the vDSO (loader/vdso/) into the program: the read-only vvar page
// (core/vvar.h) then the vDSO's text right above it, in the mmap area (so at
// a random address unless ASLR is off), as [vvar] and [vdso].
#include "core/result.h"
#include "core/types.h"

namespace loader {

// Returns the vDSO's address: AT_SYSINFO_EHDR.
Result<u64> map_vdso();

} // namespace loader
