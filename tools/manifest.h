#pragma once
// The launch description the kernel reads from `.elfin/manifest` in the image
// (docs/boot-protocol.md §2): records of a NUL-terminated key and a
// NUL-terminated value: exe (1), arg (1+), env (0+), cwd (0-1).
#include "tools/expected.h"
#include <string>
#include <string_view>
#include <vector>

namespace elfin {

constexpr std::string_view MANIFEST_PATH = "/.elfin/manifest";

struct Manifest {
    std::string exe;               // absolute guest path
    std::vector<std::string> args; // argv, argv[0] first
    std::vector<std::string> env;  // NAME=value
    std::string cwd;               // empty: not written (the kernel uses /)

    bool operator==(const Manifest&) const = default;
};

// Checks the rules of the protocol (no NUL inside a value, absolute exe and
// cwd, at least one argument, env entries with a name) and encodes.
Expected<std::string> encode_manifest(const Manifest& m);
Expected<Manifest> decode_manifest(std::string_view bytes);

} // namespace elfin
