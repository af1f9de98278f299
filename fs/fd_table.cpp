#include "fs/fd_table.h"

namespace fs {

ErrorOr FdTable::ensure_slots(size_t count)
{
    if (m_slots.size() >= count) return {};
    TRY(m_slots.reserve(count));
    while (m_slots.size() < count) TRY(m_slots.append(Slot {}));
    return {};
}

Result<int> FdTable::install(core::Ref<OpenFile> file, bool cloexec, u64 min_fd)
{
    VERIFY(file);
    for (u64 fd = min_fd; fd < m_limit; fd++) {
        if (fd < m_slots.size() && m_slots[fd].file) continue;
        TRY(ensure_slots(fd + 1));
        m_slots[fd] = Slot { std::move(file), cloexec };
        return static_cast<int>(fd);
    }
    return Errno::EMFILE;
}

Result<core::Ref<OpenFile>> FdTable::get_raw(int fd) const
{
    if (!is_open(fd)) return Errno::EBADF;
    return m_slots[fd].file;
}

Result<core::Ref<OpenFile>> FdTable::get(int fd) const
{
    auto file = TRY(get_raw(fd));
    if (file->is_path_only()) return Errno::EBADF;
    return file;
}

ErrorOr FdTable::close(int fd)
{
    if (!is_open(fd)) return Errno::EBADF;
    m_slots[fd] = Slot {};
    return {};
}

Result<int> FdTable::dup(int fd)
{
    auto file = TRY(get_raw(fd));
    return install(std::move(file), false);
}

ErrorOr FdTable::install_at(int fd, core::Ref<OpenFile> file, bool cloexec)
{
    VERIFY(file);
    if (fd < 0 || static_cast<u64>(fd) >= m_limit) return Errno::EBADF;
    TRY(ensure_slots(static_cast<size_t>(fd) + 1));
    // The old description is released after the new one is in place.
    Slot old = std::move(m_slots[fd]);
    m_slots[fd] = Slot { std::move(file), cloexec };
    return {};
}

Result<int> FdTable::dup2(int oldfd, int newfd)
{
    // Linux takes the numbers as unsigned: a negative one is simply too large.
    if (oldfd == newfd) {
        if (!is_open(oldfd)) return Errno::EBADF;
        return newfd;
    }
    return dup3(oldfd, newfd, 0);
}

Result<int> FdTable::dup3(int oldfd, int newfd, u32 flags)
{
    if (flags & ~O_CLOEXEC) return Errno::EINVAL;
    if (oldfd == newfd) return Errno::EINVAL;
    if (newfd < 0 || static_cast<u64>(newfd) >= m_limit) return Errno::EBADF;
    auto file = TRY(get_raw(oldfd));
    TRY(install_at(newfd, std::move(file), flags & O_CLOEXEC));
    return newfd;
}

Result<int> FdTable::dup_from(int fd, u64 min_fd, bool cloexec)
{
    if (min_fd >= m_limit) return Errno::EINVAL;
    auto file = TRY(get_raw(fd));
    return install(std::move(file), cloexec, min_fd);
}

Result<bool> FdTable::cloexec(int fd) const
{
    if (!is_open(fd)) return Errno::EBADF;
    return m_slots[fd].cloexec;
}

ErrorOr FdTable::set_cloexec(int fd, bool on)
{
    if (!is_open(fd)) return Errno::EBADF;
    m_slots[fd].cloexec = on;
    return {};
}

void FdTable::close_on_exec()
{
    for (auto& slot : m_slots)
        if (slot.cloexec) slot = Slot {};
}

void FdTable::close_all()
{
    for (auto& slot : m_slots) slot = Slot {};
}

size_t FdTable::open_count() const
{
    size_t n = 0;
    for (auto& slot : m_slots)
        if (slot.file) n++;
    return n;
}

} // namespace fs
