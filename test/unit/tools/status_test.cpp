#include "tools/status.h"

#include <catch2/catch.hpp>

using namespace elfin;

namespace {

StatusReport feed_all(std::string_view text, std::vector<std::string>* said = nullptr)
{
    StatusParser p;
    // byte by byte: lines may be split anywhere
    for (char c : text) {
        auto m = p.feed(std::string_view(&c, 1));
        if (said) said->insert(said->end(), m.begin(), m.end());
    }
    auto m = p.finish();
    if (said) said->insert(said->end(), m.begin(), m.end());
    return p.report();
}

QemuEnd qemu_exit(int code)
{
    QemuEnd e;
    e.code = code;
    return e;
}

} // namespace

TEST_CASE("status: exit N gives N")
{
    auto r = feed_all("elfin-status exit 42\n");
    CHECK(r.kind == StatusReport::Kind::Exit);
    CHECK(r.value == 42);
    auto o = decide_outcome(r, qemu_exit(85)); // (42 << 1) | 1
    CHECK(o.exit_code == 42);
    CHECK(o.messages.empty());
    CHECK(o.notes.empty());
}

TEST_CASE("status: exit 0 and large statuses, QEMU's 8-bit code checked")
{
    CHECK(decide_outcome(feed_all("elfin-status exit 0\n"), qemu_exit(1)).exit_code == 0);
    auto o = decide_outcome(feed_all("elfin-status exit 200\n"), qemu_exit((200 << 1 | 1) & 0xff));
    CHECK(o.exit_code == 200);
    CHECK(o.notes.empty());
    o = decide_outcome(feed_all("elfin-status exit 3\n"), qemu_exit(0));
    CHECK(o.exit_code == 3);
    CHECK(o.notes.size() == 1); // the mismatch is noted for -v
}

TEST_CASE("status: a last line without newline still counts")
{
    auto r = feed_all("elfin-status exit 7");
    CHECK(r.kind == StatusReport::Kind::Exit);
    CHECK(r.value == 7);
}

TEST_CASE("status: signals print the shell's words and give 128+N")
{
    auto o = decide_outcome(feed_all("elfin-status signal 11\n"), qemu_exit(((128 + 11) << 1 | 1) & 0xff));
    CHECK(o.exit_code == 139);
    REQUIRE(o.messages.size() == 1);
    CHECK(o.messages[0] == "Segmentation fault");
    CHECK(decide_outcome(feed_all("elfin-status signal 6\n"), qemu_exit(0)).messages[0] == "Aborted");
    CHECK(decide_outcome(feed_all("elfin-status signal 9\n"), qemu_exit(0)).messages[0] == "Killed");
    CHECK(decide_outcome(feed_all("elfin-status signal 9\n"), qemu_exit(0)).exit_code == 137);
    // bash stays quiet about SIGPIPE and SIGINT
    CHECK(decide_outcome(feed_all("elfin-status signal 13\n"), qemu_exit(0)).messages.empty());
    CHECK(decide_outcome(feed_all("elfin-status signal 2\n"), qemu_exit(0)).exit_code == 130);
    CHECK(signal_words(4) == "Illegal instruction");
    CHECK(signal_words(8) == "Floating point exception");
    CHECK(signal_words(15) == "Terminated");
    CHECK(signal_words(35) == "Real-time signal 1");
}

TEST_CASE("status: the first exit or signal wins, a panic overrides")
{
    auto r = feed_all("elfin-status exit 1\nelfin-status exit 2\n");
    CHECK(r.value == 1);
    r = feed_all("elfin-status exit 1\nelfin-status panic\nboom at 0x1234\n  backtrace\n");
    CHECK(r.kind == StatusReport::Kind::Panic);
}

