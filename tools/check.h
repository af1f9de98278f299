#pragma once
// `elfin check`: whether Elfin can run a program, from the files alone. Finds
// every system call instruction in the program and its shared libraries and
// says, per syscall number, whether the kernel implements it (the status
// column of syscalls/syscall_64.tbl).
#include "tools/expected.h"
#include "tools/syscall_scan.h"
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace elfin {

// The system calls in one ELF file.
struct FileScan {
    std::string path;
    std::string role;          // "program", "loader" or "library"
    uint64_t code_bytes = 0;   // bytes decoded
    std::vector<SyscallSite> sites;
};

// Scans the executable sections of an ELF file (its PF_X PT_LOAD segments when
// it has no section headers). `bytes` is the file's contents; errors name `path`.
Expected<FileScan> scan_elf(const std::string& path, std::span<const uint8_t> bytes);
Expected<FileScan> scan_elf_file(const std::string& path);

enum class SyscallStatus : uint8_t { Real, Fake, Missing };

struct SyscallUse {
    uint32_t nr = 0;
    std::string name;          // "nr 1234" when Linux x86-64 has no such number in our table
    SyscallStatus status = SyscallStatus::Missing;
    std::set<std::string> files;
    unsigned sites = 0;
};

struct CheckReport {
    std::string program;       // as the person wrote it
    std::vector<FileScan> files; // the program first
    std::vector<std::string> problems; // why it cannot run at all (one line each)
    std::map<uint32_t, SyscallUse> syscalls;
    unsigned unknown_sites = 0;          // `syscall` with a number not known here
    std::map<std::string, unsigned> unknown_by_file;
    std::map<std::string, unsigned> int80_by_file, sysenter_by_file;
    std::string description;   // describe_program's paragraph (for -v)

    unsigned count(SyscallStatus s) const;
    bool runnable() const { return problems.empty(); }
    int exit_status() const { return runnable() && count(SyscallStatus::Missing) == 0 ? 0 : 1; }
};

// Gathers the scans into a report (the syscall table gives names and status);
// int 0x80 and sysenter sites become problems.
CheckReport make_report(const std::string& program, std::vector<FileScan> files, std::vector<std::string> problems);

// Reads the program (`given` as located by locate_program), and scans it, its
// loader and every library it needs. A file Elfin cannot load at all gives a
// report with a problem and no syscalls.
Expected<CheckReport> check_program(const std::string& given, const std::string& host_path);

// The name and status of a syscall number in Elfin's table.
SyscallUse describe_syscall(uint32_t nr);

// "elfin check: PROG and N libraries: …" then the missing syscalls; with
// `verbose` every syscall and every file.
std::string format_report(const CheckReport& r, bool verbose);
std::string format_report_json(const CheckReport& r);

} // namespace elfin
