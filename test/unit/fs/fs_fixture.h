#pragma once
// A root built from a small image, and a Context on it, for the fs tests.
#include <catch2/catch.hpp>
#include <cstring> // before core/string.h, whose declarations lack glibc's noexcept
#include "fs/vfs.h"
#include "test/unit/fs/cpio_builder.h"
#include <string>
#include <vector>

namespace fs_test {

inline std::string str(core::StringView v) { return std::string(v.chars(), v.length()); }

struct Tree {
    std::vector<uint8_t> image; // the files' data points in here: keep it alive
    fs::Manifest manifest;
    core::Ref<fs::Directory> root;
    core::Own<fs::Context> ctx;

    // The standard test image:
    //   /bin/prog (0755, "ELF...")  /etc/conf ("a=1\n", 0644)  /etc/noexec (0644)
    //   /data/empty  /link-abs -> /etc/conf  /link-rel -> etc/conf  /dirlink -> etc
    //   /loop1 -> loop2, /loop2 -> loop1  /dangling -> nowhere  /etc/up -> ../bin
    //   /a/b/c/ (dirs)  /chain0 -> chain1 ... (41 links deep: ELOOP)
    explicit Tree(int chain = 41)
    {
        CpioBuilder b;
        b.dir("bin");
        b.file("bin/prog", "\x7f" "ELF-program", 0755);
        b.dir("etc");
        b.file("etc/conf", "a=1\n");
        b.file("etc/noexec", "#!/bin/sh\n", 0644);
        b.file("data/empty", ""); // parent made on the way
        b.symlink("link-abs", "/etc/conf");
        b.symlink("link-rel", "etc/conf");
        b.symlink("dirlink", "etc");
        b.symlink("loop1", "loop2");
        b.symlink("loop2", "loop1");
        b.symlink("dangling", "nowhere");
        b.symlink("etc/up", "../bin");
        b.dir("a/b/c");
        for (int i = 0; i < chain; i++)
            b.symlink("chain" + std::to_string(i), "chain" + std::to_string(i + 1));
        b.file("chain" + std::to_string(chain), "end of chain");
        b.manifest(records({ { "exe", "/bin/prog" }, { "arg", "prog" }, { "arg", "-v" },
            { "env", "HOME=/" }, { "cwd", "/etc" } }));
        image = b.finish();
        const char* why = nullptr;
        auto r = fs::build_root(image.data(), image.size(), manifest, nullptr, &why);
        if (r.is_error()) FAIL("build_root: " << (why ? why : core::errno_name(r.error())));
        root = r.release_value();
        ctx = MUST(fs::Context::create(root));
    }

    Result<core::Ref<fs::Inode>> resolve(const char* path, u32 flags = fs::LOOKUP_FOLLOW)
    {
        return fs::resolve(root, ctx->cwd, path, flags);
    }
    Errno error_of(const char* path, u32 flags = fs::LOOKUP_FOLLOW)
    {
        auto r = resolve(path, flags);
        return r.is_error() ? r.error() : Errno {};
    }
    core::Ref<fs::Inode> must(const char* path, u32 flags = fs::LOOKUP_FOLLOW)
    {
        auto r = resolve(path, flags);
        if (r.is_error()) FAIL("resolve " << path << ": " << core::errno_name(r.error()));
        return r.release_value();
    }
    std::string contents(const char* path)
    {
        auto inode = must(path);
        auto* f = inode->as_regular();
        REQUIRE(f);
        auto c = f->contents();
        return std::string(reinterpret_cast<const char*>(c.data), c.size);
    }
    int open(const char* path, u32 flags, u32 mode = 0644)
    {
        auto r = fs::open_at(*ctx, fs::AT_FDCWD, path, flags, mode);
        if (r.is_error()) FAIL("open " << path << ": " << core::errno_name(r.error()));
        return r.value();
    }
    Errno open_error(const char* path, u32 flags, int dirfd = fs::AT_FDCWD)
    {
        auto r = fs::open_at(*ctx, dirfd, path, flags, 0644);
        return r.is_error() ? r.error() : Errno {};
    }
    core::Ref<fs::OpenFile> file(int fd) { return MUST(ctx->fds.get_raw(fd)); }
};

inline std::string read_str(fs::OpenFile& f, size_t n)
{
    std::string s(n, '\0');
    fs::KernelBuffer buf(s.data(), n);
    auto r = f.read(buf, n);
    REQUIRE(!r.is_error());
    s.resize(r.value());
    return s;
}

inline size_t write_str(fs::OpenFile& f, const std::string& s)
{
    fs::KernelBuffer buf(static_cast<const void*>(s.data()), s.size());
    auto r = f.write(buf, s.size());
    REQUIRE(!r.is_error());
    return r.value();
}

} // namespace fs_test
