#pragma once
// For ELFIN_ALLOW_DYNAMIC=1: the shared libraries a dynamically linked program
// needs (DT_NEEDED, recursively), found the way ld.so would find them without
// its cache, so they can be packed into the image at the same paths.
#include "tools/expected.h"
#include <string>
#include <vector>

namespace elfin {

// The DT_NEEDED names and the DT_RUNPATH/DT_RPATH directories of an ELF file.
struct DynamicDeps {
    std::vector<std::string> needed;
    std::vector<std::string> runpath;
};
Expected<DynamicDeps> read_dynamic_deps(const std::string& path);

// Host paths of every library `program` needs, each once, dependencies included.
Expected<std::vector<std::string>> resolve_libraries(const std::string& program);

} // namespace elfin
