#pragma once
// Putting host files into the image at their own paths, the way the host lays
// them out: a symlink on the way (/lib -> usr/lib on merged-/usr Debian) is a
// symlink in the image too, so each file is packed once whatever name leads
// to it, and ld.so's paths (PT_INTERP, ld.so.cache) work unchanged.
// Entries already planned stay: what the person packed wins.
#include "tools/expected.h"
#include "tools/image.h"
#include <functional>
#include <string>

namespace elfin {

// Adds the absolute host path `host` (its directories, the symlinks on the way
// and their targets, the file or directory itself, not a directory's contents).
// Returns the host's real path of what it names.
Expected<std::string> add_host_path(ImagePlan& plan, const std::string& host, const std::string& origin);

// `rel` is a path inside the tree ("lib-dynload/x.so"); true: leave it out
// (for a directory: with everything inside).
using TreeFilter = std::function<bool(const std::string& rel, bool is_dir)>;

// Adds the directory `host` (as add_host_path) and everything inside it that
// `skip` does not leave out, symlinks as symlinks.
Status add_host_tree(ImagePlan& plan, const std::string& host, const std::string& origin, const TreeFilter& skip = {});

// Whether a planned guest path is a directory in the plan (an entry, or the
// parent of entries).
bool plan_has_directory(const ImagePlan& plan, const std::string& guest);

// The bytes the image's file data takes (headers left out).
uint64_t plan_data_bytes(const ImagePlan& plan);

} // namespace elfin
