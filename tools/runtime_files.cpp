#include "tools/runtime_files.h"

#include "tools/file_util.h"
#include <algorithm>
#include <cctype>
#include <dirent.h>
#include <set>
#include <sys/stat.h>

namespace elfin {

namespace {

bool is_dir(const std::string& p)
{
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const std::string& p)
{
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string dirname_of(const std::string& p)
{
    auto s = p.rfind('/');
    return s == std::string::npos || s == 0 ? std::string("/") : p.substr(0, s);
}

std::string basename_of(const std::string& p) { return p.substr(p.rfind('/') + 1); }

// Charsets people meet (Western, Central/Eastern European, Cyrillic, Greek,
// Turkish, CJK, DOS and Mac code pages, UTF-7/16/32 with BOM handling): UTF-8,
// ASCII and ISO-8859-1 are inside libc itself. The rest of the gconv
// directory (EBCDIC, rare code pages: 8 MB) is left out; --dir adds it.
constexpr const char* COMMON_GCONV[] = {
    "ISO8859-2.so", "ISO8859-3.so", "ISO8859-4.so", "ISO8859-5.so", "ISO8859-6.so", "ISO8859-7.so", "ISO8859-8.so",
    "ISO8859-9.so", "ISO8859-10.so", "ISO8859-11.so", "ISO8859-13.so", "ISO8859-14.so", "ISO8859-15.so", "ISO8859-16.so",
    "CP1250.so", "CP1251.so", "CP1252.so", "CP1253.so", "CP1254.so", "CP1255.so", "CP1256.so", "CP1257.so", "CP1258.so",
    "KOI8-R.so", "KOI8-U.so", "IBM437.so", "IBM850.so", "IBM852.so", "IBM866.so", "MACINTOSH.so", "TIS-620.so",
    "EUC-JP.so", "EUC-JP-MS.so", "SJIS.so", "CP932.so", "ISO-2022-JP.so", "EUC-KR.so", "UHC.so", "ISO-2022-KR.so",
    "EUC-CN.so", "GBK.so", "GB18030.so", "ISO-2022-CN.so", "BIG5.so", "BIG5HKSCS.so", "EUC-TW.so",
    "UTF-7.so", "UTF-16.so", "UTF-32.so", "UNICODE.so",
};

bool is_path_char(unsigned char c) { return std::isalnum(c) || c == '/' || c == '.' || c == '_' || c == '-' || c == '+'; }

} // namespace

RuntimeFiles glibc_runtime_files(const std::string& libc)
{
    RuntimeFiles r;
    std::string dir = dirname_of(libc);
    // NSS: nsswitch.conf in the image names files and dns (on glibc 2.36 both
    // are inside libc and these are stubs, but older ones dlopen them).
    bool nss = false;
    for (auto n : { "libnss_files.so.2", "libnss_dns.so.2" })
        if (is_file(dir + "/" + n)) r.files.push_back(dir + "/" + n), nss = true;
    if (nss) r.what.push_back("NSS modules");
    std::string gconv = dir + "/gconv";
    if (is_dir(gconv)) {
        for (auto n : { "gconv-modules", "gconv-modules.cache" })
            if (is_file(gconv + "/" + n)) r.files.push_back(gconv + "/" + n);
        if (is_dir(gconv + "/gconv-modules.d")) r.trees.push_back({ gconv + "/gconv-modules.d", "", {} });
        for (auto n : COMMON_GCONV)
            if (is_file(gconv + "/" + n)) r.files.push_back(gconv + "/" + n);
        r.what.push_back("gconv charsets");
    }
    return r;
}

std::string python_version_from_name(std::string_view name)
{
    if (!name.starts_with("python")) return {};
    name = name.substr(0, name.find(".so")); // libpython3.11.so.1.0's "python3.11"
    auto v = name.substr(6);
    size_t i = 0;
    while (i < v.size() && (std::isdigit(static_cast<unsigned char>(v[i])) || v[i] == '.')) i++;
    auto ver = v.substr(0, i);
    auto suffix = v.substr(i);
    if (ver.find('.') == std::string_view::npos || ver.back() == '.' || ver.front() == '.') return {};
    if (!(suffix.empty() || suffix == "d" || suffix == "m" || suffix == "dm")) return {};
    return std::string(ver);
}

bool python_skip(const std::string& rel, bool is_dir)
{
    static const std::set<std::string> top = { "test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3" };
    auto slash = rel.find('/');
    if (top.count(rel.substr(0, slash))) return true;
    auto base = basename_of(rel);
    if (is_dir) return base == "test" || base == "tests" || base == "idle_test";
    // config-3.X-*/libpython3.X.a: 25 MB only a C compiler wants.
    return base.ends_with(".a");
}

std::vector<std::string> perl_inc_from_strings(std::string_view bytes)
{
    std::vector<std::string> out;
    std::set<std::string> seen;
    size_t i = 0;
    while (i < bytes.size()) {
        size_t j = i;
        while (j < bytes.size() && is_path_char(static_cast<unsigned char>(bytes[j]))) j++;
        // A whole C string: starts after a NUL (or the start) and ends at one.
        bool whole = (i == 0 || bytes[i - 1] == '\0') && j < bytes.size() && bytes[j] == '\0';
        if (whole && j - i > 1 && bytes[i] == '/') {
            std::string s(bytes.substr(i, j - i));
            bool perl_dir = s.find("perl") != std::string::npos && !s.starts_with("/usr/lib/debug")
                && !s.ends_with(".debug") && !s.ends_with(".so") && !s.ends_with(".pm") && !s.ends_with(".pl")
                && s.find("//") == std::string::npos && s.back() != '/';
            if (perl_dir && seen.insert(s).second) out.push_back(s);
        }
        i = j + 1;
    }
    return out;
}

bool perl_skip(const std::string& rel, bool is_dir)
{
    if (is_dir) return rel == "CORE";
    return rel.ends_with(".pod");
}

RuntimeFiles interpreter_runtime_files(const std::string& real_path, const std::vector<std::string>& libraries)
{
    RuntimeFiles r;
    std::string name = basename_of(real_path);
    // Python: the standard library beside the binary's prefix (/usr/bin/python3.11 → /usr/lib/python3.11).
    std::string py = python_version_from_name(name);
    std::string prefix = dirname_of(dirname_of(real_path));
    for (auto& lib : libraries) // a program embedding libpython3.X
        if (py.empty() && basename_of(lib).starts_with("libpython3.")) {
            py = python_version_from_name(basename_of(lib).substr(3));
            prefix = "/usr";
        }
    if (!py.empty()) {
        std::string stdlib = (prefix == "/" ? "" : prefix) + "/lib/python" + py;
        if (is_file(stdlib + "/os.py")) {
            r.trees.push_back({ stdlib, "Python " + py + "'s standard library", python_skip });
            r.what.push_back(stdlib + " (Python " + py + "'s standard library)");
        }
    }
    // Perl: @INC as compiled into the binary (or libperl).
    std::vector<std::string> perl_sources;
    if (name.starts_with("perl")) perl_sources.push_back(real_path);
    for (auto& lib : libraries)
        if (basename_of(lib).starts_with("libperl.so")) perl_sources.push_back(lib);
    std::set<std::string> inc_seen;
    for (auto& src : perl_sources) {
        auto bytes = read_file(src, src);
        if (!bytes) continue;
        for (auto& d : perl_inc_from_strings(*bytes))
            if (is_dir(d) && inc_seen.insert(d).second) r.trees.push_back({ d, "Perl's @INC", perl_skip });
    }
    if (!inc_seen.empty()) {
        std::string list;
        for (auto& t : r.trees)
            if (t.what == "Perl's @INC") list += (list.empty() ? "" : ", ") + t.dir;
        r.what.push_back("Perl's @INC (" + list + ")");
    }
    return r;
}

} // namespace elfin
