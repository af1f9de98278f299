#pragma once
// Maps an ELF (and its interpreter, for dynamic programs) into the program's
// address space and builds the initial stack (argv, envp, auxv) per the
// x86-64 SysV ABI.
#include "core/ref.h"
#include "core/types.h"
#include "core/result.h"
#include "mm/backing.h"

namespace loader {

struct ExecImage {
    const u8* data;              // the whole file, for the headers
    size_t size;
    core::Ref<mm::Backing> file; // where the segments' pages come from
    const char* path;            // as the program sees it (AT_EXECFN, /proc/self/exe)
};

struct ExecArgs {
    const char* const* argv; // NULL-terminated
    const char* const* envp; // NULL-terminated
    bool aslr;
};

struct ExecResult {
    u64 entry; // where to start: the interpreter's entry when there is one
    u64 stack; // initial rsp
};

// Loads `image`; a dynamic program's interpreter (PT_INTERP) is looked up in
// the file system and loaded too. ENOEXEC (or ENOENT for a missing
// interpreter) with *refusal set to a reason a person can act on.
Result<ExecResult> exec(const ExecImage& image, const ExecArgs& args, const char** refusal);

} // namespace loader
