#include "tools/file_util.h"

#include <cerrno>
#include <climits>
#include <algorithm>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace elfin {

std::string error_text(int err)
{
    switch (err) {
    case ENOENT: return "no such file or directory";
    case EACCES: return "permission denied";
    case ENOSPC: return "no space left on the device";
    case EROFS: return "read-only file system";
    case EISDIR: return "is a directory";
    default: return std::strerror(err);
    }
}

Expected<std::string> read_file(const std::string& path, const std::string& name)
{
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error { name + ": cannot open it: " + error_text(errno) };
    std::string out;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) out.reserve(static_cast<size_t>(st.st_size));
    char buf[1 << 16];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            return Error { name + ": cannot read it: " + error_text(e) };
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    return out;
}

namespace {

std::string temp_name_beside(const std::string& path)
{
    static std::mt19937_64 rng { std::random_device {}() };
    char suffix[40];
    std::snprintf(suffix, sizeof suffix, ".tmp-%d-%llx", getpid(), static_cast<unsigned long long>(rng()));
    return path + suffix;
}

} // namespace

Status write_file_atomic(const std::string& path, std::string_view data, unsigned mode)
{
    auto tmp = temp_name_beside(path);
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return Error { "cannot write " + path + ": " + error_text(errno) };
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = write(fd, data.data() + off, data.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            unlink(tmp.c_str());
            return Error { "cannot write " + path + ": " + error_text(e) };
        }
        off += static_cast<size_t>(n);
    }
    fchmod(fd, mode);
    if (close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        unlink(tmp.c_str());
        return Error { "cannot write " + path + ": " + error_text(e) };
    }
    return Ok {};
}

Status copy_file_atomic(const std::string& from, const std::string& to)
{
    auto data = ELFIN_TRY(read_file(from, from));
    struct stat st;
    unsigned mode = stat(from.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
    return write_file_atomic(to, data, mode);
}

Status make_dirs(const std::string& path)
{
    if (path.empty()) return Ok {};
    std::string cur;
    size_t i = 0;
    while (i <= path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        cur = path.substr(0, j);
        if (!cur.empty() && mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST)
            return Error { "cannot create the directory " + cur + ": " + error_text(errno) };
        i = j + 1;
    }
    struct stat st;
    if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return Error { path + " exists and is not a directory" };
    return Ok {};
}

std::string self_dir()
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return ".";
    std::string p(buf, static_cast<size_t>(n));
    auto slash = p.rfind('/');
    return slash == std::string::npos ? "." : p.substr(0, slash);
}

Expected<std::vector<std::string>> list_dir_sorted(const std::string& dir, const std::string& origin)
{
    DIR* d = opendir(dir.c_str());
    if (!d) return Error { origin + ": cannot list " + dir + ": " + error_text(errno) };
    std::vector<std::string> names;
    while (auto* de = readdir(d)) {
        std::string n = de->d_name;
        if (n != "." && n != "..") names.push_back(std::move(n));
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace elfin
