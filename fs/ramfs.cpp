#include "fs/ramfs.h"

namespace fs {

namespace {
// Writes that would grow a file past this fail with ENOSPC, before asking the
// heap (no VM has this much memory; it also keeps ASan's allocator happy).
constexpr u64 RAMFS_MAX_FILE = u64(1) << 34;
// A write or truncate past this offset is EFBIG, as Linux's s_maxbytes.
constexpr u64 MAX_FILE_OFFSET = u64(INT64_MAX);

u64 g_bytes_used = 0;

// The constructors are private (creation can fail); this takes a fresh object.
template<typename T>
Result<core::Ref<T>> adopt(T* p)
{
    if (!p) return Errno::ENOMEM;
    return core::Ref<T>(p);
}
} // namespace

// ---- RamFile ---------------------------------------------------------------

Result<core::Ref<RamFile>> RamFile::create(u32 perms)
{
    return adopt(new (std::nothrow) RamFile(perms));
}

Result<core::Ref<RamFile>> RamFile::create_in_place(u32 perms, const u8* data, size_t size)
{
    auto file = TRY(adopt(new (std::nothrow) RamFile(perms)));
    file->set_in_place(data, size);
    return file;
}

RamFile::~RamFile()
{
    g_bytes_used -= m_accounted;
    delete[] m_owned;
}

u64 ramfs_bytes_used() { return g_bytes_used; }

void RamFile::account()
{
    // Owned memory counts as allocated (fallocate's reservation included);
    // data in place counts by its size.
    u64 bytes = page_round_up(m_owned ? (m_capacity > m_size ? m_capacity : m_size) : m_size);
    g_bytes_used = g_bytes_used - m_accounted + bytes;
    m_accounted = bytes;
}

void RamFile::set_in_place(const u8* data, size_t size)
{
    delete[] m_owned;
    m_owned = nullptr;
    m_capacity = 0;
    m_in_place = data;
    m_size = size;
    account();
}

ErrorOr RamFile::reserve(u64 length)
{
    if (length > MAX_FILE_OFFSET) return Errno::EFBIG;
    TRY(make_owned(length > m_size ? length : m_size));
    account();
    return {};
}

ErrorOr RamFile::zero_range(u64 offset, u64 len)
{
    if (offset >= m_size) return {};
    u64 end = len > m_size - offset ? m_size : offset + len;
    TRY(make_owned(m_size));
    memset(m_owned + offset, 0, end - offset);
    account();
    touch_modified();
    return {};
}

Result<size_t> RamFile::read(u64 offset, IoBuffer& buf, size_t n, u32)
{
    if (offset >= m_size) return size_t(0);
    size_t count = m_size - offset < n ? m_size - offset : n;
    TRY(buf.copy_out(0, contents().data + offset, count));
    return count;
}

ErrorOr RamFile::make_owned(size_t needed)
{
    if (m_owned && needed <= m_capacity) return {};
    if (needed > RAMFS_MAX_FILE) return Errno::ENOSPC;
    size_t cap = m_capacity ? m_capacity : 64;
    while (cap < needed) cap *= 2;
    if (cap > RAMFS_MAX_FILE) cap = RAMFS_MAX_FILE;
    u8* p = new (std::nothrow) u8[cap];
    if (!p) return Errno::ENOSPC;
    if (m_size) memcpy(p, contents().data, m_size);
    delete[] m_owned;
    m_owned = p;
    m_capacity = cap;
    m_in_place = nullptr;
    return {};
}

Result<size_t> RamFile::write(u64 offset, const IoBuffer& buf, size_t n, u32)
{
    if (n == 0) return size_t(0);
    if (offset > MAX_FILE_OFFSET || n > MAX_FILE_OFFSET - offset) return Errno::EFBIG;
    u64 end = offset + n;
    TRY(make_owned(end > m_size ? end : m_size));
    if (offset > m_size) memset(m_owned + m_size, 0, offset - m_size);
    // Copy in before publishing the new size, so a fault changes nothing visible.
    TRY(buf.copy_in(m_owned + offset, 0, n));
    if (end > m_size) m_size = end;
    account();
    touch_modified();
    return n;
}

ErrorOr RamFile::truncate(u64 length)
{
    if (length > MAX_FILE_OFFSET) return Errno::EFBIG;
    if (length > m_size) {
        TRY(make_owned(length));
        memset(m_owned + m_size, 0, length - m_size);
    }
    // Shrinking data still in place keeps it in place.
    m_size = length;
    account();
    touch_modified();
    return {};
}

// ---- Symlink ---------------------------------------------------------------

Result<core::Ref<Symlink>> Symlink::create(core::StringView target)
{
    auto link = TRY(adopt(new (std::nothrow) Symlink()));
    TRY(link->set_target(target));
    return link;
}

ErrorOr Symlink::set_target(core::StringView target)
{
    if (target.is_empty()) return Errno::ENOENT;
    if (target.length() >= MAX_PATH_BYTES) return Errno::ENAMETOOLONG;
    m_target = TRY(core::String::from(target));
    return {};
}

// ---- Directory -------------------------------------------------------------

Result<core::Ref<Directory>> Directory::create(u32 perms)
{
    auto dir = TRY(adopt(new (std::nothrow) Directory(perms)));
    dir->set_nlink(2); // its own "." and the entry naming it (a root names itself)
    return dir;
}

i64 Directory::index_of(core::StringView name) const
{
    for (size_t i = 0; i < m_entries.size(); i++)
        if (m_entries[i].name == name) return static_cast<i64>(i);
    return -1;
}

core::Ref<Inode> Directory::lookup(core::StringView name) const
{
    i64 i = index_of(name);
    return i < 0 ? core::Ref<Inode>() : m_entries[static_cast<size_t>(i)].inode;
}

void Directory::linked(Inode& child)
{
    if (auto* dir = child.as_directory()) {
        dir->m_parent = this;
        set_nlink(nlink() + 1); // the child's ".."
    } else {
        child.set_nlink(child.nlink() + 1);
    }
}

void Directory::unlinked(Inode& child)
{
    if (auto* dir = child.as_directory()) {
        dir->m_parent = nullptr;
        dir->set_nlink(0);
        set_nlink(nlink() - 1);
    } else if (child.nlink()) {
        child.set_nlink(child.nlink() - 1);
    }
}

ErrorOr Directory::add(core::StringView name, core::Ref<Inode> inode)
{
    VERIFY(inode);
    if (name.is_empty() || name == "." || name == ".." || name.find('/') != SIZE_MAX)
        return Errno::EINVAL;
    if (name.length() > MAX_NAME_BYTES) return Errno::ENAMETOOLONG;
    if (index_of(name) >= 0) return Errno::EEXIST;
    if (inode->is_directory() && inode->as_directory()->m_parent) return Errno::EBUSY; // no directory hard links
    DirEntry entry { TRY(core::String::from(name)), inode };
    TRY(m_entries.append(std::move(entry)));
    linked(*inode);
    touch_modified();
    return {};
}

ErrorOr Directory::remove(core::StringView name)
{
    i64 i = index_of(name);
    if (i < 0) return Errno::ENOENT;
    core::Ref<Inode> inode = m_entries[static_cast<size_t>(i)].inode;
    if (auto* dir = inode->as_directory(); dir && dir->entry_count()) return Errno::ENOTEMPTY;
    m_entries.remove(static_cast<size_t>(i));
    unlinked(*inode);
    touch_modified();
    return {};
}

ErrorOr Directory::put(core::StringView name, core::Ref<Inode> inode)
{
    if (index_of(name) >= 0) TRY(remove(name));
    return add(name, std::move(inode));
}

void Directory::adopt_moved(Inode& child, Directory& from)
{
    Directory* dir = child.as_directory();
    if (!dir || &from == this) return;
    dir->m_parent = this;
    from.set_nlink(from.nlink() - 1);
    set_nlink(nlink() + 1);
}

ErrorOr Directory::rename_entry(core::StringView name, Directory& to, core::StringView new_name)
{
    i64 i = index_of(name);
    if (i < 0) return Errno::ENOENT;
    if (new_name.is_empty() || new_name == "." || new_name == ".." || new_name.find('/') != SIZE_MAX)
        return Errno::EINVAL;
    if (new_name.length() > MAX_NAME_BYTES) return Errno::ENAMETOOLONG;
    core::Ref<Inode> moving = m_entries[static_cast<size_t>(i)].inode;
    i64 j = to.index_of(new_name);
    if (j >= 0) {
        core::Ref<Inode> victim = to.m_entries[static_cast<size_t>(j)].inode;
        if (victim.ptr() == moving.ptr()) return {};
        if (auto* d = victim->as_directory(); d && d->entry_count()) return Errno::ENOTEMPTY;
        // Nothing below can fail: replace in place, then drop the old name.
        to.m_entries[static_cast<size_t>(j)].inode = moving;
        m_entries.remove(static_cast<size_t>(i));
        to.unlinked(*victim);
        victim->touch_changed();
    } else {
        auto new_string = TRY(core::String::from(new_name));
        TRY(to.m_entries.reserve(to.m_entries.size() + 1));
        m_entries.remove(static_cast<size_t>(i));
        MUST(to.m_entries.append(DirEntry { std::move(new_string), moving }));
    }
    to.adopt_moved(*moving, *this);
    touch_modified();
    to.touch_modified();
    moving->touch_changed();
    return {};
}

ErrorOr Directory::exchange_entries(core::StringView name, Directory& to, core::StringView other)
{
    i64 i = index_of(name);
    i64 j = to.index_of(other);
    if (i < 0 || j < 0) return Errno::ENOENT;
    core::Ref<Inode> a = m_entries[static_cast<size_t>(i)].inode;
    core::Ref<Inode> b = to.m_entries[static_cast<size_t>(j)].inode;
    m_entries[static_cast<size_t>(i)].inode = b;
    to.m_entries[static_cast<size_t>(j)].inode = a;
    to.adopt_moved(*a, *this);
    adopt_moved(*b, to);
    touch_modified();
    to.touch_modified();
    a->touch_changed();
    b->touch_changed();
    return {};
}

bool Directory::contains(Directory& dir)
{
    for (Directory* d = &dir; d; d = d->m_parent) {
        if (d == this) return true;
        if (d->m_parent == d) break;
    }
    return false;
}

core::StringView Directory::name_in_parent()
{
    if (!m_parent) return {};
    for (auto& e : m_parent->m_entries)
        if (e.inode.ptr() == this) return e.name.view();
    return {};
}

} // namespace fs
