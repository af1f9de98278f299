#include "tools/check.h"

#include "syscall_names.h"
#include "tools/cpio.h"
#include "tools/dynamic.h"
#include "tools/file_util.h"
#include "tools/program.h"
#include <algorithm>
#include <cstdio>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>

namespace elfin {

namespace {

std::string base_name(const std::string& path)
{
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

const char* status_word(SyscallStatus s)
{
    switch (s) {
    case SyscallStatus::Real: return "implemented";
    case SyscallStatus::Fake: return "faked";
    default: return "missing";
    }
}

const char* status_json(SyscallStatus s)
{
    switch (s) {
    case SyscallStatus::Real: return "real";
    case SyscallStatus::Fake: return "fake";
    default: return "missing";
    }
}

std::string plural(unsigned n, const char* one, const char* many)
{
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string join_names(const std::set<std::string>& files)
{
    std::vector<std::string> names;
    for (auto& f : files) names.push_back(base_name(f));
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    std::string s;
    for (auto& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
}

std::string json_string(const std::string& s)
{
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
        else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else out += static_cast<char>(c);
    }
    return out + "\"";
}

} // namespace

Expected<FileScan> scan_elf(const std::string& path, std::span<const uint8_t> bytes)
{
    if (elf_version(EV_CURRENT) == EV_NONE) return Error { "libelf is unusable: " + std::string(elf_errmsg(-1)) };
    // libelf does not write through the pointer in ELF_C_READ mode.
    Elf* elf = elf_memory(const_cast<char*>(reinterpret_cast<const char*>(bytes.data())), bytes.size());
    if (!elf || elf_kind(elf) != ELF_K_ELF) {
        if (elf) elf_end(elf);
        return Error { path + ": not an ELF file" };
    }
    GElf_Ehdr eh;
    if (!gelf_getehdr(elf, &eh) || eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64) {
        elf_end(elf);
        return Error { path + ": not an x86-64 ELF file (Elfin runs x86-64 Linux programs)" };
    }
    FileScan scan;
    scan.path = path;
    auto sweep = [&](uint64_t offset, uint64_t size, uint64_t address) {
        if (offset > bytes.size() || size > bytes.size() - offset) return false;
        auto found = scan_code(bytes.subspan(offset, size), address);
        scan.sites.insert(scan.sites.end(), found.begin(), found.end());
        scan.code_bytes += size;
        return true;
    };
    bool any_section = false;
    for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf, scn));) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_EXECINSTR) || !sh.sh_size) continue;
        if (!sweep(sh.sh_offset, sh.sh_size, sh.sh_addr)) {
            elf_end(elf);
            return Error { path + ": an executable section lies outside the file (is it cut short?)" };
        }
        any_section = true;
    }
    if (!any_section) {
        // No section headers (stripped of them, or a hand-made file): the
        // executable segments hold the code.
        size_t n = 0;
        if (elf_getphdrnum(elf, &n) != 0) n = 0;
        for (size_t i = 0; i < n; i++) {
            GElf_Phdr ph;
            if (!gelf_getphdr(elf, static_cast<int>(i), &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X)) continue;
            if (!sweep(ph.p_offset, ph.p_filesz, ph.p_vaddr)) {
                elf_end(elf);
                return Error { path + ": an executable segment lies outside the file (is it cut short?)" };
            }
        }
    }
    elf_end(elf);
    return scan;
}

Expected<FileScan> scan_elf_file(const std::string& path)
{
    auto contents = ELFIN_TRY(read_file(path, path));
    return scan_elf(path, std::span(reinterpret_cast<const uint8_t*>(contents.data()), contents.size()));
}

SyscallUse describe_syscall(uint32_t nr)
{
    SyscallUse u;
    u.nr = nr;
    if (nr < sys::SYSCALL_TABLE_SIZE && sys::SYSCALL_NAMES[nr].name) {
        u.name = sys::SYSCALL_NAMES[nr].name;
        switch (sys::SYSCALL_NAMES[nr].status) {
        case sys::Status::Real: u.status = SyscallStatus::Real; break;
        case sys::Status::Fake: u.status = SyscallStatus::Fake; break;
        default: u.status = SyscallStatus::Missing; break;
        }
    } else {
        u.name = "nr " + std::to_string(nr);
        u.status = SyscallStatus::Missing;
    }
    return u;
}

unsigned CheckReport::count(SyscallStatus s) const
{
    unsigned n = 0;
    for (auto& [nr, u] : syscalls) n += u.status == s;
    return n;
}

