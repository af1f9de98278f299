#include "fs/ramfs.h"
#include "fs/page_memory.h"

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
    // No mapping can outlive the file: each holds a reference to it.
    g_bytes_used -= m_accounted;
    free_pages_from(0);
    drop_snapshot();
}

u64 ramfs_bytes_used() { return g_bytes_used; }

void RamFile::account()
{
    // The file's extent counts as allocated, holes and fallocate's
    // reservation past the end included (what the ramfs may have to hold).
    u64 slots = m_pages.size() * PAGE_SIZE;
    u64 bytes = page_round_up(m_size > slots ? m_size : slots);
    g_bytes_used = g_bytes_used - m_accounted + bytes;
    m_accounted = bytes;
}

void RamFile::drop_snapshot() const
{
    delete[] m_snapshot;
    m_snapshot = nullptr;
}

void RamFile::free_pages_from(size_t index)
{
    while (m_pages.size() > index) {
        if (u8* page = m_pages.take_last()) free_file_page(page);
    }
}

void RamFile::set_in_place(const u8* data, size_t size)
{
    unmap_file_pages(*this, 0);
    free_pages_from(0);
    drop_snapshot();
    m_in_place = data;
    m_size = size;
    account();
}

ErrorOr RamFile::grow_slots(u64 bytes)
{
    if (bytes > RAMFS_MAX_FILE) return Errno::ENOSPC;
    size_t want = page_round_up(bytes) / PAGE_SIZE;
    if (want <= m_pages.size()) return {};
    if (m_pages.reserve(want).is_error()) return Errno::ENOSPC;
    while (m_pages.size() < want) MUST(m_pages.append(nullptr));
    return {};
}

Result<u8*> RamFile::materialize(size_t index)
{
    VERIFY(index < m_pages.size());
    if (!m_pages[index]) {
        u8* page = alloc_file_page();
        if (!page) return Errno::ENOSPC;
        m_pages[index] = page;
    }
    return m_pages[index];
}

ErrorOr RamFile::make_paged()
{
    if (!m_in_place) return {};
    TRY(grow_slots(m_size));
    for (size_t i = 0; i * PAGE_SIZE < m_size; i++) {
        auto page = materialize(i);
        if (page.is_error()) {
            free_pages_from(0); // still in place: nothing changed
            return page.error();
        }
        size_t n = m_size - i * PAGE_SIZE < PAGE_SIZE ? m_size - i * PAGE_SIZE : PAGE_SIZE;
        memcpy(page.value(), m_in_place + i * PAGE_SIZE, n);
    }
    m_in_place = nullptr;
    account();
    return {};
}

void RamFile::zero_tail(u64 from, u64 to)
{
    u64 page_end = page_round_up(from);
    if (to > page_end) to = page_end;
    if (from >= to) return;
    size_t index = from / PAGE_SIZE;
    if (index < m_pages.size() && m_pages[index])
        memset(m_pages[index] + (from % PAGE_SIZE), 0, to - from);
}

ByteSpan RamFile::contents() const
{
    if (m_in_place || m_size == 0) return { m_in_place, m_size };
    drop_snapshot();
    m_snapshot = new (std::nothrow) u8[m_size];
    if (!m_snapshot) return {};
    for (size_t i = 0; i * PAGE_SIZE < m_size; i++) {
        size_t n = m_size - i * PAGE_SIZE < PAGE_SIZE ? m_size - i * PAGE_SIZE : PAGE_SIZE;
        if (m_pages[i]) memcpy(m_snapshot + i * PAGE_SIZE, m_pages[i], n);
        else memset(m_snapshot + i * PAGE_SIZE, 0, n);
    }
    return { m_snapshot, m_size };
}

Result<u8*> RamFile::cache_page(u64 index)
{
    TRY(make_paged());
    if (index >= m_pages.size()) return Errno::ENXIO; // past the end: the caller's SIGBUS
    u8* page = TRY(materialize(index));
    account();
    return page;
}

bool RamFile::page_resident(u64 index) const
{
    if (m_in_place) return index * PAGE_SIZE < m_size;
    return index < m_pages.size() && m_pages[index];
}

