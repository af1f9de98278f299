// The generated syscall table must agree with Linux's numbering (the host's
// <sys/syscall.h>), so a name reported for an unknown number is the right one.
#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <sys/syscall.h>
#include "syscall_names.h"

TEST_CASE("syscall numbers match Linux x86-64")
{
    struct { long nr; const char* name; } known[] = {
        { SYS_read, "read" }, { SYS_write, "write" }, { SYS_openat, "openat" }, { SYS_mmap, "mmap" },
        { SYS_exit_group, "exit_group" }, { SYS_clone3, "clone3" }, { SYS_futex, "futex" },
        { SYS_io_uring_setup, "io_uring_setup" }, { SYS_statx, "statx" }, { SYS_getrandom, "getrandom" },
        { SYS_rt_sigaction, "rt_sigaction" }, { SYS_arch_prctl, "arch_prctl" }, { SYS_epoll_pwait2, "epoll_pwait2" },
    };
    for (auto& k : known) {
        REQUIRE(k.nr < long(sys::SYSCALL_TABLE_SIZE));
        REQUIRE(sys::SYSCALL_NAMES[k.nr].name != nullptr);
        CHECK(std::string(sys::SYSCALL_NAMES[k.nr].name) == k.name);
    }
}

TEST_CASE("the foundation's syscalls are implemented, and unknown ones are not pretended")
{
    for (const char* name : { "read", "write", "openat", "close", "mmap", "munmap", "brk", "exit_group",
                              "clock_gettime", "getrandom", "uname", "arch_prctl", "set_tid_address" }) {
        bool found = false;
        for (unsigned i = 0; i < sys::SYSCALL_TABLE_SIZE; i++) {
            auto& s = sys::SYSCALL_NAMES[i];
            if (s.name && !strcmp(s.name, name)) {
                found = true;
                CHECK(s.status == sys::Status::Real);
            }
        }
        CHECK(found);
    }
    CHECK(sys::SYSCALL_NAMES[SYS_io_uring_setup].status == sys::Status::Missing);
}