CheckReport make_report(const std::string& program, std::vector<FileScan> files, std::vector<std::string> problems)
{
    CheckReport r;
    r.program = program;
    r.problems = std::move(problems);
    for (auto& f : files) {
        for (auto& s : f.sites) {
            if (s.kind == SiteKind::Int80) r.int80_by_file[f.path]++;
            else if (s.kind == SiteKind::Sysenter) r.sysenter_by_file[f.path]++;
            else if (!s.nr) r.unknown_by_file[f.path]++, r.unknown_sites++;
            else {
                auto it = r.syscalls.find(*s.nr);
                if (it == r.syscalls.end()) it = r.syscalls.emplace(*s.nr, describe_syscall(*s.nr)).first;
                it->second.files.insert(f.path);
                it->second.sites++;
            }
        }
    }
    for (auto* by : { &r.int80_by_file, &r.sysenter_by_file })
        for (auto& [path, n] : *by)
            r.problems.push_back(path + ": uses the 32-bit system call ABI (" + (by == &r.int80_by_file ? "int 0x80" : "sysenter")
                + ", " + plural(n, "place", "places") + "), which Elfin does not provide");
    r.files = std::move(files);
    return r;
}

Expected<CheckReport> check_program(const std::string& given, const std::string& host_path)
{
    auto contents = ELFIN_TRY(read_file(host_path, given));
    std::span bytes(reinterpret_cast<const uint8_t*>(contents.data()), contents.size());
    Program p;
    p.given = given;
    p.host_path = host_path;
    if (auto why = program_refusal(given, contents, p.elf); !why.empty()) return make_report(given, {}, { why });
    std::vector<std::string> problems;
    if (p.elf.interp_size) p.interp = loader::elf_interp(bytes.data(), p.elf);
    if (auto guest = normalize_guest_path(host_path)) p.guest_path = "/" + *guest;

    std::vector<FileScan> files;
    auto program = ELFIN_TRY(scan_elf(host_path, bytes));
    program.role = "program";
    files.push_back(std::move(program));
    if (!p.interp.empty()) {
        // The same file may come back as a library (libc needs ld-linux):
        // each file is scanned once, under the first name met.
        std::set<std::pair<dev_t, ino_t>> seen;
        auto first_time = [&](const std::string& path) {
            struct stat st;
            return stat(path.c_str(), &st) != 0 || seen.insert({ st.st_dev, st.st_ino }).second;
        };
        first_time(host_path);
        // The same search the image is packed with (RPATH/RUNPATH, ld.so.cache, default directories).
        auto config = host_search_config();
        std::map<std::string, std::string> provided;
        if (p.interp.find("ld-musl") != std::string::npos) provided["libc.so"] = p.interp;
        auto res = ELFIN_TRY(resolve_dependencies({ host_path }, config, provided));
        for (auto& m : res.missing) problems.push_back(missing_library_message(m, config));
        auto& libs = res.libraries;
        if (first_time(p.interp)) {
            auto loader = ELFIN_TRY(scan_elf_file(p.interp));
            loader.role = "loader";
            files.push_back(std::move(loader));
        }
        for (auto& lib : libs) {
            if (!first_time(lib)) continue;
            auto scan = ELFIN_TRY(scan_elf_file(lib));
            scan.role = "library";
            files.push_back(std::move(scan));
        }
    }
    auto r = make_report(given, std::move(files), std::move(problems));
    r.description = describe_program(p, contents.size());
    return r;
}