ErrorOr RamFile::reserve(u64 length)
{
    if (length > MAX_FILE_OFFSET) return Errno::EFBIG;
    TRY(make_paged());
    TRY(grow_slots(length > m_size ? length : m_size));
    for (size_t i = 0; i * PAGE_SIZE < length; i++) {
        auto page = materialize(i);
        if (page.is_error()) {
            account();
            return page.error();
        }
    }
    account();
    return {};
}

ErrorOr RamFile::zero_range(u64 offset, u64 len)
{
    if (offset >= m_size) return {};
    u64 end = len > m_size - offset ? m_size : offset + len;
    TRY(make_paged());
    // Holes read as zeros already; pages stay (a mapping may hold them).
    for (u64 pos = offset; pos < end;) {
        u64 in = pos % PAGE_SIZE;
        u64 chunk = PAGE_SIZE - in < end - pos ? PAGE_SIZE - in : end - pos;
        if (u8* page = m_pages[pos / PAGE_SIZE]) memset(page + in, 0, chunk);
        pos += chunk;
    }
    drop_snapshot();
    account();
    touch_modified();
    return {};
}

Result<size_t> RamFile::read(u64 offset, IoBuffer& buf, size_t n, u32)
{
    if (offset >= m_size) return size_t(0);
    size_t count = m_size - offset < n ? m_size - offset : n;
    if (m_in_place) {
        TRY(buf.copy_out(0, m_in_place + offset, count));
        return count;
    }
    size_t done = 0;
    while (done < count) {
        u64 pos = offset + done;
        size_t in = pos % PAGE_SIZE;
        size_t chunk = PAGE_SIZE - in < count - done ? PAGE_SIZE - in : count - done;
        const u8* page = m_pages[pos / PAGE_SIZE];
        auto r = page ? buf.copy_out(done, page + in, chunk) : buf.fill_zero(done, chunk);
        if (r.is_error()) {
            if (done) break; // a short read, as Linux
            return r.error();
        }
        done += chunk;
    }
    return done;
}

Result<size_t> RamFile::write(u64 offset, const IoBuffer& buf, size_t n, u32)
{
    if (n == 0) return size_t(0);
    if (offset > MAX_FILE_OFFSET || n > MAX_FILE_OFFSET - offset) return Errno::EFBIG;
    u64 end = offset + n;
    if (end > RAMFS_MAX_FILE) return Errno::ENOSPC;
    TRY(make_paged());
    TRY(grow_slots(end));
    // Every page first, so running out of memory writes nothing.
    for (u64 i = offset / PAGE_SIZE; i * PAGE_SIZE < end; i++) {
        auto page = materialize(i);
        if (page.is_error()) {
            account();
            return page.error();
        }
    }
    if (offset > m_size) zero_tail(m_size, offset);
    drop_snapshot();
    size_t done = 0;
    Errno err {};
    while (done < n) {
        u64 pos = offset + done;
        size_t in = pos % PAGE_SIZE;
        size_t chunk = PAGE_SIZE - in < n - done ? PAGE_SIZE - in : n - done;
        auto r = buf.copy_in(m_pages[pos / PAGE_SIZE] + in, done, chunk);
        if (r.is_error()) {
            err = r.error();
            break;
        }
        done += chunk;
    }
    account();
    // A fault before any byte changes nothing visible; after some, a short write.
    if (!done) return err;
    if (offset + done > m_size) m_size = offset + done;
    touch_modified();
    return done;
}

ErrorOr RamFile::truncate(u64 length)
{
    if (length > MAX_FILE_OFFSET) return Errno::EFBIG;
    if (length < m_size && m_in_place) {
        // Shrinking data still in place keeps it in place.
        m_size = length;
    } else if (length < m_size) {
        // Mappings of the dropped pages go first: the next touch is SIGBUS.
        u64 keep = page_round_up(length);
        unmap_file_pages(*this, keep);
        free_pages_from(keep / PAGE_SIZE);
        zero_tail(length, keep);
        m_size = length;
    } else if (length > m_size) {
        if (length > RAMFS_MAX_FILE) return Errno::ENOSPC;
        TRY(make_paged());
        TRY(grow_slots(length));
        zero_tail(m_size, length);
        m_size = length;
    }
    drop_snapshot();
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
