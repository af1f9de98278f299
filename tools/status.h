#pragma once
// The status channel (docs/boot-protocol.md §4) and what elfin's exit status
// and messages become once the VM is gone.
#include <string>
#include <string_view>
#include <vector>

namespace elfin {

struct StatusReport {
    enum class Kind { None, Exit, Signal, Panic };
    Kind kind = Kind::None;
    int value = 0;                             // exit status or signal number
    std::vector<std::string> panic_text;       // lines after "elfin-status panic"
    std::vector<std::string> unknown_syscalls; // in the order first seen, each once
    std::vector<std::string> other_lines;      // anything not understood (shown with -v)
};

// Reads the status channel as bytes arrive, in any split.
class StatusParser {
public:
    // Every unknown syscall is reported once, by name: the kernel implements
    // what libc probes at start-up, so these lines always matter.
    StatusParser() = default;

    // Returns the messages to print now (one per newly seen unknown syscall).
    std::vector<std::string> feed(std::string_view bytes);
    // Call at end of stream: a last line without a newline still counts.
    std::vector<std::string> finish();
    const StatusReport& report() const { return m_report; }

private:
    std::vector<std::string> line(std::string_view l);
    std::string m_partial;
    StatusReport m_report;
};

// How QEMU ended, and what happened around it on the host.
struct QemuEnd {
    bool exited = true;          // false: killed by a signal
    int code = 0;                // exit code, or the signal number when !exited
    std::string stderr_text;     // what QEMU printed on stderr
    bool timed_out = false;
    unsigned timeout_s = 0;
    int interrupted_by = 0;      // SIGINT/SIGTERM/SIGHUP sent to elfin, or 0
};

struct Outcome {
    int exit_code = 0;
    std::vector<std::string> messages; // for stderr, one line each, in order
    std::vector<std::string> notes;    // for stderr with --verbose
};

Outcome decide_outcome(const StatusReport& report, const QemuEnd& end);

// What bash prints for a process killed by `sig` ("Segmentation fault"); empty
// for the signals bash keeps quiet about (SIGINT, SIGPIPE).
std::string signal_words(int sig);

std::string unknown_syscall_message(std::string_view name);

} // namespace elfin
