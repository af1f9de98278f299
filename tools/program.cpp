#include "tools/program.h"

#include "tools/cpio.h"
#include "tools/file_util.h"
#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace elfin {

bool is_known_loader(std::string_view interp)
{
    auto slash = interp.rfind('/');
    auto base = slash == std::string_view::npos ? interp : interp.substr(slash + 1);
    return interp.starts_with("/") && (base == "ld-linux-x86-64.so.2" || base == "ld-musl-x86_64.so.1");
}

std::string program_refusal(std::string_view name, std::string_view bytes, loader::ElfInfo& info)
{
    std::string who = std::string(name) + ": ";
    if (bytes.empty()) return who + "the file is empty, not a program";
    if (bytes.starts_with("#!")) {
        auto line = bytes.substr(2, bytes.find('\n') == std::string_view::npos ? bytes.size() - 2 : bytes.find('\n') - 2);
        while (!line.empty() && line[0] == ' ') line.remove_prefix(1);
        auto interp = line.substr(0, line.find(' '));
        return who + "a script (#!" + std::string(line) + "), not an ELF program: run its interpreter instead, e.g. elfin run "
            + std::string(interp.empty() ? "/bin/busybox sh" : interp) + " " + std::string(name);
    }
    const char* why = loader::parse_elf(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), info);
    if (why) {
        std::string reason = why;
        if (reason == "not an ELF file") reason += " (Elfin runs x86-64 Linux ELF programs)";
        else if (reason.find("truncated") != std::string::npos && reason.find("truncated?") == std::string::npos)
            reason += " (the file is cut short)";
        return who + reason;
    }
    if (info.interp_size) {
        std::string interp = loader::elf_interp(reinterpret_cast<const uint8_t*>(bytes.data()), info);
        if (!is_known_loader(interp))
            return who + "its loader (PT_INTERP) is " + interp
                + ", not the x86-64 glibc (/lib64/ld-linux-x86-64.so.2) or musl (/lib/ld-musl-x86_64.so.1) loader Elfin runs: rebuild it for x86-64 Linux with glibc or musl";
    }
    return {};
}

std::string file_problem(const std::string& path)
{
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
        int e = errno;
        if (e == ENOENT) {
            struct stat lst;
            if (lstat(path.c_str(), &lst) == 0) return "a symlink to a file that does not exist";
            return "no such file";
        }
        if (e == EACCES) return "permission denied (a directory on the way cannot be searched)";
        if (e == ENOTDIR) return "no such file (a part of the path is not a directory)";
        return std::strerror(e);
    }
    if (S_ISDIR(st.st_mode)) return "is a directory, not a program";
    if (!S_ISREG(st.st_mode)) return "not a regular file";
    if (access(path.c_str(), R_OK) != 0) return "permission denied: elfin cannot read it (check its mode)";
    return {};
}

Expected<std::string> locate_program(std::string_view given, std::string_view cwd, std::string_view path_var)
{
    if (given.find('/') != std::string_view::npos) {
        std::string path = given[0] == '/' ? std::string(given) : std::string(cwd) + "/" + std::string(given);
        if (auto p = file_problem(path); !p.empty()) return Error { std::string(given) + ": " + p };
        return path;
    }
    size_t i = 0;
    while (i <= path_var.size()) {
        size_t j = path_var.find(':', i);
        if (j == std::string_view::npos) j = path_var.size();
        std::string dir(path_var.substr(i, j - i));
        if (dir.empty()) dir = ".";
        if (dir[0] != '/') dir = std::string(cwd) + "/" + dir;
        std::string cand = dir + "/" + std::string(given);
        struct stat st;
        if (stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(cand.c_str(), X_OK) == 0) return cand;
        i = j + 1;
    }
    std::string msg = std::string(given) + ": not found in $PATH";
    struct stat st;
    if (stat((std::string(cwd) + "/" + std::string(given)).c_str(), &st) == 0)
        msg += " (to run the file in this directory, write ./" + std::string(given) + ")";
    return Error { msg };
}

Expected<Program> load_program(std::string_view given, std::string_view cwd, std::string_view path_var,
    std::string& contents)
{
    Program p;
    p.given = given;
    p.host_path = ELFIN_TRY(locate_program(given, cwd, path_var));
    p.guest_path = "/" + ELFIN_TRY(normalize_guest_path(p.host_path));
    contents = ELFIN_TRY(read_file(p.host_path, std::string(given)));
    if (auto why = program_refusal(given, contents, p.elf); !why.empty()) return Error { why };
    if (p.elf.interp_size)
        p.interp = loader::elf_interp(reinterpret_cast<const uint8_t*>(contents.data()), p.elf);
    return p;
}

std::string describe_program(const Program& p, uint64_t size)
{
    char entry[32];
    std::snprintf(entry, sizeof entry, "%#llx", static_cast<unsigned long long>(p.elf.entry));
    std::string s = p.host_path + ": x86-64 ELF, " + std::to_string(size) + " bytes, ";
    s += p.interp.empty() ? (p.elf.is_pie ? "static PIE" : "static") : "dynamically linked (loader " + p.interp + ")";
    s += ", entry " + std::string(entry) + ", " + std::to_string(p.elf.nsegments) + " loadable segments";
    if (p.elf.has_tls) s += ", TLS";
    if (p.elf.stack_flags & 1) s += ", executable stack";
    s += "\n  in the image at " + p.guest_path;
    return s;
}

} // namespace elfin
