// The real `elfin` binary against a fake kernel (tools/testdata/fake_kernel.S)
// under QEMU: the status channel, exit codes, messages, timeouts, signals,
// `elfin build`, and the errors a person sees. Skipped (with a warning) when
// QEMU, the tool or the fake kernel is not there.
#include "tools/cpio.h"
#include "tools/file_util.h"
#include "tools/launcher.h"
#include "tools/manifest.h"

#include <algorithm>

#include <catch2/catch.hpp>
#include <sstream>
#include <fstream>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace elfin;

namespace {

struct Run {
    int rc = -1;
    std::string out, err;
};

struct Env {
    std::string tool, fake_kernel, tmp;
    bool ready = false;
};

bool exists(const std::string& p)
{
    struct stat st;
    return stat(p.c_str(), &st) == 0;
}

const Env& env()
{
    static Env e = [] {
        Env e;
        std::string self = self_dir();
        // unit_tests lives in build/test/unit, tool_unit_tests in build/tools.
        for (auto dir : { self + "/../../tools", self }) {
            if (exists(dir + "/elfin") && exists(dir + "/fake-kernel")) {
                e.tool = dir + "/elfin";
                e.fake_kernel = dir + "/fake-kernel";
                break;
            }
        }
        char tmpl[] = "/tmp/elfin-launcher-test-XXXXXX";
        if (mkdtemp(tmpl)) e.tmp = tmpl;
        e.ready = !e.tool.empty() && !e.tmp.empty() && system("command -v qemu-system-x86_64 >/dev/null 2>&1") == 0;
        return e;
    }();
    return e;
}

#define REQUIRE_QEMU_ENV()                                                              \
    do {                                                                                \
        if (!env().ready) {                                                             \
            WARN("elfin, the fake kernel or QEMU is missing: skipping the VM tests");   \
            return;                                                                     \
        }                                                                               \
    } while (0)

Run sh(const std::string& cmd)
{
    std::string out = env().tmp + "/out", err = env().tmp + "/err";
    std::string full = "XDG_CACHE_HOME=" + env().tmp + "/cache " + cmd + " >" + out + " 2>" + err + " </dev/null";
    int st = system(full.c_str());
    Run r;
    r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = read_file(out, out).value();
    r.err = read_file(err, err).value();
    return r;
}

// The program packed is busybox (any valid static ELF would do); the fake
// kernel ignores it and plays `script`.
Run boot(const std::string& script, const std::string& options = "")
{
    std::string path = env().tmp + "/script";
    std::ofstream(path, std::ios::binary) << "FAKEKERNEL:" << script << '\0';
    return sh(env().tool + " run --kernel " + env().fake_kernel + " --file " + path + ":/script " + options + " /bin/busybox true");
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The kernel command line the fake kernel echoed, without the words that say
// how elfin's own descriptors look (they depend on how the test is run), which
// must each be one of the known ones.
std::string without_stdio_words(const std::string& line)
{
    std::string out, word;
    std::istringstream in(line);
    while (in >> word) {
        if (word == "stdin-notty" || word == "stdout-notty" || word == "stderr-notty" || word == "stderr-com2") continue;
        out += (out.empty() ? "" : " ") + word;
    }
    return out + (line.ends_with("\n") ? "\n" : "");
}

} // namespace

TEST_CASE("launcher: exit status, console on stdout, unknown syscalls on stderr")
{
    REQUIRE_QEMU_ENV();
    auto r = boot("Chello from the guest\nSelfin-status unknown-syscall io_uring_setup\nSelfin-status unknown-syscall io_uring_setup\nSelfin-status exit 42\nX42");
    CHECK(r.rc == 42);
    CHECK(r.out == "hello from the guest\n");
    CHECK(r.err == "elfin: the program called io_uring_setup, which Elfin does not implement (returned ENOSYS)\n");
}

TEST_CASE("launcher: exit 0 and statuses of 128 and more")
{
    REQUIRE_QEMU_ENV();
    CHECK(boot("Selfin-status exit 0\nX0").rc == 0);
    auto r = boot("Selfin-status exit 200\nX200");
    CHECK(r.rc == 200);
    CHECK(r.err.empty());
}

TEST_CASE("launcher: killed by a signal: the shell's words and 128+N")
{
    REQUIRE_QEMU_ENV();
    auto r = boot("Selfin-status signal 11\nX139");
    CHECK(r.rc == 139);
    CHECK(r.err == "Segmentation fault\n");
    r = boot("Selfin-status signal 6\nX134");
    CHECK(r.rc == 134);
    CHECK(r.err == "Aborted\n");
}

TEST_CASE("launcher: kernel panic: the text and exit 70")
{
    REQUIRE_QEMU_ENV();
    auto r = boot("CPANIC on the console\nSelfin-status panic\nSout of frames in mm/phys.cpp:12\nSrip=0xffff8000\nX255");
    CHECK(r.rc == 70);
    CHECK(has(r.out, "PANIC on the console"));
    CHECK(has(r.err, "elfin: kernel panic: out of frames in mm/phys.cpp:12\n  rip=0xffff8000\n"));
}

TEST_CASE("launcher: the VM stops without a status")
{
    REQUIRE_QEMU_ENV();
    auto r = boot("Cabout to crash\nT");
    CHECK(r.rc == 71);
    CHECK(has(r.err, "the VM stopped without saying how the program ended"));
}

TEST_CASE("launcher: --timeout stops a hung VM")
{
    REQUIRE_QEMU_ENV();
    auto r = boot("Cstuck\nH", "--timeout 1");
    CHECK(r.rc == 124);
    CHECK(has(r.err, "still running after 1 s"));
    CHECK_FALSE(has(r.err, "terminating on signal"));
}

TEST_CASE("launcher: SIGTERM to elfin stops QEMU and leaves nothing behind")
{
    REQUIRE_QEMU_ENV();
    std::string path = env().tmp + "/script";
    std::ofstream(path, std::ios::binary) << "FAKEKERNEL:H" << '\0';
    std::string cache = env().tmp + "/sigcache";
    auto r = sh("sh -c 'XDG_CACHE_HOME=" + cache + " " + env().tool + " run --kernel " + env().fake_kernel + " --file " + path
        + ":/script /bin/busybox true & pid=$!; sleep 1; kill -TERM $pid; wait $pid; echo rc=$?; sleep 0.2; "
          "pgrep -f \"[q]emu-system-x86_64.*" + cache + "\" >/dev/null && echo qemu-left || echo qemu-gone'");
    CHECK(has(r.out, "rc=143"));
    CHECK(has(r.out, "qemu-gone"));
}

TEST_CASE("launcher: q35, and the kernel command line from the options")
{
    REQUIRE_QEMU_ENV();
    auto r = boot("A\nSelfin-status exit 5\nX5", "--machine q35 --trace --no-aslr --kernel-debug --smp 2 --mem 256M");
    CHECK(r.rc == 5);
    CHECK(without_stdio_words(r.out) == "trace noaslr debug\n");
    // The test captures stdout and stderr in two different places.
    CHECK(has(r.out, "stdout-notty"));
    CHECK(has(r.out, "stderr-com2"));
}

TEST_CASE("launcher: -v shows the QEMU command line and the accelerator")
{
    REQUIRE_QEMU_ENV();
    auto r = boot("Selfin-status exit 0\nX0", "-v --accel tcg");
    CHECK(r.rc == 0);
    CHECK(has(r.err, "qemu-system-x86_64 -M microvm"));
    CHECK(has(r.err, "elfin: using TCG (no KVM): slower"));
}

TEST_CASE("launcher: the image holds the program at its path and the manifest")
{
    REQUIRE_QEMU_ENV();
    std::string out = env().tmp + "/b1";
    auto r = sh(env().tool + " build --kernel " + env().fake_kernel + " -e GREETING=hi /bin/busybox echo 'a b' -o " + out);
    REQUIRE(r.rc == 0);
    auto image = read_file(out + "/initramfs.cpio", "image");
    REQUIRE(image.ok());
    auto entries = parse_cpio(*image);
    REQUIRE(entries.ok());
    bool found_exe = false, found_manifest = false;
    for (auto& e : *entries) {
        if (e.name == "bin/busybox") found_exe = (e.mode & 0111) != 0;
        if (e.name == ".elfin/manifest") {
            found_manifest = true;
            auto m = decode_manifest(e.data);
            REQUIRE(m.ok());
            CHECK(m->exe == "/bin/busybox");
            CHECK(m->args == std::vector<std::string> { "/bin/busybox", "echo", "a b" });
            CHECK(std::find(m->env.begin(), m->env.end(), "GREETING=hi") != m->env.end());
            CHECK(std::find(m->env.begin(), m->env.end(), "HOME=/") != m->env.end());
        }
    }
    CHECK(found_exe);
    CHECK(found_manifest);
}

TEST_CASE("launcher: elfin build writes a run script that works without elfin")
{
    REQUIRE_QEMU_ENV();
    std::string script = env().tmp + "/bscript";
    std::ofstream(script, std::ios::binary) << "FAKEKERNEL:Cfrom the run script\nA\nSelfin-status exit 9\nX9" << '\0';
    std::string out = env().tmp + "/b2";
    auto r = sh(env().tool + " build --trace --kernel " + env().fake_kernel + " --file " + script + ":/script /bin/busybox true -o " + out);
    REQUIRE(r.rc == 0);
    CHECK(has(r.err, "wrote " + out + "/elfin-kernel"));
    struct stat st;
    REQUIRE(stat((out + "/run").c_str(), &st) == 0);
    CHECK((st.st_mode & 0100) != 0);
    CHECK(exists(out + "/elfin-kernel"));
    r = sh(out + "/run");
    CHECK(r.rc == 9);
    CHECK(r.out.starts_with("from the run script\n"));
    CHECK(without_stdio_words(r.out.substr(20)) == "trace\n");
    CHECK(has(r.out, "stdout-notty"));
    // a signal through the script
    std::ofstream(script, std::ios::binary) << "FAKEKERNEL:Selfin-status signal 9\nX137" << '\0';
    REQUIRE(sh(env().tool + " build --kernel " + env().fake_kernel + " --file " + script + ":/script /bin/busybox true -o " + out).rc == 0);
    CHECK(sh(out + "/run").rc == 137);
}

TEST_CASE("launcher: errors a person sees, with exit 2 for usage and 1 otherwise")
{
    REQUIRE_QEMU_ENV();
    auto r = sh(env().tool + " run --mem 12Q /bin/busybox true");
    CHECK(r.rc == 2);
    CHECK(r.err == "elfin: --mem wants a size like 64M, 512M or 2G, not '12Q'\n");
    r = sh(env().tool + " run --bogus /bin/busybox");
    CHECK(r.rc == 2);
    CHECK(has(r.err, "see 'elfin help run'"));
    r = sh(env().tool + " run /etc/passwd");
    CHECK(r.rc == 1);
    CHECK(r.err == "elfin: /etc/passwd: not an ELF file (Elfin runs x86-64 Linux ELF programs)\n");
    r = sh(env().tool + " run /nonexistent/prog");
    CHECK(r.rc == 1);
    CHECK(has(r.err, "/nonexistent/prog: no such file"));
    r = sh(env().tool + " run /tmp");
    CHECK(r.rc == 1);
    CHECK(has(r.err, "is a directory"));
    r = sh("ELFIN_QEMU=/nonexistent/qemu " + env().tool + " run --kernel " + env().fake_kernel + " /bin/busybox true");
    CHECK(r.rc == 1);
    CHECK(has(r.err, "install qemu-system-x86"));
    r = sh(env().tool + " run --kernel /nonexistent/kernel /bin/busybox true");
    CHECK(r.rc == 1);
    CHECK(has(r.err, "--kernel: no kernel at /nonexistent/kernel"));
    r = sh(env().tool + " --help");
    CHECK(r.rc == 0);
    CHECK(has(r.out, "elfin run"));
    r = sh(env().tool + " --version");
    CHECK(r.rc == 0);
    CHECK(r.out.starts_with("elfin "));
}

TEST_CASE("launcher: a published host port already in use is refused before boot")
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(s >= 0);
    sockaddr_in a {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0); // any free port
    REQUIRE(listen(s, 1) == 0);
    socklen_t len = sizeof a;
    REQUIRE(getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    uint16_t taken = ntohs(a.sin_port);
    auto r = check_host_ports({ PortForward { "127.0.0.1", taken, 80, false } });
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("port " + std::to_string(taken) + " on 127.0.0.1 is already in use") != std::string::npos);
    close(s);
    CHECK(check_host_ports({ PortForward { "127.0.0.1", taken, 80, false } }).ok()); // free again
}

TEST_CASE("launcher: --net tap:NAME is checked before boot")
{
    auto missing = check_tap("elfin-nosuch9");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find("no interface elfin-nosuch9; make it first: ip tuntap add dev elfin-nosuch9") != std::string::npos);
    // lo exists but is no tap device: refused by the kernel's TUNSETIFF when
    // this user may open /dev/net/tun, else the open is what fails.
    auto lo = check_tap("lo");
    REQUIRE_FALSE(lo.ok());
    bool can_open = access("/dev/net/tun", R_OK | W_OK) == 0;
    CHECK(lo.error().message.find(can_open ? "lo is not a tap device" : "cannot open /dev/net/tun") != std::string::npos);
}
