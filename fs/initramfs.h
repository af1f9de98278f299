#pragma once
// Unpacking the initramfs (cpio newc, docs/boot-protocol.md) into the root
// directory. Regular files keep pointing into the archive, which the kernel
// keeps for its whole life. `.elfin/manifest` is parsed and left out of the tree.
#include "fs/errno_guard.h"
#include "core/string.h"
#include "core/vector.h"
#include "fs/ramfs.h"

namespace fs {

// What to run: the manifest's records.
struct Manifest {
    bool present { false };
    core::String exe;                // absolute path inside the image
    core::Vector<core::String> argv; // argv[0] first
    core::Vector<core::String> envp; // NAME=value
    core::String cwd;                // "/" when the manifest names none
};

// Parses the manifest records (key NUL value NUL)*; EINVAL with `why` set
// when they break the rules of docs/boot-protocol.md.
ErrorOr parse_manifest(const u8* data, size_t size, Manifest& out, const char** why = nullptr);

struct UnpackStats {
    size_t entries { 0 }; // archive entries put in the tree
    size_t skipped { 0 }; // entries Linux would also drop (block devices, fifos,
                          // sockets, bad names, a file where a directory must be)
};

// Unpacks the archive into `root`, creating missing parent directories and
// applying each entry's mode, owner and mtime. A corrupt archive or manifest is
// EINVAL with `why` set; running out of memory is ENOMEM.
ErrorOr unpack_into(Directory& root, const u8* data, size_t size, Manifest& manifest,
    UnpackStats* stats = nullptr, const char** why = nullptr);

} // namespace fs
