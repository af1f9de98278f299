#pragma once
// Finding the program a person named and deciding whether Elfin can run it,
// with loader::parse_elf (the same validator the kernel uses).
#include "loader/elf_parse.h"
#include "tools/expected.h"
#include <cstdint>
#include <string>
#include <string_view>

namespace elfin {

struct Program {
    std::string given;      // as typed: becomes argv[0]
    std::string host_path;  // the file read (after the $PATH search)
    std::string guest_path; // absolute, normalised: where it goes in the image
    std::string interp;     // PT_INTERP; empty for a static program
    loader::ElfInfo elf {};
};

// Why `bytes` (the contents of `name`) cannot run, as one line naming the file
// and saying what to do; empty when Elfin can load it. A dynamic program must
// name the x86-64 glibc or musl loader.
std::string program_refusal(std::string_view name, std::string_view bytes, loader::ElfInfo& info);

// Whether PT_INTERP names a loader Elfin runs (x86-64 glibc's or musl's).
bool is_known_loader(std::string_view interp);

// `given` with a '/' is a path (relative to `cwd`); a bare name is looked up
// in `path_var` like a shell does.
Expected<std::string> locate_program(std::string_view given, std::string_view cwd, std::string_view path_var);

// Why `path` cannot be read as a program file ("no such file", "is a
// directory", ...), or empty.
std::string file_problem(const std::string& path);

// Locates, reads and validates. `contents` receives the file's bytes.
Expected<Program> load_program(std::string_view given, std::string_view cwd, std::string_view path_var,
    std::string& contents);

// One paragraph about a program for `elfin check -v`.
std::string describe_program(const Program& p, uint64_t size);

} // namespace elfin
