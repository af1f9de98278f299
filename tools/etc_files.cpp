#include "tools/etc_files.h"

#include "tools/file_util.h"
#include "tools/packing.h"
#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

namespace elfin {

std::vector<EtcFile> default_etc_files(const std::string& host_localtime, bool localtime_exists,
    const std::string& host_ld_cache, bool ld_cache_exists)
{
    std::string host = GUEST_HOSTNAME;
    std::vector<EtcFile> f = {
        { "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n", "" },
        { "/etc/group", "root:x:0:\nnogroup:x:65534:\n", "" },
        { "/etc/nsswitch.conf",
            "passwd:    files\ngroup:     files\nshadow:    files\nhosts:     files dns\nnetworks:  files\n"
            "protocols: files\nservices:  files\nethers:    files\nrpc:       files\n",
            "" },
        { "/etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t" + host + "\n", "" },
        // QEMU's user-mode network answers DNS at 10.0.2.3.
        { "/etc/resolv.conf", "nameserver 10.0.2.3\n", "" },
        { "/etc/hostname", host + "\n", "" },
    };
    // Without /etc/localtime glibc uses UTC, so UTC needs no file.
    if (localtime_exists) f.push_back({ "/etc/localtime", "", host_localtime });
    // The host's cache: the libraries are packed at the host's paths, so its
    // entries lead ld.so to them (and to nothing worse than a miss otherwise).
    if (ld_cache_exists) f.push_back({ "/etc/ld.so.cache", "", host_ld_cache });
    return f;
}

std::vector<EtcDir> default_directories()
{
    return { { "/tmp", 01777 }, { "/var", 0755 }, { "/var/tmp", 01777 }, { "/root", 0700 }, { "/home", 0755 }, { "/run", 0755 } };
}

std::string hosts_lines(const std::vector<HostEntry>& hosts)
{
    std::string text;
    for (auto& h : hosts) text += h.address + "\t" + h.name + "\n";
    return text;
}

Status add_default_system_files(ImagePlan& plan, const std::vector<HostEntry>& hosts)
{
    auto exists = [](const char* p) {
        struct stat st;
        return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, R_OK) == 0;
    };
    auto free = [&](const std::string& guest) {
        return !plan.entries.count(guest.substr(1)) && !plan_has_directory(plan, guest);
    };
    for (auto& d : default_directories()) {
        if (plan.entries.count(d.path.substr(1)) || plan_has_directory(plan, d.path)) continue;
        ImageEntry e;
        e.kind = ImageEntry::Kind::Directory;
        e.perm = d.perm;
        e.origin = "elfin's default " + d.path;
        ELFIN_TRY(plan.add(d.path, e));
    }
    if (!plan_has_directory(plan, "/etc")) {
        // The person put a file or symlink at /etc: theirs.
        if (plan.entries.count("etc")) return Ok {};
        ImageEntry e;
        e.kind = ImageEntry::Kind::Directory;
        e.perm = 0755;
        e.origin = "elfin's default /etc";
        ELFIN_TRY(plan.add("/etc", e));
    }
    for (auto& f : default_etc_files("/etc/localtime", exists("/etc/localtime"), "/etc/ld.so.cache", exists("/etc/ld.so.cache"))) {
        if (!free(f.path)) continue;
        ImageEntry e;
        e.kind = ImageEntry::Kind::File;
        e.perm = 0644;
        e.origin = "elfin's default " + f.path;
        if (f.host.empty()) {
            e.data = f.data;
        } else {
            struct stat st;
            if (stat(f.host.c_str(), &st) != 0) continue;
            e.host = f.host;
            e.size = static_cast<uint64_t>(st.st_size);
            e.mtime = static_cast<uint32_t>(st.st_mtim.tv_sec);
            e.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
        }
        ELFIN_TRY(plan.add(f.path, std::move(e)));
    }
    if (!hosts.empty()) {
        auto it = plan.entries.find("etc/hosts");
        if (it == plan.entries.end() || it->second.kind != ImageEntry::Kind::File)
            return Error { "--add-host: the image's /etc/hosts is not a file (" + (it == plan.entries.end() ? std::string("none") : it->second.origin) + ")" };
        ImageEntry& e = it->second;
        if (!e.host.empty()) { // the person's own file: its text, then ours
            e.data = ELFIN_TRY(read_file(e.host, "/etc/hosts"));
            e.host.clear();
            e.size = 0;
            e.mtime_ns = 0;
        }
        if (!e.data.empty() && e.data.back() != '\n') e.data += '\n';
        e.data += hosts_lines(hosts);
    }
    return Ok {};
}

} // namespace elfin
