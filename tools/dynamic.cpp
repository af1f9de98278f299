#include "tools/dynamic.h"

#include "tools/file_util.h"
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace elfin {

namespace {

// ld.so's built-in directories on Debian x86-64 (`ld.so --help` lists them).
constexpr const char* SYSTEM_DIRS[] = { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib" };

std::vector<std::string> split_path_list(const std::string& s, const std::string& origin)
{
    std::vector<std::string> out;
    size_t i = 0;
    while (i <= s.size()) {
        size_t j = s.find(':', i);
        if (j == std::string::npos) j = s.size();
        std::string d = s.substr(i, j - i);
        for (auto tok : { "${ORIGIN}", "$ORIGIN" })
            for (size_t p; (p = d.find(tok)) != std::string::npos;) d.replace(p, std::string(tok).size(), origin);
        // ld.so expands $LIB and $PLATFORM too; on Debian x86-64 these are the multiarch names.
        for (auto [tok, val] : { std::pair { "${LIB}", "lib/x86_64-linux-gnu" }, { "$LIB", "lib/x86_64-linux-gnu" },
                 { "${PLATFORM}", "x86_64" }, { "$PLATFORM", "x86_64" } })
            for (size_t p; (p = d.find(tok)) != std::string::npos;) d.replace(p, std::strlen(tok), val);
        while (d.size() > 1 && d.back() == '/') d.pop_back();
        if (!d.empty()) out.push_back(d);
        i = j + 1;
    }
    return out;
}

std::string join(const std::vector<std::string>& v, const char* sep)
{
    std::string s;
    for (auto& x : v) s += (s.empty() ? "" : sep) + x;
    return s;
}

} // namespace

bool is_x86_64_elf(const std::string& path)
{
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    unsigned char h[20];
    bool ok = pread(fd, h, sizeof h, 0) == static_cast<ssize_t>(sizeof h);
    close(fd);
    return ok && std::memcmp(h, "\x7f" "ELF", 4) == 0 && h[4] == ELFCLASS64 && h[5] == ELFDATA2LSB && h[18] == EM_X86_64 && h[19] == 0;
}

Expected<DynamicDeps> read_dynamic_deps(const std::string& path)
{
    if (elf_version(EV_CURRENT) == EV_NONE) return Error { "libelf is unusable: " + std::string(elf_errmsg(-1)) };
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error { path + ": cannot read it: " + error_text(errno) };
    Elf* elf = elf_begin(fd, ELF_C_READ, nullptr);
    DynamicDeps deps;
    std::string origin = path.substr(0, path.rfind('/'));
    if (origin.empty()) origin = "/";
    Elf_Scn* scn = nullptr;
    while (elf && (scn = elf_nextscn(elf, scn))) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC) continue;
        Elf_Data* data = elf_getdata(scn, nullptr);
        if (!data || !sh.sh_entsize) continue;
        for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
            GElf_Dyn dyn;
            if (!gelf_getdyn(data, static_cast<int>(i), &dyn)) break;
            if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RUNPATH && dyn.d_tag != DT_RPATH && dyn.d_tag != DT_SONAME) continue;
            const char* s = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
            if (!s) continue;
            if (dyn.d_tag == DT_NEEDED) deps.needed.emplace_back(s);
            else if (dyn.d_tag == DT_SONAME) deps.soname = s;
            else for (auto& d : split_path_list(s, origin)) (dyn.d_tag == DT_RUNPATH ? deps.runpath : deps.rpath).push_back(d);
        }
    }
    if (elf) elf_end(elf);
    close(fd);
    return deps;
}