std::string format_report(const CheckReport& r, bool verbose)
{
    if (r.files.empty()) {
        // Not a program Elfin can even read (not ELF, not x86-64, a script):
        // nothing was scanned.
        std::string s;
        for (auto& p : r.problems) s += "elfin check: " + p + "\n";
        return s + r.program + ": Elfin cannot run it\n";
    }
    std::string s = "elfin check: " + r.program;
    if (r.files.size() > 1) s += " and " + plural(static_cast<unsigned>(r.files.size() - 1), "library", "libraries");
    s += ": " + std::to_string(r.syscalls.size()) + " syscalls found, " + std::to_string(r.count(SyscallStatus::Real))
        + " implemented, " + std::to_string(r.count(SyscallStatus::Fake)) + " faked, "
        + std::to_string(r.count(SyscallStatus::Missing)) + " missing\n";

    auto row = [](const SyscallUse& u, bool with_status) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "  %-24s %4u  ", u.name.c_str(), u.nr);
        std::string line = buf;
        if (with_status) {
            std::snprintf(buf, sizeof buf, "%-12s", status_word(u.status));
            line += buf;
        }
        return line + join_names(u.files) + "\n";
    };
    if (r.count(SyscallStatus::Missing)) {
        s += "missing (the program gets ENOSYS if it makes these calls):\n";
        for (auto& [nr, u] : r.syscalls)
            if (u.status == SyscallStatus::Missing) s += row(u, false);
    }
    if (verbose) {
        s += "faked (they succeed without doing what Linux does):\n";
        for (auto& [nr, u] : r.syscalls)
            if (u.status == SyscallStatus::Fake) s += row(u, false);
        s += "every syscall found:\n";
        for (auto& [nr, u] : r.syscalls) s += row(u, true);
        s += "files scanned:\n";
        for (auto& f : r.files) {
            auto unknown = r.unknown_by_file.find(f.path);
            s += "  " + f.path + " (" + f.role + "): " + std::to_string(f.code_bytes) + " bytes of code, "
                + plural(static_cast<unsigned>(f.sites.size()), "syscall site", "syscall sites") + ", "
                + std::to_string(unknown == r.unknown_by_file.end() ? 0 : unknown->second) + " with a number known only at run time\n";
        }
        if (!r.description.empty()) s += r.description + "\n";
    }
    if (r.unknown_sites) {
        s += "also " + plural(r.unknown_sites, "syscall site takes its", "syscall sites take their")
            + " number at run time (e.g. libc's syscall()): not counted above";
        if (!verbose) {
            std::string where;
            for (auto& [path, n] : r.unknown_by_file) where += (where.empty() ? "" : ", ") + base_name(path) + " " + std::to_string(n);
            s += " (" + where + ")";
        }
        s += "\n";
    }
    for (auto& p : r.problems) s += "cannot run: " + p + "\n";
    if (!r.runnable()) s += r.program + ": Elfin cannot run it\n";
    else if (unsigned m = r.count(SyscallStatus::Missing))
        s += r.program + ": Elfin can load it, but " + plural(m, "syscall it may make is", "syscalls it may make are")
            + " missing\n";
    else s += r.program + ": Elfin can run it\n";
    return s;
}

std::string format_report_json(const CheckReport& r)
{
    std::string s = "{\n  \"program\": " + json_string(r.program) + ",\n";
    s += "  \"runnable\": " + std::string(r.runnable() ? "true" : "false") + ",\n";
    s += "  \"exit_status\": " + std::to_string(r.exit_status()) + ",\n";
    s += "  \"problems\": [";
    for (size_t i = 0; i < r.problems.size(); i++) s += (i ? ", " : "") + json_string(r.problems[i]);
    s += "],\n  \"summary\": { \"syscalls\": " + std::to_string(r.syscalls.size())
        + ", \"implemented\": " + std::to_string(r.count(SyscallStatus::Real))
        + ", \"faked\": " + std::to_string(r.count(SyscallStatus::Fake))
        + ", \"missing\": " + std::to_string(r.count(SyscallStatus::Missing))
        + ", \"unknown_sites\": " + std::to_string(r.unknown_sites) + " },\n";
    s += "  \"files\": [\n";
    for (size_t i = 0; i < r.files.size(); i++) {
        auto& f = r.files[i];
        auto get = [&](const std::map<std::string, unsigned>& m) {
            auto it = m.find(f.path);
            return std::to_string(it == m.end() ? 0 : it->second);
        };
        s += "    { \"path\": " + json_string(f.path) + ", \"role\": " + json_string(f.role)
            + ", \"code_bytes\": " + std::to_string(f.code_bytes) + ", \"sites\": " + std::to_string(f.sites.size())
            + ", \"unknown_sites\": " + get(r.unknown_by_file) + ", \"int80_sites\": " + get(r.int80_by_file)
            + ", \"sysenter_sites\": " + get(r.sysenter_by_file) + " }" + (i + 1 < r.files.size() ? "," : "") + "\n";
    }
    s += "  ],\n  \"syscalls\": [\n";
    size_t i = 0;
    for (auto& [nr, u] : r.syscalls) {
        s += "    { \"nr\": " + std::to_string(nr) + ", \"name\": " + json_string(u.name) + ", \"status\": "
            + json_string(status_json(u.status)) + ", \"sites\": " + std::to_string(u.sites) + ", \"files\": [";
        size_t j = 0;
        for (auto& f : u.files) s += (j++ ? ", " : "") + json_string(f);
        s += "] }" + std::string(++i < r.syscalls.size() ? "," : "") + "\n";
    }
    s += "  ]\n}\n";
    return s;
}

} // namespace elfin
