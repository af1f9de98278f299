#pragma once
// The shared libraries ELF files need (DT_NEEDED, recursively), found the way
// ld.so finds them — DT_RPATH, DT_RUNPATH with $ORIGIN, /etc/ld.so.cache, the
// default directories — by reading the files with libelf, never running them,
// so they can be packed into the image at the same paths.
#include "tools/expected.h"
#include "tools/ld_cache.h"
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace elfin {

// The DT_NEEDED names and the DT_RPATH/DT_RUNPATH directories of an ELF file
// ($ORIGIN already replaced by the file's directory).
struct DynamicDeps {
    std::vector<std::string> needed;
    std::vector<std::string> rpath;
    std::vector<std::string> runpath;
    std::string soname;
};
Expected<DynamicDeps> read_dynamic_deps(const std::string& path);

// Whether `path` is a 64-bit x86-64 ELF file (what ld.so accepts while searching).
bool is_x86_64_elf(const std::string& path);

// What ld.so searches besides the objects' own paths.
struct SearchConfig {
    std::vector<LdCacheEntry> cache;        // the host's /etc/ld.so.cache (empty if none)
    std::vector<std::string> default_dirs;  // ld.so's built-in directories
    std::vector<std::string> library_path;  // LD_LIBRARY_PATH
};

// The host's: /etc/ld.so.cache when it is readable, Debian's x86-64 directories.
SearchConfig host_search_config();

// Where ld.so looks for `name` needed by an object, in order: the name itself
// when it holds a '/'; else DT_RPATH of the object and of the objects that
// loaded it (only when the object has no DT_RUNPATH), LD_LIBRARY_PATH, the
// object's DT_RUNPATH, the cache's entry, the default directories. Pure.
struct SearchScope {
    std::vector<std::vector<std::string>> rpath_chain; // the object's DT_RPATH first, then its loaders'
    std::vector<std::string> runpath;
    bool has_runpath = false;
};
std::vector<std::string> library_candidates(std::string_view name, const SearchScope& scope, const SearchConfig& config);

struct MissingLibrary {
    std::string needed_by; // the object whose DT_NEEDED names it
    std::string root;      // the file it was packed for (the program, a module)
    std::string name;
    std::vector<std::string> runpath; // the directories of RUNPATH/RPATH that were searched
};

struct Resolution {
    std::vector<std::string> libraries; // host paths, each once, in the order found
    std::vector<MissingLibrary> missing;
};

// Every library the `roots` need, each root's dependencies resolved in its own
// scope (but a soname found once is found for all, as ld.so shares loaded
// objects). `provided` maps sonames to host paths given by hand (--lib).
Expected<Resolution> resolve_dependencies(const std::vector<std::string>& roots, const SearchConfig& config,
    const std::map<std::string, std::string>& provided = {});

// Host paths of every library `program` needs (the host's search config).
Expected<std::vector<std::string>> resolve_libraries(const std::string& program);

// The directories of `libs` (--lib paths) where ld.so would not find them by
// name through the cache or its default directories: LD_LIBRARY_PATH needs them.
std::vector<std::string> extra_library_dirs(const std::vector<std::string>& libs, const SearchConfig& config);

// "PROG needs libx.so.1, which is not in ...: install it or add it with --lib PATH".
std::string missing_library_message(const MissingLibrary& m, const SearchConfig& config);

} // namespace elfin
