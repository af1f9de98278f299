#include "fs/initramfs.h"
#include "fs/cpio.h"
#include "fs/devices.h"

namespace fs {

namespace {

constexpr core::StringView MANIFEST_PATH { ".elfin/manifest", 15 };
constexpr core::StringView ELFIN_DIR { ".elfin", 6 };

Errno fail(const char** why, const char* text)
{
    if (why) *why = text;
    return Errno::EINVAL;
}

// "./a/b", "/a/b" and "a/b" all name a/b; "." and "" name the root.
core::StringView normalize(core::StringView name)
{
    for (;;) {
        if (name.starts_with("./")) name = name.substr(2);
        else if (name.starts_with("/")) name = name.substr(1);
        else break;
    }
    while (name.ends_with("/")) name = name.substr(0, name.length() - 1);
    if (name == ".") return {};
    return name;
}

// Hard links: newc repeats the inode number; the data comes with the last one.
struct LinkKey {
    u32 dev_major, dev_minor, ino;
    bool operator==(const LinkKey& o) const
    {
        return dev_major == o.dev_major && dev_minor == o.dev_minor && ino == o.ino;
    }
};
struct HardLink {
    LinkKey key;
    core::Ref<RamFile> file;
};

// Directory times are set after everything is in place (adding an entry
// touches the directory), as Linux's initramfs does.
struct DirTime {
    core::Ref<Directory> dir;
    i64 mtime;
};

class Unpacker {
public:
    Unpacker(Directory& root, Manifest& manifest, UnpackStats& stats, const char** why)
        : m_root(&root), m_manifest(manifest), m_stats(stats), m_why(why) {}

    ErrorOr add(const CpioEntry& e);
    void finish()
    {
        for (auto& d : m_dir_times) d.dir->set_times({ d.mtime, 0 });
    }

private:
    // The directory that will hold `path`'s last component; creates missing
    // parents. ENOTDIR (entry skipped) when a component is not a directory.
    Result<core::Ref<Directory>> parent_of(core::StringView path, core::StringView& last);
    ErrorOr put(Directory& parent, core::StringView name, const core::Ref<Inode>& inode, const CpioEntry& e);

