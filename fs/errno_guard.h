// No #pragma once: included first by every fs/ header, and again is harmless.
//
// libstdc++'s <atomic> (used by core/ref.h) pulls in <cerrno>, whose E* macros
// would turn core::Errno's enumerators into numbers. core/errno.h includes it
// and drops the macros before any other core header is read; this header only
// keeps that order for fs/ files.
#include "core/errno.h"
