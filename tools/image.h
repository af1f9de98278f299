#pragma once
// The initramfs for one run: the program, the --file and --dir contents and the
// manifest, planned from the host's files, then written (or found in the cache).
#include "tools/expected.h"
#include "tools/manifest.h"
#include "tools/options.h"
#include "tools/program.h"
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace elfin {

struct ImageEntry {
    enum class Kind { Directory, File, Symlink };
    Kind kind = Kind::File;
    uint32_t perm = 0644;
    uint32_t mtime = 0;
    std::string host;     // File: the host file to copy (empty: `data`)
    std::string data;     // File without host: contents; Symlink: target
    uint64_t size = 0;    // File from host: its size when planned
    int64_t mtime_ns = 0; // File from host: for the cache key
    std::string origin;   // what put it here, for conflict messages
};

struct ImagePlan {
    std::map<std::string, ImageEntry> entries; // key: normalised guest path ("bin/busybox")
    std::vector<std::string> warnings;         // things skipped (sockets, devices), libraries not found for modules
    std::vector<std::string> automatic;        // what elfin added by itself, one phrase each

    // Adds an entry, or reports the conflict with the one already there.
    Status add(const std::string& guest_path, ImageEntry e);
    // A text that changes whenever the image would: its hash names the cache file.
    std::string cache_description() const;
};

// Everything in the image for `program` run with `o`.
Expected<ImagePlan> plan_image(const Options& o, const Program& program, const Manifest& manifest);

// Writes the archive to `path` atomically.
Status write_image(const ImagePlan& plan, const std::string& path);

struct CachedImage {
    std::string path;
    bool hit = false;       // already there
    bool temporary = false; // not in the cache (it was unusable): delete after use
};

// Finds or writes the image under `cache_dir` (the inputs' hash names it).
Expected<CachedImage> cached_image(const ImagePlan& plan, const std::string& cache_dir, bool force_rebuild);

// $XDG_CACHE_HOME/elfin or ~/.cache/elfin.
std::string default_cache_dir();

uint64_t fnv1a64(std::string_view data);

} // namespace elfin
