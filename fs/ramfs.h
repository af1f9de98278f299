#pragma once
// The in-memory filesystem the initramfs is unpacked into. A regular file's data
// stays in the initramfs (which the kernel never frees) until the first write,
// growth or shared mapping moves it into the file's page cache: one whole page
// per PAGE_SIZE of the file (fs/page_memory.h). A MAP_SHARED mapping maps those
// very pages, so the mapping and read()/write() see the same bytes at once;
// MAP_PRIVATE mappings copy from them.
#include "core/string.h"
#include "core/vector.h"
#include "fs/inode.h"

namespace fs {

struct ByteSpan {
    const u8* data { nullptr };
    size_t size { 0 };
};

class RamFile final : public Inode {
public:
    static Result<core::Ref<RamFile>> create(u32 perms);
    // Data referenced in place: zero copy until written.
    static Result<core::Ref<RamFile>> create_in_place(u32 perms, const u8* data, size_t size);
    ~RamFile() override;

    u64 size() const override { return m_size; }
    u64 blocks() const override { return page_round_up(m_size) / 512; }
    Result<size_t> read(u64 offset, IoBuffer& buf, size_t n, u32 flags) override;
    Result<size_t> write(u64 offset, const IoBuffer& buf, size_t n, u32 flags) override;
    ErrorOr truncate(u64 length) override;

    // The whole contents, contiguous and read-only (for the ELF loader). Data
    // in place is returned as is; paged data is copied into one buffer, made
    // anew at each call (so it shows writes made through shared mappings).
    // Valid until the next call, write or truncate of this file. Empty when
    // memory is out.
    ByteSpan contents() const;
    bool is_in_place() const { return m_in_place && m_size; }
    // Hard links in the archive carry the data on the last entry only.
    void set_in_place(const u8* data, size_t size);
    // fallocate(FALLOC_FL_KEEP_SIZE): memory for `length` bytes, size unchanged.
    ErrorOr reserve(u64 length);
    // fallocate(FALLOC_FL_PUNCH_HOLE): zeros in [offset, offset + len) inside the file.
    ErrorOr zero_range(u64 offset, u64 len);

    // The page-cache page holding bytes [index * PAGE_SIZE, +PAGE_SIZE), made
    // (zeroed, or from the data in place) if absent. For mappings: the caller
    // has checked the page starts before the end of the file.
    Result<u8*> cache_page(u64 index);
    // Whether that page is in memory now (mincore).
    bool page_resident(u64 index) const;

    // An O_TMPFILE file opened without O_EXCL may be given a name by linkat
    // while it has none; any other file with no names left may not.
    bool linkable_when_unnamed() const { return m_linkable_when_unnamed; }
    void set_linkable_when_unnamed(bool v) { m_linkable_when_unnamed = v; }

private:
    explicit RamFile(u32 perms) : Inode(InodeType::Regular, perms) {}
    // Moves data in place into pages; afterwards m_in_place is null.
    ErrorOr make_paged();
    // Enough page slots for `bytes` (new slots are holes: null, reading zeros).
    ErrorOr grow_slots(u64 bytes);
    // The page at a slot, allocated if it is a hole.
    Result<u8*> materialize(size_t index);
    // Bytes past the old end in the last page must read as zero once the
    // file grows (a shared mapping may have written there).
    void zero_tail(u64 from, u64 to);
    void free_pages_from(size_t index);
    void drop_snapshot() const;
    void account();

