#include "tools/image.h"

#include "tools/cpio.h"
#include "tools/dynamic.h"
#include "tools/etc_files.h"
#include "tools/packing.h"
#include "tools/runtime_files.h"
#include "tools/file_util.h"
#include "tools/version.h"
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <set>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

namespace elfin {

namespace {

constexpr size_t CACHE_MAX_IMAGES = 32;

std::string hex64(uint64_t v)
{
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

Expected<ImageEntry> host_file_entry(const std::string& host, const std::string& origin, bool follow)
{
    struct stat st;
    if ((follow ? stat(host.c_str(), &st) : lstat(host.c_str(), &st)) != 0)
        return Error { origin + ": " + host + ": " + error_text(errno) };
    ImageEntry e;
    e.perm = st.st_mode & 07777;
    e.mtime = static_cast<uint32_t>(st.st_mtim.tv_sec);
    e.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    e.origin = origin;
    if (S_ISDIR(st.st_mode)) {
        e.kind = ImageEntry::Kind::Directory;
    } else if (S_ISLNK(st.st_mode)) {
        e.kind = ImageEntry::Kind::Symlink;
        std::string target(static_cast<size_t>(st.st_size) + 256, '\0');
        ssize_t n = readlink(host.c_str(), target.data(), target.size());
        if (n < 0) return Error { origin + ": " + host + ": cannot read the symlink: " + error_text(errno) };
        target.resize(static_cast<size_t>(n));
        e.data = std::move(target);
    } else if (S_ISREG(st.st_mode)) {
        if (access(host.c_str(), R_OK) != 0) return Error { origin + ": " + host + ": permission denied (cannot read it)" };
        e.kind = ImageEntry::Kind::File;
        e.host = host;
        e.size = static_cast<uint64_t>(st.st_size);
    } else {
        return Error { origin + ": " + host + ": not a regular file, directory or symlink" };
    }
    return e;
}

Status add_tree(ImagePlan& plan, const std::string& host, const std::string& guest, const std::string& origin)
{
    auto names = list_dir_sorted(host, origin);
    if (!names) return names.error();
    for (auto& n : *names) {
        std::string h = host + "/" + n, g = guest.empty() ? n : guest + "/" + n;
        struct stat st;
        if (lstat(h.c_str(), &st) != 0) return Error { origin + ": " + h + ": " + error_text(errno) };
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
            plan.warnings.push_back("skipped " + h + " (not a file, directory or symlink)");
            continue;
        }
        auto e = ELFIN_TRY(host_file_entry(h, origin, false));
        bool is_dir = e.kind == ImageEntry::Kind::Directory;
        ELFIN_TRY(plan.add(g, std::move(e)));
        if (is_dir) ELFIN_TRY(add_tree(plan, h, g, origin));
    }
    return Ok {};
}

} // namespace

uint64_t fnv1a64(std::string_view data)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : data) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

