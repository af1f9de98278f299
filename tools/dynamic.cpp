#include "tools/dynamic.h"

#include "tools/file_util.h"
#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace elfin {

namespace {

// ld.so's built-in directories on Debian x86-64 (no /etc/ld.so.cache in the image).
constexpr const char* SYSTEM_DIRS[] = { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib" };

std::vector<std::string> split_path_list(const std::string& s, const std::string& origin)
{
    std::vector<std::string> out;
    size_t i = 0;
    while (i <= s.size()) {
        size_t j = s.find(':', i);
        if (j == std::string::npos) j = s.size();
        std::string d = s.substr(i, j - i);
        for (auto tok : { "$ORIGIN", "${ORIGIN}" })
            for (size_t p; (p = d.find(tok)) != std::string::npos;) d.replace(p, std::string(tok).size(), origin);
        if (!d.empty()) out.push_back(d);
        i = j + 1;
    }
    return out;
}

bool is_file(const std::string& p)
{
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

} // namespace

Expected<DynamicDeps> read_dynamic_deps(const std::string& path)
{
    if (elf_version(EV_CURRENT) == EV_NONE) return Error { "libelf is unusable: " + std::string(elf_errmsg(-1)) };
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error { path + ": cannot open it: " + error_text(errno) };
    Elf* elf = elf_begin(fd, ELF_C_READ, nullptr);
    DynamicDeps deps;
    std::string origin = path.substr(0, path.rfind('/'));
    Elf_Scn* scn = nullptr;
    while (elf && (scn = elf_nextscn(elf, scn))) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC) continue;
        Elf_Data* data = elf_getdata(scn, nullptr);
        if (!data || !sh.sh_entsize) continue;
        for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
            GElf_Dyn dyn;
            if (!gelf_getdyn(data, static_cast<int>(i), &dyn)) break;
            if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RUNPATH && dyn.d_tag != DT_RPATH) continue;
            const char* s = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
            if (!s) continue;
            if (dyn.d_tag == DT_NEEDED) deps.needed.emplace_back(s);
            else for (auto& d : split_path_list(s, origin)) deps.runpath.push_back(d);
        }
    }
    if (elf) elf_end(elf);
    close(fd);
    return deps;
}

Expected<std::vector<std::string>> resolve_libraries(const std::string& program)
{
    std::vector<std::string> found, queue { program };
    std::set<std::string> seen_names;
    while (!queue.empty()) {
        auto file = queue.back();
        queue.pop_back();
        auto deps = ELFIN_TRY(read_dynamic_deps(file));
        for (auto& name : deps.needed) {
            if (!seen_names.insert(name).second) continue;
            std::string hit;
            if (name.find('/') != std::string::npos) {
                if (is_file(name)) hit = name;
            } else {
                std::vector<std::string> dirs = deps.runpath;
                dirs.insert(dirs.end(), std::begin(SYSTEM_DIRS), std::end(SYSTEM_DIRS));
                for (auto& d : dirs)
                    if (is_file(d + "/" + name)) {
                        hit = d + "/" + name;
                        break;
                    }
            }
            if (hit.empty()) return Error { program + " needs the library " + name + ", which is not installed here" };
            found.push_back(hit);
            queue.push_back(hit);
        }
    }
    return found;
}

} // namespace elfin
