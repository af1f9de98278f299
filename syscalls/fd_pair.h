#pragma once
// The two descriptors of pipe2 and socketpair.
#include "core/ref.h"
#include "fs/open_file.h"
#include "syscalls/syscall.h"

namespace sys {

// Installs both files (close-on-exec with `cloexec`) and writes their
// descriptors to the program's int[2] at `out`; on any failure, neither
// descriptor stays.
Ret install_pair(core::Ref<fs::OpenFile> a, core::Ref<fs::OpenFile> b, bool cloexec, u64 out);

} // namespace sys
