#pragma once
// Maps a parsed ELF into the program's address space and builds the initial
// stack (argv, envp, auxv) per the x86-64 SysV ABI.
#include "core/types.h"
#include "core/result.h"

namespace loader {

struct ExecImage {
    const u8* data;        // the file's bytes, kept alive by the in-image fs
    size_t size;
    const char* path;      // as the program will see it (AT_EXECFN, /proc/self/exe)
};

struct ExecArgs {
    const char* const* argv; // NULL-terminated
    const char* const* envp; // NULL-terminated
    bool aslr;
};

struct ExecResult {
    u64 entry;   // where to start (the interpreter's entry when there is one)
    u64 stack;   // initial rsp
    const char* error; // a refusal reason when the Result is ENOEXEC
};

// ENOEXEC with result.error set for a file the loader refuses.
Result<ExecResult> exec(const ExecImage& image, const ExecArgs& args, const char** refusal);

} // namespace loader
