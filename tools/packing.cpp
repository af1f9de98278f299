#include "tools/packing.h"

#include "tools/file_util.h"
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace elfin {

namespace {

constexpr int MAX_SYMLINK_HOPS = 40; // Linux's limit

std::vector<std::string> components(const std::string& path)
{
    std::vector<std::string> out;
    size_t i = 0;
    while (i < path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        if (j > i) out.push_back(path.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

std::string parent_of(const std::string& p)
{
    auto s = p.rfind('/');
    return s == std::string::npos || s == 0 ? std::string() : p.substr(0, s);
}

ImageEntry entry_from(const struct stat& st, const std::string& origin)
{
    ImageEntry e;
    e.perm = st.st_mode & 07777;
    e.mtime = static_cast<uint32_t>(st.st_mtim.tv_sec);
    e.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    e.origin = origin;
    return e;
}

// Adds unless the path is taken: the person's entries win over automatic ones.
Status add_if_free(ImagePlan& plan, const std::string& guest, ImageEntry e)
{
    if (guest.empty()) return Ok {};
    if (plan.entries.count(guest.substr(1))) return Ok {};
    if (e.kind != ImageEntry::Kind::Directory && plan_has_directory(plan, guest)) return Ok {};
    return plan.add(guest, std::move(e));
}

} // namespace

bool plan_has_directory(const ImagePlan& plan, const std::string& guest)
{
    std::string name = guest.starts_with("/") ? guest.substr(1) : guest;
    if (name.empty()) return true;
    auto it = plan.entries.find(name);
    if (it != plan.entries.end()) return it->second.kind == ImageEntry::Kind::Directory;
    auto child = plan.entries.lower_bound(name + "/");
    return child != plan.entries.end() && child->first.starts_with(name + "/");
}

uint64_t plan_data_bytes(const ImagePlan& plan)
{
    uint64_t n = 0;
    for (auto& [name, e] : plan.entries)
        if (e.kind == ImageEntry::Kind::File) n += e.host.empty() ? e.data.size() : e.size;
    return n;
}

Expected<std::string> add_host_path(ImagePlan& plan, const std::string& host, const std::string& origin)
{
    if (host.empty() || host[0] != '/') return Error { origin + ": " + host + ": not an absolute path" };
    // What is left to walk, last component first; h: the host's real directory
    // so far, g: the same place in the image (they differ only where the
    // person put a directory where the host has a symlink).
    auto todo = components(host);
    std::reverse(todo.begin(), todo.end());
    std::string h, g;
    int hops = 0;
    while (!todo.empty()) {
        std::string c = std::move(todo.back());
        todo.pop_back();
        if (c == ".") continue;
        if (c == "..") {
            h = parent_of(h), g = parent_of(g);
            continue;
        }
        std::string hn = h + "/" + c, gn = g + "/" + c;
        struct stat st;
        if (lstat(hn.c_str(), &st) != 0) return Error { origin + ": " + hn + ": " + error_text(errno) };
        if (S_ISLNK(st.st_mode)) {
            if (++hops > MAX_SYMLINK_HOPS) return Error { origin + ": " + host + ": too many symlinks (a loop?)" };
            std::string target(PATH_MAX, '\0');
            ssize_t n = readlink(hn.c_str(), target.data(), target.size());
            if (n < 0) return Error { origin + ": " + hn + ": cannot read the symlink: " + error_text(errno) };
            target.resize(static_cast<size_t>(n));
            auto it = plan.entries.find(gn.substr(1));
            bool image_has_other = (it != plan.entries.end() && it->second.kind != ImageEntry::Kind::Symlink)
                || (it == plan.entries.end() && plan_has_directory(plan, gn));
            if (image_has_other) {
                // The image has its own directory here: go on inside it.
                char* real = realpath(hn.c_str(), nullptr);
                if (!real) return Error { origin + ": " + hn + ": " + error_text(errno) };
                h = real, g = gn;
                std::free(real);
                continue;
            }
            if (it == plan.entries.end()) {
                auto e = entry_from(st, origin);
                e.kind = ImageEntry::Kind::Symlink;
                e.perm = 0777;
                e.data = target;
                ELFIN_TRY(plan.add(gn, std::move(e)));
            }
            if (target.starts_with("/")) h.clear(), g.clear();
            auto more = components(target);
            for (auto i = more.rbegin(); i != more.rend(); ++i) todo.push_back(*i);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            auto e = entry_from(st, origin);
            e.kind = ImageEntry::Kind::Directory;
            ELFIN_TRY(add_if_free(plan, gn, std::move(e)));
            h = hn, g = gn;
            continue;
        }
        if (!todo.empty()) return Error { origin + ": " + hn + ": not a directory" };
        if (!S_ISREG(st.st_mode)) return Error { origin + ": " + hn + ": not a regular file, directory or symlink" };
        if (access(hn.c_str(), R_OK) != 0) return Error { origin + ": " + hn + ": permission denied: elfin cannot read it (check its mode)" };
        auto e = entry_from(st, origin);
        e.kind = ImageEntry::Kind::File;
        e.host = hn;
        e.size = static_cast<uint64_t>(st.st_size);
        ELFIN_TRY(add_if_free(plan, gn, std::move(e)));
        return hn;
    }
    return h.empty() ? std::string("/") : h;
}

namespace {

Status add_tree_contents(ImagePlan& plan, const std::string& host, const std::string& guest, const std::string& rel,
    const std::string& origin, const TreeFilter& skip)
{
    auto names = list_dir_sorted(host, origin);
    if (!names) return names.error();
    for (auto& n : *names) {
        std::string h = host + "/" + n, g = guest + "/" + n, r = rel.empty() ? n : rel + "/" + n;
        struct stat st;
        if (lstat(h.c_str(), &st) != 0) continue; // gone meanwhile
        bool is_dir = S_ISDIR(st.st_mode);
        if (skip && skip(r, is_dir)) continue;
        auto e = entry_from(st, origin);
        if (is_dir) {
            e.kind = ImageEntry::Kind::Directory;
            ELFIN_TRY(add_if_free(plan, g, std::move(e)));
            if (plan_has_directory(plan, g)) ELFIN_TRY(add_tree_contents(plan, h, g, r, origin, skip));
        } else if (S_ISLNK(st.st_mode)) {
            std::string target(PATH_MAX, '\0');
            ssize_t len = readlink(h.c_str(), target.data(), target.size());
            if (len < 0) continue;
            target.resize(static_cast<size_t>(len));
            e.kind = ImageEntry::Kind::Symlink;
            e.perm = 0777;
            e.data = std::move(target);
            ELFIN_TRY(add_if_free(plan, g, std::move(e)));
        } else if (S_ISREG(st.st_mode) && access(h.c_str(), R_OK) == 0) {
            e.kind = ImageEntry::Kind::File;
            e.host = h;
            e.size = static_cast<uint64_t>(st.st_size);
            ELFIN_TRY(add_if_free(plan, g, std::move(e)));
        }
    }
    return Ok {};
}

} // namespace

Status add_host_tree(ImagePlan& plan, const std::string& host, const std::string& origin, const TreeFilter& skip)
{
    // The tree's own path (symlinks on the way included), then its contents at
    // the real path, where the walk ended.
    auto real = ELFIN_TRY(add_host_path(plan, host, origin));
    struct stat st;
    if (stat(real.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return Error { origin + ": " + host + ": not a directory" };
    // Where the walk ended in the image: the real path, unless the person's
    // own directories made it diverge; then the tree is theirs to fill.
    if (!plan_has_directory(plan, real)) return Ok {};
    return add_tree_contents(plan, real, real == "/" ? "" : real, "", origin, skip);
}

} // namespace elfin
