#pragma once
// What a dynamically linked program loads without naming it in DT_NEEDED, so
// the image holds it too: glibc's dlopen'ed pieces (NSS modules, gconv
// charset converters) and an interpreter's own library trees (Python's
// standard library, Perl's @INC). Found from the files and the host's layout,
// never by running anything.
#include "tools/packing.h"
#include <string>
#include <string_view>
#include <vector>

namespace elfin {

struct RuntimeTree {
    std::string dir;      // host directory, absolute
    std::string what;     // for the progress note: "Python 3.11's standard library"
    TreeFilter skip;      // empty: everything
};

struct RuntimeFiles {
    std::vector<std::string> files;  // host files (libraries: their dependencies follow)
    std::vector<RuntimeTree> trees;
    std::vector<std::string> what;   // one phrase per piece, for the progress note
};

// glibc's NSS modules and gconv configuration and common converters beside
// `libc` (the host path of the libc.so.6 the program uses).
RuntimeFiles glibc_runtime_files(const std::string& libc);

// "3.11" from a Python binary's name ("python3.11", "python3.11d"), or "".
std::string python_version_from_name(std::string_view name);

// Whether a path inside Python's standard library is left out: test suites,
// idlelib, tkinter, turtledemo, ensurepip, lib2to3, static libraries.
bool python_skip(const std::string& rel, bool is_dir);

// From the strings of a Perl binary or libperl: its @INC directories ("/etc/perl",
// "/usr/share/perl/5.36", ...), in order, each once. Pure.
std::vector<std::string> perl_inc_from_strings(std::string_view bytes);

// Whether a path inside a Perl @INC tree is left out: .pod documentation and
// CORE (headers and the static library, for building XS modules).
bool perl_skip(const std::string& rel, bool is_dir);

// The interpreter trees for the program at `real_path` (symlinks resolved)
// that needs `libraries`.
RuntimeFiles interpreter_runtime_files(const std::string& real_path, const std::vector<std::string>& libraries);

} // namespace elfin
