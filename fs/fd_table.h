#pragma once
// The process's file descriptors: fd -> open file description + FD_CLOEXEC.
// New descriptors take the lowest free number below the limit (RLIMIT_NOFILE,
// 1024 by default); dup/dup2/dup3 follow Linux to the errno.
#include "fs/errno_guard.h"
#include "core/ref.h"
#include "core/vector.h"
#include "fs/open_file.h"

namespace fs {

class FdTable {
public:
    static constexpr u64 DEFAULT_LIMIT = 1024;

    // The lowest free descriptor >= min_fd; EMFILE when none is below the limit.
    Result<int> install(core::Ref<OpenFile> file, bool cloexec, u64 min_fd = 0);
    // EBADF for a closed descriptor or an O_PATH one (read, write, lseek... refuse those).
    Result<core::Ref<OpenFile>> get(int fd) const;
    // Also returns O_PATH descriptors (fstat, fcntl, dup, *at() directories).
    Result<core::Ref<OpenFile>> get_raw(int fd) const;
    ErrorOr close(int fd);
    // Puts `file` at `fd` (below the limit: else EBADF), closing what was there.
    ErrorOr install_at(int fd, core::Ref<OpenFile> file, bool cloexec);

    Result<int> dup(int fd);
    Result<int> dup2(int oldfd, int newfd);
    Result<int> dup3(int oldfd, int newfd, u32 flags);
    // fcntl F_DUPFD / F_DUPFD_CLOEXEC: EINVAL when min_fd is at or past the limit.
    Result<int> dup_from(int fd, u64 min_fd, bool cloexec);

    Result<bool> cloexec(int fd) const;
    ErrorOr set_cloexec(int fd, bool on);
    // At execve: closes the FD_CLOEXEC descriptors.
    void close_on_exec();
    void close_all();

    u64 limit() const { return m_limit; }
    // setrlimit(RLIMIT_NOFILE): descriptors already above the new limit stay open.
    void set_limit(u64 limit) { m_limit = limit; }
    size_t open_count() const;

private:
    struct Slot {
        core::Ref<OpenFile> file;
        bool cloexec { false };
    };
    bool is_open(int fd) const { return fd >= 0 && static_cast<size_t>(fd) < m_slots.size() && m_slots[fd].file; }
    ErrorOr ensure_slots(size_t count);

    core::Vector<Slot> m_slots;
    u64 m_limit { DEFAULT_LIMIT };
};

} // namespace fs