    core::Ref<Directory> m_root;
    Manifest& m_manifest;
    UnpackStats& m_stats;
    const char** m_why;
    core::Vector<HardLink> m_links;
    core::Vector<DirTime> m_dir_times;
};

Result<core::Ref<Directory>> Unpacker::parent_of(core::StringView path, core::StringView& last)
{
    core::Ref<Directory> dir = m_root;
    size_t at = 0;
    for (;;) {
        size_t slash = path.find('/', at);
        core::StringView name = path.substr(at, slash == SIZE_MAX ? SIZE_MAX : slash - at);
        if (slash == SIZE_MAX) {
            last = name;
            return dir;
        }
        at = slash + 1;
        if (name.is_empty() || name == ".") continue;
        if (name == "..") return Errno::EINVAL; // never climb out of the image
        if (name.length() > MAX_NAME_BYTES) return Errno::ENAMETOOLONG;
        core::Ref<Inode> child = dir->lookup(name);
        if (!child) {
            auto made = TRY(Directory::create(0755));
            TRY(dir->add(name, made));
            child = made;
        }
        if (!child->is_directory()) return Errno::ENOTDIR;
        dir = core::Ref<Directory>(child->as_directory());
    }
}

ErrorOr Unpacker::put(Directory& parent, core::StringView name, const core::Ref<Inode>& inode, const CpioEntry& e)
{
    inode->set_permissions(e.mode);
    inode->set_owner(e.uid, e.gid);
    inode->set_times({ static_cast<i64>(e.mtime), 0 });
    if (parent.lookup(name).ptr() == inode.ptr()) return {};
    return parent.put(name, inode);
}

ErrorOr Unpacker::add(const CpioEntry& e)
{
    core::StringView path = normalize(e.name);
    if (path == MANIFEST_PATH) {
        TRY(parse_manifest(e.data, e.size, m_manifest, m_why));
        return {};
    }
    if (path == ELFIN_DIR || path.starts_with(".elfin/")) {
        m_stats.skipped++;
        return {};
    }
    u32 type = e.mode & S_IFMT;
    if (path.is_empty()) { // the root itself
        if (type == S_IFDIR) {
            m_root->set_permissions(e.mode);
            m_root->set_owner(e.uid, e.gid);
            TRY(m_dir_times.append({ m_root, static_cast<i64>(e.mtime) }));
        }
        return {};
    }

    core::StringView last;
    auto parent_or = parent_of(path, last);
    if (parent_or.is_error()) {
        if (parent_or.error() == Errno::ENOMEM) return Errno::ENOMEM;
        m_stats.skipped++;
        return {};
    }
    core::Ref<Directory> parent = parent_or.release_value();
    if (last.is_empty() || last == "." || last == ".." || last.length() > MAX_NAME_BYTES) {
        m_stats.skipped++;
        return {};
    }

    core::Ref<Inode> inode;
    switch (type) {
    case S_IFDIR: {
        core::Ref<Inode> existing = parent->lookup(last);
        if (existing && existing->is_directory()) {
            inode = existing; // a directory seen again (or made as a parent earlier)
        } else {
            inode = TRY(Directory::create(e.mode));
        }
        TRY(m_dir_times.append({ core::Ref<Directory>(inode->as_directory()), static_cast<i64>(e.mtime) }));
        break;
    }
    case S_IFREG: {
        if (e.nlink > 1) {
            LinkKey key { e.dev_major, e.dev_minor, e.ino };
            for (auto& l : m_links) {
                if (l.key == key) {
                    if (e.size) l.file->set_in_place(e.data, e.size);
                    inode = l.file;
                    break;
                }
            }
            if (!inode) {
                auto file = TRY(RamFile::create_in_place(e.mode, e.data, e.size));
                TRY(m_links.append({ key, file }));
                inode = file;
            }
        } else {
            inode = TRY(RamFile::create_in_place(e.mode, e.data, e.size));
        }
        break;
    }
    case S_IFLNK: {
        auto link = Symlink::create({ reinterpret_cast<const char*>(e.data), e.size });
        if (link.is_error()) {
            if (link.error() == Errno::ENOMEM) return Errno::ENOMEM;
            m_stats.skipped++; // empty or over-long target: Linux's symlink() refuses it too
            return {};
        }
        inode = link.release_value();
        break;
    }
    case S_IFCHR:
        inode = TRY(make_char_device(e.rdev_major, e.rdev_minor, e.mode));
        break;
    default:
        // Block devices, FIFOs and sockets have nothing behind them in Elfin yet.
        m_stats.skipped++;
        return {};
    }

    auto r = put(*parent, last, inode, e);
    if (r.is_error()) {
        if (r.error() == Errno::ENOMEM) return Errno::ENOMEM;
        m_stats.skipped++; // e.g. a file over a non-empty directory
        return {};
    }
    m_stats.entries++;
    return {};
}

} // namespace

ErrorOr parse_manifest(const u8* data, size_t size, Manifest& out, const char** why)
{
    if (out.present) return fail(why, "more than one .elfin/manifest");
    if (size && data[size - 1] != 0) return fail(why, "manifest does not end with a NUL");
    bool have_exe = false, have_cwd = false;
    size_t at = 0;
    while (at < size) {
        core::StringView key(reinterpret_cast<const char*>(data + at));
        at += key.length() + 1;
        if (at >= size) return fail(why, "manifest key without a value");
        core::StringView value(reinterpret_cast<const char*>(data + at));
        at += value.length() + 1;
        if (key == "exe") {
            if (have_exe) return fail(why, "manifest has more than one exe");
            if (!value.starts_with("/")) return fail(why, "manifest exe is not an absolute path");
            out.exe = TRY(core::String::from(value));
            have_exe = true;
        } else if (key == "arg") {
            TRY(out.argv.append(TRY(core::String::from(value))));
        } else if (key == "env") {
            if (value.find('=') == SIZE_MAX) return fail(why, "manifest env is not NAME=value");
            TRY(out.envp.append(TRY(core::String::from(value))));
        } else if (key == "cwd") {
            if (have_cwd) return fail(why, "manifest has more than one cwd");
            if (!value.starts_with("/")) return fail(why, "manifest cwd is not an absolute path");
            out.cwd = TRY(core::String::from(value));
            have_cwd = true;
        } else {
            return fail(why, "unknown manifest key");
        }
    }
    if (!have_exe) return fail(why, "manifest has no exe");
    if (out.argv.is_empty()) return fail(why, "manifest has no arg (argv[0] is required)");
    if (!have_cwd) out.cwd = TRY(core::String::from("/"));
    out.present = true;
    return {};
}

ErrorOr unpack_into(Directory& root, const u8* data, size_t size, Manifest& manifest,
    UnpackStats* stats, const char** why)
{
    UnpackStats local;
    UnpackStats& st = stats ? *stats : local;
    Unpacker unpacker(root, manifest, st, why);
    CpioReader reader(data, size);
    for (;;) {
        CpioEntry entry;
        auto more = reader.next(entry);
        if (more.is_error()) {
            if (why) *why = reader.error_text();
            return more.error();
        }
        if (!more.value()) break;
        TRY(unpacker.add(entry));
    }
    unpacker.finish();
    return {};
}

} // namespace fs
