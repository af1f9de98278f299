#include "syscall_names.h"
#include "tools/check.h"
#include "tools/options.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <sys/stat.h>

using namespace elfin;

namespace {

using Bytes = std::vector<uint8_t>;

std::vector<SyscallSite> scan(const Bytes& code, uint64_t base = 0x1000)
{
    return scan_code(std::span(code.data(), code.size()), base);
}

// The number at the only site in `code` (a test failure if there is not exactly one).
std::optional<uint32_t> only_nr(const Bytes& code)
{
    auto sites = scan(code);
    REQUIRE(sites.size() == 1);
    CHECK(sites[0].kind == SiteKind::Syscall);
    return sites[0].nr;
}

bool exists(const char* path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

// A syscall number the table lists as missing, and one it implements.
uint32_t some_missing_nr()
{
    for (uint32_t nr = 0; nr < sys::SYSCALL_TABLE_SIZE; nr++)
        if (sys::SYSCALL_NAMES[nr].name && sys::SYSCALL_NAMES[nr].status == sys::Status::Missing) return nr;
    FAIL("the syscall table lists no missing syscall");
    return 0;
}

// A minimal x86-64 ELF with no section headers: one PF_X PT_LOAD holding `code` at 0x400100.
std::string elf_with_code(const Bytes& code, uint16_t machine = 62)
{
    std::string f(0x100 + code.size(), '\0');
    auto put16 = [&](size_t o, uint16_t v) { std::memcpy(&f[o], &v, 2); };
    auto put32 = [&](size_t o, uint32_t v) { std::memcpy(&f[o], &v, 4); };
    auto put64 = [&](size_t o, uint64_t v) { std::memcpy(&f[o], &v, 8); };
    f[0] = 0x7f, f[1] = 'E', f[2] = 'L', f[3] = 'F', f[4] = 2, f[5] = 1, f[6] = 1;
    put16(16, 2);
    put16(18, machine);
    put32(20, 1);
    put64(24, 0x400100);
    put64(32, 64);
    put16(52, 64);
    put16(54, 56);
    put16(56, 1);
    put32(64, 1);        // PT_LOAD
    put32(68, 5);        // R+X
    put64(72, 0x100);    // offset
    put64(80, 0x400100); // vaddr
    put64(88, 0x400100);
    put64(96, code.size());
    put64(104, code.size());
    put64(112, 0x1000);
    std::memcpy(&f[0x100], code.data(), code.size());
    return f;
}

std::span<const uint8_t> as_bytes(const std::string& s)
{
    return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

FileScan file(std::string path, std::vector<SyscallSite> sites)
{
    FileScan f;
    f.path = std::move(path);
    f.role = "program";
    f.sites = std::move(sites);
    return f;
}

} // namespace

TEST_CASE("check scan: mov eax, imm; syscall gives the number and the site's address")
{
    auto sites = scan({ 0x90, 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05 }, 0x401000); // nop; mov eax, 39; syscall
    REQUIRE(sites.size() == 1);
    CHECK(sites[0].address == 0x401006);
    CHECK(sites[0].kind == SiteKind::Syscall);
    CHECK(sites[0].nr == 39u);
}

TEST_CASE("check scan: xor eax, eax and mov rax, imm32 (sign-extended form)")
{
    CHECK(only_nr({ 0x31, 0xc0, 0x0f, 0x05 }) == 0u);                                // xor eax, eax
    CHECK(only_nr({ 0x48, 0xc7, 0xc0, 0xe7, 0, 0, 0, 0x0f, 0x05 }) == 231u);         // mov rax, 231
    CHECK(only_nr({ 0x48, 0xb8, 0x3c, 0, 0, 0, 0, 0, 0, 0, 0x0f, 0x05 }) == 60u);   // movabs rax, 60
    CHECK(only_nr({ 0x48, 0x29, 0xc0, 0x0f, 0x05 }) == 0u);                          // sub rax, rax
}

TEST_CASE("check scan: a number from a register is unknown, unless the register held a constant")
{
    CHECK_FALSE(only_nr({ 0x48, 0x89, 0xf8, 0x0f, 0x05 }).has_value()); // mov rax, rdi (glibc's syscall())
    CHECK_FALSE(only_nr({ 0x89, 0xf8, 0x0f, 0x05 }).has_value());       // mov eax, edi
    // mov r8d, 231; mov eax, r8d; syscall (glibc's _exit)
    CHECK(only_nr({ 0x41, 0xb8, 0xe7, 0, 0, 0, 0x44, 0x89, 0xc0, 0x0f, 0x05 }) == 231u);
    // mov eax, 39; add eax, 1; syscall: computed, not tracked
    CHECK_FALSE(only_nr({ 0xb8, 0x27, 0, 0, 0, 0x83, 0xc0, 0x01, 0x0f, 0x05 }).has_value());
    // mov eax, 39; mov al, 1; syscall: a partial write
    CHECK_FALSE(only_nr({ 0xb8, 0x27, 0, 0, 0, 0xb0, 0x01, 0x0f, 0x05 }).has_value());
    // mov eax, 39; mov ecx, 5; syscall: other registers do not matter
    CHECK(only_nr({ 0xb8, 0x27, 0, 0, 0, 0xb9, 0x05, 0, 0, 0, 0x0f, 0x05 }) == 39u);
}

TEST_CASE("check scan: what is known ends at calls, jumps, returns and branch targets")
{
    // mov eax, 39; call +0; syscall
    CHECK_FALSE(only_nr({ 0xb8, 0x27, 0, 0, 0, 0xe8, 0, 0, 0, 0, 0x0f, 0x05 }).has_value());
    // mov eax, 39; ret; syscall
    CHECK_FALSE(only_nr({ 0xb8, 0x27, 0, 0, 0, 0xc3, 0x0f, 0x05 }).has_value());
    // 0: mov eax, 39; 5: nop; 6: syscall; 8: jmp 5 — a later branch lands between the two
    CHECK_FALSE(only_nr({ 0xb8, 0x27, 0, 0, 0, 0x90, 0x0f, 0x05, 0xeb, 0xfb }).has_value());
    // the same jump to the mov itself: every path still sets eax
    CHECK(only_nr({ 0xb8, 0x27, 0, 0, 0, 0x90, 0x0f, 0x05, 0xeb, 0xf6 }) == 39u);
    // mov eax, 39; je past the syscall; syscall: the fall-through keeps eax
    CHECK(only_nr({ 0xb8, 0x27, 0, 0, 0, 0x74, 0x02, 0x0f, 0x05, 0x90, 0x90 }) == 39u);
}

TEST_CASE("check scan: constants flow along jumps into other blocks (glibc's _exit)")
{
    auto sites = scan({
                          0xbe, 0xe7, 0, 0, 0, //  0: mov esi, 231
                          0xba, 0x3c, 0, 0, 0, //  5: mov edx, 60
                          0xeb, 0x05,          // 10: jmp 17
                          0x89, 0xd0,          // 12: mov eax, edx
                          0x0f, 0x05,          // 14: syscall
                          0xf4,                // 16: hlt
                          0x89, 0xf0,          // 17: mov eax, esi
                          0x0f, 0x05,          // 19: syscall
                          0x76, 0xf5,          // 21: jbe 12
                          0xc3,                // 23: ret
                      },
        0);
    REQUIRE(sites.size() == 2);
    CHECK(sites[0].address == 14);
    CHECK(sites[0].nr == 60u);
    CHECK(sites[1].address == 19);
    CHECK(sites[1].nr == 231u);
}

TEST_CASE("check scan: where paths with different numbers meet, the number is unknown")
{
    auto two_paths = [](uint8_t second) {
        return Bytes {
            0x74, 0x07,                // 0: je 9
            0xb8, 0x01, 0, 0, 0,       // 2: mov eax, 1
            0xeb, 0x05,                // 7: jmp 14
            0xb8, second, 0, 0, 0,     // 9: mov eax, second
            0x0f, 0x05,                // 14: syscall
        };
    };
    CHECK_FALSE(only_nr(two_paths(2)).has_value());
    CHECK(only_nr(two_paths(1)) == 1u);
}

TEST_CASE("check scan: syscall returns in rax, so a second one has no known number")
{
    auto sites = scan({ 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05, 0x0f, 0x05 });
    REQUIRE(sites.size() == 2);
    CHECK(sites[0].nr == 39u);
    CHECK_FALSE(sites[1].nr.has_value());
}

TEST_CASE("check scan: int 0x80 and sysenter are found as the 32-bit ABI")
{
    auto sites = scan({ 0xb8, 0x01, 0, 0, 0, 0xcd, 0x80, 0x0f, 0x34, 0xcd, 0x03 }); // ...; int3-like int 3
    REQUIRE(sites.size() == 2);
    CHECK(sites[0].kind == SiteKind::Int80);
    CHECK(sites[0].nr == 1u);
    CHECK(sites[1].kind == SiteKind::Sysenter);
}

TEST_CASE("check scan: linear sweep: bytes inside an instruction are not a syscall; bad bytes resync")
{
    CHECK(scan({ 0xb8, 0x0f, 0x05, 0, 0 }).empty()); // mov eax, 0x50f
    // two invalid bytes (push es is not in 64-bit mode), then mov eax, 60; syscall
    auto sites = scan({ 0x06, 0x06, 0xb8, 0x3c, 0, 0, 0, 0x0f, 0x05 }, 0);
    REQUIRE(sites.size() == 1);
    CHECK(sites[0].address == 7);
    CHECK(sites[0].nr == 60u);
    CHECK(scan({ 0xb8, 0x27, 0 }).empty()); // cut short
    CHECK(scan({}).empty());
}

TEST_CASE("check: an ELF without section headers is scanned through its executable segment")
{
    auto elf = elf_with_code({ 0xb8, 0xe7, 0, 0, 0, 0x0f, 0x05 });
    auto r = scan_elf("/t/prog", as_bytes(elf));
    REQUIRE(r.ok());
    REQUIRE(r->sites.size() == 1);
    CHECK(r->sites[0].address == 0x400105);
    CHECK(r->sites[0].nr == 231u);
    CHECK(r->code_bytes == 7);

    auto arm = scan_elf("/t/arm", as_bytes(elf_with_code({ 0x0f, 0x05 }, 183)));
    REQUIRE_FALSE(arm.ok());
    CHECK(arm.error().message.find("x86-64") != std::string::npos);
    CHECK_FALSE(scan_elf("/t/text", as_bytes(std::string("hello, world"))).ok());
}

TEST_CASE("check report: names and status come from the syscall table; missing ones fail the check")
{
    uint32_t missing = some_missing_nr();
    std::vector<FileScan> files;
    files.push_back(file("/t/prog", { { 0x10, SiteKind::Syscall, 1 }, { 0x20, SiteKind::Syscall, std::nullopt } }));
    files.push_back(file("/t/lib/libx.so.1", { { 0x10, SiteKind::Syscall, 1 }, { 0x30, SiteKind::Syscall, missing } }));
    auto r = make_report("prog", std::move(files), {});
    REQUIRE(r.syscalls.count(1));
    CHECK(r.syscalls[1].name == "write");
    CHECK(r.syscalls[1].status == (sys::SYSCALL_NAMES[1].status == sys::Status::Real ? SyscallStatus::Real : SyscallStatus::Fake));
    CHECK(r.syscalls[1].files.size() == 2);
    CHECK(r.syscalls[1].sites == 2);
    REQUIRE(r.syscalls.count(missing));
    CHECK(r.syscalls[missing].status == SyscallStatus::Missing);
    CHECK(r.unknown_sites == 1);
    CHECK(r.runnable());
    CHECK(r.exit_status() == 1);

    auto text = format_report(r, false);
    std::string head = "elfin check: prog and 1 library: 2 syscalls found, 1 implemented, 0 faked, 1 missing\n";
    CHECK(text.substr(0, head.size()) == head);
    auto missing_line = text.find(std::string(sys::SYSCALL_NAMES[missing].name));
    REQUIRE(missing_line != std::string::npos);
    CHECK(text.substr(missing_line, text.find('\n', missing_line) - missing_line).find("libx.so.1") != std::string::npos);
    CHECK(text.find("write") == std::string::npos); // implemented: only with -v
    CHECK(format_report(r, true).find("write") != std::string::npos);

    auto json = format_report_json(r);
    CHECK(json.find("\"name\": \"write\"") != std::string::npos);
    CHECK(json.find("\"missing\": 1") != std::string::npos);
    CHECK(json.find("\"exit_status\": 1") != std::string::npos);
}

TEST_CASE("check report: only known syscalls: exit status 0; an unknown number is missing")
{
    auto ok = make_report("p", [] {
        std::vector<FileScan> v;
        v.push_back(file("/t/p", { { 0x10, SiteKind::Syscall, 60 } }));
        return v;
    }(), {});
    CHECK(ok.exit_status() == (sys::SYSCALL_NAMES[60].status == sys::Status::Missing ? 1 : 0));
    CHECK(format_report(ok, false).starts_with("elfin check: p: 1 syscalls found"));

    auto odd = describe_syscall(100000);
    CHECK(odd.name == "nr 100000");
    CHECK(odd.status == SyscallStatus::Missing);
}

TEST_CASE("check report: int 0x80 or sysenter means it cannot run")
{
    std::vector<FileScan> files;
    files.push_back(file("/t/old", { { 0x10, SiteKind::Int80, 1 }, { 0x20, SiteKind::Sysenter, std::nullopt } }));
    auto r = make_report("old", std::move(files), {});
    CHECK(r.syscalls.empty());
    CHECK_FALSE(r.runnable());
    CHECK(r.exit_status() == 1);
    REQUIRE(r.problems.size() == 2);
    CHECK(r.problems[0].find("int 0x80") != std::string::npos);
    CHECK(format_report(r, false).find("Elfin cannot run it") != std::string::npos);
}

TEST_CASE("check: the real static busybox makes exit_group and write, both implemented")
{
    if (!exists("/bin/busybox")) {
        WARN("no /bin/busybox (busybox-static): skipped");
        return;
    }
    auto r = check_program("/bin/busybox", "/bin/busybox");
    REQUIRE(r.ok());
    CHECK(r->files.size() == 1);
    CHECK(r->problems.empty());
    for (uint32_t nr : { 1u, 231u }) {
        INFO("syscall " << nr);
        REQUIRE(r->syscalls.count(nr));
        CHECK(r->syscalls[nr].status == SyscallStatus::Real);
    }
    CHECK(format_report(*r, false).starts_with("elfin check: /bin/busybox: "));
}

TEST_CASE("check: the host's /bin/ls is scanned with its loader and libc")
{
    auto r = check_program("/bin/ls", "/bin/ls");
    REQUIRE(r.ok());
    CHECK(r->problems.empty());
    auto has = [&](const char* suffix, const char* role) {
        return std::any_of(r->files.begin(), r->files.end(), [&](auto& f) { return f.path.ends_with(suffix) && f.role == role; });
    };
    CHECK(r->files[0].role == "program");
    CHECK(has("/libc.so.6", "library"));
    CHECK(has("ld-linux-x86-64.so.2", "loader"));
    // ld-linux is libc's DT_NEEDED too: scanned once.
    CHECK(std::count_if(r->files.begin(), r->files.end(), [](auto& f) { return f.path.ends_with("ld-linux-x86-64.so.2"); }) == 1);
    // libc's exit_group is found, and its syscall() wrapper is an unknown site.
    REQUIRE(r->syscalls.count(231));
    CHECK(r->unknown_sites > 0);
    CHECK(format_report(*r, false).find(" and " + std::to_string(r->files.size() - 1) + " libraries: ") != std::string::npos);
    CHECK(r->runnable());
}

TEST_CASE("check: a file that is not a program is a problem, not a scan")
{
    auto r = check_program("/etc/hostname-like", "/proc/self/cmdline");
    REQUIRE(r.ok());
    CHECK_FALSE(r->runnable());
    CHECK(r->files.empty());
    CHECK(r->exit_status() == 1);
    CHECK(format_report(*r, false).starts_with("elfin check: /etc/hostname-like: not an ELF file"));
}

TEST_CASE("check options: --json and -v apply to check only")
{
    auto o = parse_command_line({ "check", "--json", "-v", "/bin/true" });
    REQUIRE(o.ok());
    CHECK(o->command == Command::Check);
    CHECK(o->json);
    CHECK(o->verbose);
    auto run = parse_command_line({ "run", "--json", "/bin/true" });
    REQUIRE_FALSE(run.ok());
    CHECK(run.error().exit_code == EXIT_USAGE);
    CHECK(help_text("check").find("--json") != std::string::npos);
}
