#pragma once
// The small, sane /etc every image gets (and the directories programs expect),
// so getpwuid, getaddrinfo("localhost"), localtime and ld.so behave as on a
// minimal Linux system. Each file is only a default: --file/--dir win.
#include "tools/expected.h"
#include "tools/image.h"
#include <string>
#include <vector>

namespace elfin {

constexpr const char* GUEST_HOSTNAME = "elfin";

struct EtcFile {
    std::string path;    // guest path ("/etc/passwd")
    std::string data;    // contents, when not from the host
    std::string host;    // or: a host file to copy (following symlinks)
};

// The files; `host_localtime` and `host_ld_cache` are copied when they exist. Pure.
std::vector<EtcFile> default_etc_files(const std::string& host_localtime, bool localtime_exists,
    const std::string& host_ld_cache, bool ld_cache_exists);

struct EtcDir {
    std::string path;
    unsigned perm;
};
// /tmp (1777), /var/tmp, /root, /home, /run. The kernel makes /dev, /proc, /sys.
std::vector<EtcDir> default_directories();

// The lines --add-host appends to /etc/hosts ("ADDRESS\tNAME\n" each). Pure.
std::string hosts_lines(const std::vector<HostEntry>& hosts);

// Adds them to the plan where nothing was put by the person, then appends
// `hosts` to /etc/hosts (the default one, or the person's own).
Status add_default_system_files(ImagePlan& plan, const std::vector<HostEntry>& hosts = {});

} // namespace elfin