    const u8* m_in_place { nullptr };
    // Page i of the data, or null: a hole (zeros). Empty while in place.
    core::Vector<u8*> m_pages;
    size_t m_size { 0 };
    u64 m_accounted { 0 }; // this file's share of ramfs_bytes_used()
    mutable u8* m_snapshot { nullptr };
    bool m_linkable_when_unnamed { false };
};

// Bytes of file data the ramfs holds, counted in whole pages per file as
// tmpfs does (statfs reports it).
u64 ramfs_bytes_used();

class Symlink final : public Inode {
public:
    static Result<core::Ref<Symlink>> create(core::StringView target);
    core::StringView target() const { return m_target.view(); }
    ErrorOr set_target(core::StringView target);
    u64 size() const override { return m_target.length(); }

private:
    Symlink() : Inode(InodeType::Symlink, 0777) {}
    core::String m_target;
};

struct DirEntry {
    core::String name;
    core::Ref<Inode> inode;
};

class Directory final : public Inode {
public:
    // A directory gets its parent when added to one; until then (and for the
    // root, always) its ".." is itself.
    static Result<core::Ref<Directory>> create(u32 perms);

    Directory* parent() { return m_parent ? m_parent : this; }
    // Looks a name up among the entries ("." and ".." are the path walk's job).
    core::Ref<Inode> lookup(core::StringView name) const;
    // EEXIST if the name is taken.
    ErrorOr add(core::StringView name, core::Ref<Inode> inode);
    // Adds or replaces (unpacking an archive over an existing tree).
    ErrorOr put(core::StringView name, core::Ref<Inode> inode);
    ErrorOr remove(core::StringView name);
    // rename: moves entry `name` to `to` as `new_name`, replacing what is
    // there. The caller has made the Linux checks (a replaced directory is
    // empty, no directory moves under itself); this only fails for memory,
    // and then changes nothing.
    ErrorOr rename_entry(core::StringView name, Directory& to, core::StringView new_name);
    // RENAME_EXCHANGE: the two entries swap inodes.
    ErrorOr exchange_entries(core::StringView name, Directory& to, core::StringView other);
    // True when `dir` is this directory or inside it.
    bool contains(Directory& dir);
    // Removed from its parent (rmdir, or replaced by rename): no new entries.
    bool is_dead() const { return nlink() == 0; }

    // Entries in the order they were made: getdents reads them by index.
    size_t entry_count() const { return m_entries.size(); }
    const DirEntry& entry(size_t i) const { return m_entries[i]; }
    // The name this directory has in its parent (getcwd); empty for a root.
    core::StringView name_in_parent();

    // /proc refuses new files; a created file's permissions come from the caller.
    bool allows_create() const { return m_allows_create; }
    void set_allows_create(bool v) { m_allows_create = v; }
    // Why a new name is refused: EACCES as /sys (kernfs has no create), but
    // ENOENT in /proc, whose lookup fails before any create is tried.
    Errno create_error() const { return m_create_error; }
    void set_create_error(Errno e) { m_create_error = e; }

    // tmpfs reports 20 bytes per entry, counting "." and "..".
    u64 size() const override { return (m_entries.size() + 2) * 20; }
    Result<size_t> read(u64, IoBuffer&, size_t, u32) override { return Errno::EISDIR; }
    Result<size_t> write(u64, const IoBuffer&, size_t, u32) override { return Errno::EISDIR; }
    ErrorOr truncate(u64) override { return Errno::EISDIR; }

private:
    explicit Directory(u32 perms) : Inode(InodeType::Directory, perms) {}
    void linked(Inode& child);
    void unlinked(Inode& child);
    // A directory moved between parents: parent pointer and both link counts.
    void adopt_moved(Inode& child, Directory& from);
    i64 index_of(core::StringView name) const;

    // Not a Ref: a child must not keep its parent alive in a cycle. A directory
    // is only removed when empty, and its own parent pointer is cleared then.
    Directory* m_parent { nullptr };
    core::Vector<DirEntry> m_entries;
    bool m_allows_create { true };
    Errno m_create_error { Errno::EACCES };
};

inline Directory* Inode::as_directory() { return is_directory() ? static_cast<Directory*>(this) : nullptr; }
inline RamFile* Inode::as_regular() { return is_regular() ? static_cast<RamFile*>(this) : nullptr; }
inline Symlink* Inode::as_symlink() { return is_symlink() ? static_cast<Symlink*>(this) : nullptr; }

} // namespace fs
