#pragma once
// Small host file helpers with one-line errors.
#include "tools/expected.h"
#include <string>
#include <vector>
#include <string_view>

namespace elfin {

// Reads a whole file; `name` is how errors refer to it.
Expected<std::string> read_file(const std::string& path, const std::string& name);

// Writes `path` atomically (a temporary beside it, then rename) with `mode`.
Status write_file_atomic(const std::string& path, std::string_view data, unsigned mode = 0644);

// Copies a file atomically, keeping its permission bits.
Status copy_file_atomic(const std::string& from, const std::string& to);

// mkdir -p.
Status make_dirs(const std::string& path);

// The names in directory `dir` without . and .., sorted (so images come out
// the same whatever order readdir gives). `origin` starts the error message.
Expected<std::vector<std::string>> list_dir_sorted(const std::string& dir, const std::string& origin);

// The directory of this executable (from /proc/self/exe).
std::string self_dir();

std::string error_text(int err);

} // namespace elfin
