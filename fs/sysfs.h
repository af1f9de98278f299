#pragma once
// /sys: the few files programs read to learn the machine's shape (glibc's
// sysconf(_SC_NPROCESSORS_ONLN) reads /sys/devices/system/cpu/online). One
// CPU for now. Read-only, like /proc (EACCES on create).
#include "fs/errno_guard.h"
#include "fs/ramfs.h"

namespace fs {

// Builds /sys in `root`.
ErrorOr mount_sys(Directory& root);

} // namespace fs