Status ImagePlan::add(const std::string& guest_path, ImageEntry e)
{
    auto name = ELFIN_TRY(normalize_guest_path(guest_path));
    if (name.empty()) {
        if (e.kind == ImageEntry::Kind::Directory) return Ok {}; // --dir X:/ fills the root
        return Error { e.origin + ": cannot put a file at / in the image" };
    }
    if ((name == ".elfin" || name.starts_with(".elfin/")) && e.origin != "manifest")
        return Error { e.origin + ": /.elfin is reserved for Elfin's own use in the image" };
    // A parent path must not be a file or symlink already.
    for (size_t s = name.find('/'); s != std::string::npos; s = name.find('/', s + 1)) {
        auto it = entries.find(name.substr(0, s));
        if (it != entries.end() && it->second.kind != ImageEntry::Kind::Directory)
            return Error { e.origin + ": /" + name + " would be inside /" + it->first + ", which " + it->second.origin
                + " puts in the image as a " + (it->second.kind == ImageEntry::Kind::File ? "file" : "symlink") };
    }
    auto [it, inserted] = entries.try_emplace(name, e);
    if (inserted) return Ok {};
    auto& old = it->second;
    if (old.kind == ImageEntry::Kind::Directory && e.kind == ImageEntry::Kind::Directory) return Ok {}; // merge
    if (old.kind == e.kind && old.kind == ImageEntry::Kind::File && !old.host.empty() && !e.host.empty()) {
        struct stat a, b;
        if (stat(old.host.c_str(), &a) == 0 && stat(e.host.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
            return Ok {}; // the same file twice (e.g. the program and --dir /bin)
    }
    return Error { "/" + name + " is put in the image twice: by " + old.origin + " and by " + e.origin };
}

std::string ImagePlan::cache_description() const
{
    std::string s = "elfin-image " + std::string(VERSION) + "\n";
    for (auto& [name, e] : entries) {
        char kind = e.kind == ImageEntry::Kind::Directory ? 'd' : e.kind == ImageEntry::Kind::File ? 'f' : 'l';
        s += kind;
        s += ' ' + name + '\0' + std::to_string(e.perm) + ' ' + std::to_string(e.mtime);
        if (e.kind == ImageEntry::Kind::File && !e.host.empty())
            s += " host " + e.host + '\0' + std::to_string(e.size) + ' ' + std::to_string(e.mtime_ns);
        else if (e.kind != ImageEntry::Kind::Directory)
            s += " data " + std::to_string(e.data.size()) + ' ' + e.data;
        s += '\n';
    }
    return s;
}

namespace {

std::string base_name(const std::string& p) { return p.substr(p.rfind('/') + 1); }

std::string real_path_of(const std::string& p)
{
    char* r = realpath(p.c_str(), nullptr);
    if (!r) return p;
    std::string s = r;
    std::free(r);
    return s;
}

// Whether a packed file may be an ELF object that loads libraries.
bool maybe_elf(const std::string& name, const ImageEntry& e)
{
    return e.kind == ImageEntry::Kind::File && !e.host.empty() && e.size >= 64
        && (name.find(".so") != std::string::npos || (e.perm & 0111)) && is_x86_64_elf(e.host);
}

} // namespace

Expected<ImagePlan> plan_image(const Options& o, const Program& program, const Manifest& manifest)
{
    ImagePlan plan;
    for (auto& d : o.dirs) {
        std::string origin = "--dir " + d.host;
        struct stat st;
        if (stat(d.host.c_str(), &st) != 0) return Error { origin + ": " + error_text(errno) };
        if (!S_ISDIR(st.st_mode)) return Error { origin + ": not a directory (use --file for a file)" };
        auto root = ELFIN_TRY(host_file_entry(d.host, origin, true));
        ELFIN_TRY(plan.add(d.guest, root));
        ELFIN_TRY(add_tree(plan, d.host, ELFIN_TRY(normalize_guest_path(d.guest)), origin));
    }
    for (auto& f : o.files) {
        std::string origin = "--file " + f.host;
        struct stat st;
        if (stat(f.host.c_str(), &st) != 0) return Error { origin + ": " + error_text(errno) };
        if (S_ISDIR(st.st_mode)) return Error { origin + ": is a directory (use --dir for a directory)" };
        ELFIN_TRY(plan.add(f.guest, ELFIN_TRY(host_file_entry(f.host, origin, true))));
    }
    auto exe = ELFIN_TRY(host_file_entry(program.host_path, "the program " + program.given, true));
    ELFIN_TRY(plan.add(program.guest_path, exe));

    // Libraries: the program's (which must all be found), then those of every
    // other ELF file in the image (trees, modules), found the same way.
    SearchConfig config = host_search_config();
    for (auto& e : manifest.env)
        if (e.starts_with("LD_LIBRARY_PATH="))
            for (size_t i = 16; i <= e.size();) {
                size_t j = std::min(e.find(':', i), e.size());
                if (j > i) config.library_path.push_back(e.substr(i, j - i));
                i = j + 1;
            }
    std::map<std::string, std::string> provided;
    std::vector<std::string> required { real_path_of(program.host_path) };
    for (auto& lib : o.libs) {
        std::string origin = "--lib " + lib;
        if (auto why = file_problem(lib); !why.empty()) return Error { origin + ": " + why };
        if (!is_x86_64_elf(lib)) return Error { origin + ": not an x86-64 ELF shared library" };
        auto real = ELFIN_TRY(add_host_path(plan, lib, origin));
        provided[base_name(lib)] = lib;
        if (auto deps = read_dynamic_deps(real); deps && !deps->soname.empty()) provided[deps->soname] = lib;
        required.push_back(real);
    }
    std::vector<std::string> found;
    if (!program.interp.empty()) {
        if (auto why = file_problem(program.interp); !why.empty())
            return Error { program.host_path + " needs the loader " + program.interp + ", which is not usable here (" + why
                + "): install its C library (" + (base_name(program.interp).starts_with("ld-musl") ? "apt-get install musl" : "glibc")
                + ") or run a statically linked build" };
        ELFIN_TRY(add_host_path(plan, program.interp, "the program's loader " + program.interp));
        if (base_name(program.interp).starts_with("ld-musl")) provided.try_emplace("libc.so", program.interp);
        auto res = ELFIN_TRY(resolve_dependencies(required, config, provided));
        if (!res.missing.empty()) {
            auto m = res.missing.front();
            if (m.root == required.front()) m.root = program.host_path;
            return Error { missing_library_message(m, config) };
        }
        for (auto& lib : res.libraries) ELFIN_TRY(add_host_path(plan, lib, "the library " + lib));
        found = res.libraries;
        plan.automatic.push_back(std::to_string(found.size()) + (found.size() == 1 ? " library" : " libraries"));

        RuntimeFiles extra;
        if (!base_name(program.interp).starts_with("ld-musl"))
            for (auto& lib : found)
                if (base_name(lib) == "libc.so.6") {
                    extra = glibc_runtime_files(lib);
                    break;
                }
        auto interp_extra = interpreter_runtime_files(real_path_of(program.host_path), found);
        for (auto* r : { &extra, &interp_extra }) {
            for (auto& f : r->files) ELFIN_TRY(add_host_path(plan, f, "elfin's automatic " + f));
            for (auto& t : r->trees) ELFIN_TRY(add_host_tree(plan, t.dir, "elfin's automatic " + t.dir, t.skip));
            plan.automatic.insert(plan.automatic.end(), r->what.begin(), r->what.end());
        }
    }
    std::vector<std::string> others;
    std::set<std::string> known(required.begin(), required.end());
    known.insert(found.begin(), found.end());
    for (auto& [name, e] : plan.entries)
        if (!known.count(e.host) && maybe_elf(name, e)) others.push_back(e.host);
    if (!others.empty()) {
        for (auto& lib : found) provided.try_emplace(base_name(lib), lib);
        auto res = ELFIN_TRY(resolve_dependencies(others, config, provided));
        for (auto& lib : res.libraries) ELFIN_TRY(add_host_path(plan, lib, "the library " + lib));
        for (auto& m : res.missing) plan.warnings.push_back("warning: " + missing_library_message(m, config));
        if (!res.libraries.empty())
            plan.automatic.push_back(std::to_string(res.libraries.size()) + " libraries of other packed ELF files");
    }
    ELFIN_TRY(add_default_system_files(plan, o.hosts));

    ImageEntry m;
    m.kind = ImageEntry::Kind::File;
    m.perm = 0444;
    m.data = ELFIN_TRY(encode_manifest(manifest));
    m.origin = "manifest";
    ELFIN_TRY(plan.add(std::string(MANIFEST_PATH), m));
    return plan;
}

Status write_image(const ImagePlan& plan, const std::string& path)
{
    std::string tmp = path + ".tmp-" + std::to_string(getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return Error { "cannot write " + path + ": " + error_text(errno) };
        CpioWriter w(out);
        auto fail = [&](const Error& e) {
            out.close();
            unlink(tmp.c_str());
            return e;
        };
        // The map is sorted, so every directory comes before what it holds.
        for (auto& [name, e] : plan.entries) {
            Status s = Ok {};
            switch (e.kind) {
            case ImageEntry::Kind::Directory: s = w.add_directory(name, e.perm, e.mtime); break;
            case ImageEntry::Kind::Symlink: s = w.add_symlink(name, e.data, e.mtime); break;
            case ImageEntry::Kind::File:
                if (e.host.empty()) {
                    s = w.add_file(name, e.perm, e.data, e.mtime);
                } else {
                    std::ifstream in(e.host, std::ios::binary);
                    if (!in) return fail(Error { e.host + ": cannot open it: " + error_text(errno) });
                    s = w.add_file_from(name, e.perm, e.size, in, e.mtime);
                }
                break;
            }
            if (!s) return fail(s.error());
        }
        if (auto s = w.finish(); !s) return fail(s.error());
        out.close();
        if (!out) return fail(Error { "cannot write " + path + " (disk full?)" });
    }
    if (rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        unlink(tmp.c_str());
        return Error { "cannot write " + path + ": " + error_text(e) };
    }
    return Ok {};
}

std::string default_cache_dir()
{
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && x[0] == '/') return std::string(x) + "/elfin";
    if (const char* h = std::getenv("HOME"); h && h[0]) return std::string(h) + "/.cache/elfin";
    return "/tmp/elfin-cache-" + std::to_string(getuid());
}

namespace {

// Keeps the cache small: the most recently used images stay.
void prune_cache(const std::string& dir)
{
    DIR* d = opendir(dir.c_str());
    if (!d) return;
    std::vector<std::pair<int64_t, std::string>> images;
    while (auto* de = readdir(d)) {
        std::string n = de->d_name;
        if (!n.ends_with(".cpio")) continue;
        struct stat st;
        if (stat((dir + "/" + n).c_str(), &st) == 0) images.emplace_back(st.st_mtim.tv_sec, n.substr(0, n.size() - 5));
    }
    closedir(d);
    if (images.size() <= CACHE_MAX_IMAGES) return;
    std::sort(images.begin(), images.end(), std::greater<>());
    for (size_t i = CACHE_MAX_IMAGES; i < images.size(); i++) {
        unlink((dir + "/" + images[i].second + ".cpio").c_str());
        unlink((dir + "/" + images[i].second + ".inputs").c_str());
    }
}

} // namespace

Expected<CachedImage> cached_image(const ImagePlan& plan, const std::string& cache_dir, bool force_rebuild)
{
    auto desc = plan.cache_description();
    std::string base = cache_dir + "/" + hex64(fnv1a64(desc));
    std::string image = base + ".cpio", inputs = base + ".inputs";
    if (!force_rebuild) {
        auto old = read_file(inputs, inputs);
        struct stat st;
        // The inputs are compared in full, so a hash collision cannot hand out the wrong image.
        if (old && *old == desc && stat(image.c_str(), &st) == 0) {
            utime(image.c_str(), nullptr); // most recently used
            return CachedImage { image, true, false };
        }
    }
    if (make_dirs(cache_dir)) {
        // The image first: a description on disk promises a complete image.
        unlink(inputs.c_str());
        if (write_image(plan, image) && write_file_atomic(inputs, desc)) {
            prune_cache(cache_dir);
            return CachedImage { image, false, false };
        }
    }
    // No usable cache (read-only home, full disk): a private temporary file.
    const char* tmpdir = std::getenv("TMPDIR");
    std::string tmp = std::string(tmpdir && tmpdir[0] ? tmpdir : "/tmp") + "/elfin-image-" + std::to_string(getpid()) + ".cpio";
    ELFIN_TRY(write_image(plan, tmp));
    return CachedImage { tmp, false, true };
}

} // namespace elfin
