#include "tools/manifest.h"

namespace elfin {

namespace {

Status check_value(std::string_view what, std::string_view v)
{
    if (v.find('\0') != std::string_view::npos)
        return Error { std::string(what) + " contains a NUL byte, which a C string cannot hold" };
    return Ok {};
}

void put(std::string& out, std::string_view key, std::string_view value)
{
    out += key;
    out += '\0';
    out += value;
    out += '\0';
}

} // namespace

Expected<std::string> encode_manifest(const Manifest& m)
{
    if (m.exe.empty() || m.exe[0] != '/') return Error { "the program's path in the image must be absolute: " + m.exe };
    ELFIN_TRY(check_value("the program path", m.exe));
    if (m.args.empty()) return Error { "argv must hold at least argv[0]" };
    for (auto& a : m.args) ELFIN_TRY(check_value("an argument", a));
    for (auto& e : m.env) {
        ELFIN_TRY(check_value("an environment variable", e));
        auto eq = e.find('=');
        if (eq == std::string::npos || eq == 0) return usage_error("environment entry '" + e + "' is not NAME=value");
    }
    if (!m.cwd.empty()) {
        if (m.cwd[0] != '/') return usage_error("the working directory must be absolute: " + m.cwd);
        ELFIN_TRY(check_value("the working directory", m.cwd));
    }
    std::string out;
    put(out, "exe", m.exe);
    for (auto& a : m.args) put(out, "arg", a);
    for (auto& e : m.env) put(out, "env", e);
    if (!m.cwd.empty()) put(out, "cwd", m.cwd);
    return out;
}

Expected<Manifest> decode_manifest(std::string_view bytes)
{
    Manifest m;
    int exes = 0, cwds = 0;
    size_t i = 0;
    auto next = [&](std::string_view& s) {
        auto nul = bytes.find('\0', i);
        if (nul == std::string_view::npos) return false;
        s = bytes.substr(i, nul - i);
        i = nul + 1;
        return true;
    };
    while (i < bytes.size()) {
        std::string_view key, value;
        if (!next(key) || !next(value)) return Error { "manifest: unterminated record" };
        if (key == "exe") m.exe = value, exes++;
        else if (key == "arg") m.args.emplace_back(value);
        else if (key == "env") m.env.emplace_back(value);
        else if (key == "cwd") m.cwd = value, cwds++;
        else return Error { "manifest: unknown key '" + std::string(key) + "'" };
    }
    if (exes != 1) return Error { "manifest: needs exactly one exe record" };
    if (cwds > 1) return Error { "manifest: more than one cwd record" };
    if (m.args.empty()) return Error { "manifest: no arg record" };
    return m;
}

} // namespace elfin