TEST_CASE("status: panic prints the text that follows and exits 70")
{
    auto r = feed_all("elfin-status panic\nVERIFY failed: x != 0 at mm/phys.cpp:42\nrip 0xffffffff80001234\n");
    CHECK(r.panic_text == std::vector<std::string> { "VERIFY failed: x != 0 at mm/phys.cpp:42", "rip 0xffffffff80001234" });
    auto o = decide_outcome(r, qemu_exit(255));
    CHECK(o.exit_code == 70);
    REQUIRE(o.messages.size() == 2);
    CHECK(o.messages[0] == "elfin: kernel panic: VERIFY failed: x != 0 at mm/phys.cpp:42");
    CHECK(o.messages[1] == "  rip 0xffffffff80001234");
    // without text
    o = decide_outcome(feed_all("elfin-status panic\n"), qemu_exit(255));
    CHECK(o.exit_code == 70);
    CHECK(o.messages[0].starts_with("elfin: kernel panic: "));
}

TEST_CASE("status: unknown syscalls are reported once each, as they arrive")
{
    std::vector<std::string> said;
    auto r = feed_all("elfin-status unknown-syscall io_uring_setup\nelfin-status unknown-syscall io_uring_setup\n"
                      "elfin-status unknown-syscall bpf\nelfin-status exit 0\n",
        &said);
    CHECK(said == std::vector<std::string> {
        "elfin: the program called io_uring_setup, which Elfin does not implement (returned ENOSYS)",
        "elfin: the program called bpf, which Elfin does not implement (returned ENOSYS)" });
    CHECK(r.unknown_syscalls.size() == 2);
    CHECK(r.kind == StatusReport::Kind::Exit);
}

TEST_CASE("status: garbage lines are kept aside, bad numbers ignored")
{
    auto r = feed_all("hello\nelfin-status exit banana\nelfin-status exit 300\nelfin-status signal 0\n");
    CHECK(r.kind == StatusReport::Kind::None);
    CHECK(r.other_lines.size() == 4);
}

TEST_CASE("status: no status line: QEMU's failure is reported with its stderr")
{
    QemuEnd e = qemu_exit(1);
    e.stderr_text = "qemu-system-x86_64: -kernel k: could not load kernel\nsecond line\n";
    auto o = decide_outcome({}, e);
    CHECK(o.exit_code == 1);
    REQUIRE(o.messages.size() == 3);
    CHECK(o.messages[0] == "elfin: QEMU failed (exit status 1):");
    CHECK(o.messages[1] == "  qemu-system-x86_64: -kernel k: could not load kernel");

    o = decide_outcome({}, qemu_exit(0));
    CHECK(o.exit_code == 71);
    CHECK(o.messages[0].find("without saying how the program ended") != std::string::npos);

    QemuEnd killed;
    killed.exited = false;
    killed.code = 9;
    o = decide_outcome({}, killed);
    CHECK(o.exit_code == 1);
    CHECK(o.messages[0].find("killed by signal 9 (Killed)") != std::string::npos);

    // the exit device alone: trust it
    CHECK(decide_outcome({}, qemu_exit(7)).exit_code == 3);
}

TEST_CASE("status: interrupted and timed out runs")
{
    QemuEnd e = qemu_exit(0);
    e.interrupted_by = 2;
    auto o = decide_outcome({}, e);
    CHECK(o.exit_code == 130);
    CHECK(o.messages.empty());
    QemuEnd t = qemu_exit(0);
    t.timed_out = true;
    t.timeout_s = 5;
    o = decide_outcome({}, t);
    CHECK(o.exit_code == 124);
    CHECK(o.messages[0].find("after 5 s") != std::string::npos);
    // a status that made it out before the interruption still counts
    CHECK(decide_outcome(feed_all("elfin-status exit 4\n"), e).exit_code == 4);
}

TEST_CASE("status: every unknown syscall is reported once, by name")
{
    StatusParser p;
    std::string text = "elfin-status unknown-syscall rseq\nelfin-status unknown-syscall bpf\nelfin-status unknown-syscall bpf\n";
    auto msgs = p.feed(text);
    CHECK(msgs == std::vector<std::string> { unknown_syscall_message("rseq"), unknown_syscall_message("bpf") });
    CHECK(p.report().unknown_syscalls.size() == 2);
}