SearchConfig host_search_config()
{
    SearchConfig c;
    c.default_dirs.assign(std::begin(SYSTEM_DIRS), std::end(SYSTEM_DIRS));
    if (auto bytes = read_file("/etc/ld.so.cache", "/etc/ld.so.cache")) {
        std::span span(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
        if (auto cache = parse_ld_cache(span)) c.cache = std::move(*cache);
    }
    return c;
}

std::vector<std::string> library_candidates(std::string_view name, const SearchScope& scope, const SearchConfig& config)
{
    if (name.find('/') != std::string_view::npos) return { std::string(name) };
    std::vector<std::string> out;
    auto in = [&](const std::vector<std::string>& dirs) {
        for (auto& d : dirs) out.push_back((d == "/" ? "" : d) + "/" + std::string(name));
    };
    if (!scope.has_runpath)
        for (auto& r : scope.rpath_chain) in(r);
    in(config.library_path);
    in(scope.runpath);
    for (auto& e : config.cache)
        if (e.name == name && e.flags == LD_CACHE_X86_64) out.push_back(e.path); // hwcaps variants too: ld.so may pick one
    in(config.default_dirs);
    return out;
}

Expected<Resolution> resolve_dependencies(const std::vector<std::string>& roots, const SearchConfig& config,
    const std::map<std::string, std::string>& provided)
{
    Resolution r;
    std::set<std::string> names_done; // sonames found (or given)
    for (auto& [name, path] : provided) names_done.insert(name);
    std::set<std::string> paths_done;
    std::set<std::pair<std::string, std::string>> missing_seen; // (object, name)
    struct Work {
        std::string path, root;
        std::vector<std::vector<std::string>> rpath_chain;
    };
    for (auto& root : roots) {
        // Breadth first, in DT_NEEDED order, as ld.so loads them.
        std::deque<Work> queue { { root, root, {} } };
        while (!queue.empty()) {
            Work w = std::move(queue.front());
            queue.pop_front();
            auto deps = ELFIN_TRY(read_dynamic_deps(w.path));
            SearchScope scope;
            scope.rpath_chain.push_back(deps.rpath);
            scope.rpath_chain.insert(scope.rpath_chain.end(), w.rpath_chain.begin(), w.rpath_chain.end());
            scope.runpath = deps.runpath;
            scope.has_runpath = !deps.runpath.empty();
            for (auto& name : deps.needed) {
                if (names_done.count(name)) continue;
                std::string hit;
                std::vector<std::string> also; // other x86-64 variants ld.so might choose (glibc-hwcaps)
                for (auto& cand : library_candidates(name, scope, config)) {
                    if (!is_x86_64_elf(cand)) continue; // ld.so skips files of another kind and searches on
                    if (hit.empty()) hit = cand;
                    else if (cand.find("/glibc-hwcaps/") != std::string::npos) also.push_back(cand);
                }
                if (hit.empty()) {
                    std::vector<std::string> searched;
                    for (auto& v : scope.rpath_chain) searched.insert(searched.end(), v.begin(), v.end());
                    searched.insert(searched.end(), scope.runpath.begin(), scope.runpath.end());
                    // Not marked done: another object's RPATH/RUNPATH may hold it.
                    if (missing_seen.insert({ w.path, name }).second) r.missing.push_back({ w.path, w.root, name, searched });
                    continue;
                }
                names_done.insert(name);
                also.insert(also.begin(), hit);
                for (auto& lib : also) {
                    if (!paths_done.insert(lib).second) continue;
                    r.libraries.push_back(lib);
                    queue.push_back({ lib, w.root, scope.rpath_chain });
                }
            }
        }
    }
    return r;
}

std::string missing_library_message(const MissingLibrary& m, const SearchConfig& config)
{
    std::string s = m.root + " needs " + m.name;
    if (m.needed_by != m.root) s += " (through " + m.needed_by + ")";
    s += ", which is not in ";
    if (!m.runpath.empty()) s += "its RUNPATH/RPATH (" + join(m.runpath, ", ") + "), ";
    s += config.cache.empty() ? "" : "ld.so.cache or ";
    s += join(config.default_dirs, ", ") + ": install it or add it with --lib PATH";
    return s;
}

std::vector<std::string> extra_library_dirs(const std::vector<std::string>& libs, const SearchConfig& config)
{
    std::vector<std::string> out;
    for (auto& lib : libs) {
        auto slash = lib.rfind('/');
        if (slash == std::string::npos) continue;
        SearchConfig plain = config;
        plain.library_path.clear();
        auto c = library_candidates(lib.substr(slash + 1), {}, plain);
        if (std::find(c.begin(), c.end(), lib) != c.end()) continue;
        std::string dir = slash == 0 ? "/" : lib.substr(0, slash);
        if (std::find(out.begin(), out.end(), dir) == out.end()) out.push_back(dir);
    }
    return out;
}

Expected<std::vector<std::string>> resolve_libraries(const std::string& program)
{
    auto config = host_search_config();
    auto r = ELFIN_TRY(resolve_dependencies({ program }, config));
    if (!r.missing.empty()) return Error { missing_library_message(r.missing.front(), config) };
    return r.libraries;
}

} // namespace elfin
