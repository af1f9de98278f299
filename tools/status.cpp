#include "tools/status.h"

#include <algorithm>
#include <charconv>

namespace elfin {

namespace {

constexpr std::string_view PREFIX = "elfin-status ";

bool parse_int(std::string_view s, int lo, int hi, int& out)
{
    int v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) return false;
    out = v;
    return true;
}

std::string signal_name_fallback(int sig)
{
    if (sig >= 34 && sig <= 64) return "Real-time signal " + std::to_string(sig - 34);
    return "Unknown signal " + std::to_string(sig);
}

} // namespace

std::string unknown_syscall_message(std::string_view name)
{
    return "elfin: the program called " + std::string(name) + ", which Elfin does not implement (returned ENOSYS)";
}

std::vector<std::string> StatusParser::line(std::string_view l)
{
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    auto& r = m_report;
    if (r.kind == StatusReport::Kind::Panic) {
        r.panic_text.emplace_back(l);
        return {};
    }
    if (!l.starts_with(PREFIX)) {
        if (!l.empty()) r.other_lines.emplace_back(l);
        return {};
    }
    auto rest = l.substr(PREFIX.size());
    auto sp = rest.find(' ');
    auto word = rest.substr(0, sp);
    auto arg = sp == std::string_view::npos ? std::string_view {} : rest.substr(sp + 1);
    int v;
    // The first exit or signal wins; a panic overrides (it can strike while the
    // kernel is tearing the program down).
    bool decided = r.kind != StatusReport::Kind::None;
    if (word == "exit" && parse_int(arg, 0, 255, v)) {
        if (!decided) r.kind = StatusReport::Kind::Exit, r.value = v;
    } else if (word == "signal" && parse_int(arg, 1, 64, v)) {
        if (!decided) r.kind = StatusReport::Kind::Signal, r.value = v;
    } else if (word == "panic") {
        r.kind = StatusReport::Kind::Panic;
        r.value = 0;
        if (!arg.empty()) r.panic_text.emplace_back(arg);
    } else if (word == "unknown-syscall" && !arg.empty()) {
        if (std::find(r.unknown_syscalls.begin(), r.unknown_syscalls.end(), arg) == r.unknown_syscalls.end()) {
            r.unknown_syscalls.emplace_back(arg);
            return { unknown_syscall_message(arg) };
        }
    } else {
        r.other_lines.emplace_back(l);
    }
    return {};
}

std::vector<std::string> StatusParser::feed(std::string_view bytes)
{
    std::vector<std::string> out;
    m_partial.append(bytes);
    size_t start = 0;
    for (size_t nl; (nl = m_partial.find('\n', start)) != std::string::npos; start = nl + 1) {
        auto msgs = line(std::string_view(m_partial).substr(start, nl - start));
        out.insert(out.end(), msgs.begin(), msgs.end());
    }
    m_partial.erase(0, start);
    return out;
}

std::vector<std::string> StatusParser::finish()
{
    if (m_partial.empty()) return {};
    auto rest = std::move(m_partial);
    m_partial.clear();
    return line(rest);
}

std::string signal_words(int sig)
{
    switch (sig) {
    case 1: return "Hangup";
    case 2: return ""; // bash prints only a newline
    case 3: return "Quit";
    case 4: return "Illegal instruction";
    case 5: return "Trace/breakpoint trap";
    case 6: return "Aborted";
    case 7: return "Bus error";
    case 8: return "Floating point exception";
    case 9: return "Killed";
    case 10: return "User defined signal 1";
    case 11: return "Segmentation fault";
    case 12: return "User defined signal 2";
    case 13: return ""; // bash is silent about SIGPIPE
    case 14: return "Alarm clock";
    case 15: return "Terminated";
    case 16: return "Stack fault";
    case 17: return "Child exited";
    case 18: return "Continued";
    case 19: return "Stopped (signal)";
    case 20: return "Stopped";
    case 21: return "Stopped (tty input)";
    case 22: return "Stopped (tty output)";
    case 23: return "Urgent I/O condition";
    case 24: return "CPU time limit exceeded";
    case 25: return "File size limit exceeded";
    case 26: return "Virtual timer expired";
    case 27: return "Profiling timer expired";
    case 28: return "Window changed";
    case 29: return "I/O possible";
    case 30: return "Power failure";
    case 31: return "Bad system call";
    default: return signal_name_fallback(sig);
    }
}

namespace {

void add_stderr(std::vector<std::string>& out, const std::string& text)
{
    size_t start = 0;
    while (start < text.size()) {
        auto nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        if (nl > start) out.push_back("  " + text.substr(start, nl - start));
        start = nl + 1;
    }
}

} // namespace

Outcome decide_outcome(const StatusReport& r, const QemuEnd& end)
{
    Outcome o;
    using K = StatusReport::Kind;
    switch (r.kind) {
    case K::Panic: {
        std::string first = r.panic_text.empty() ? "(no panic text on the status channel; see the console above)" : r.panic_text[0];
        o.messages.push_back("elfin: kernel panic: " + first);
        for (size_t i = 1; i < r.panic_text.size(); i++)
            if (!r.panic_text[i].empty()) o.messages.push_back("  " + r.panic_text[i]);
        o.exit_code = 70;
        return o;
    }
    case K::Exit:
    case K::Signal: {
        int status = r.kind == K::Exit ? r.value : 128 + r.value;
        if (r.kind == K::Signal) {
            auto words = signal_words(r.value);
            if (!words.empty()) o.messages.push_back(words);
        }
        // QEMU's isa-debug-exit makes QEMU exit with (status << 1) | 1, cut to 8 bits.
        int expected = ((status & 0xff) << 1 | 1) & 0xff;
        if (!end.exited || end.code != expected)
            o.notes.push_back("elfin: note: QEMU ended with " + std::string(end.exited ? "exit status " : "signal ")
                + std::to_string(end.code) + ", not the " + std::to_string(expected) + " the exit device should give");
        o.exit_code = status;
        return o;
    }
    case K::None: break;
    }
    if (end.interrupted_by) {
        o.exit_code = 128 + end.interrupted_by;
        return o;
    }
    if (end.timed_out) {
        o.messages.push_back("elfin: the program was still running after " + std::to_string(end.timeout_s)
            + " s (--timeout); stopped the VM");
        o.exit_code = 124;
        return o;
    }
    if (!end.exited) {
        o.messages.push_back("elfin: QEMU was killed by signal " + std::to_string(end.code) + " (" + signal_words(end.code)
            + ") before the program finished");
        add_stderr(o.messages, end.stderr_text);
        o.exit_code = 1;
        return o;
    }
    if (end.code & 1 && end.code != 1) {
        // The kernel reached the exit device without a status line: trust the device.
        o.notes.push_back("elfin: note: no status line; taking the status from QEMU's exit device");
        o.exit_code = end.code >> 1;
        return o;
    }
    if (end.code == 0) {
        o.messages.push_back("elfin: the VM stopped without saying how the program ended "
            "(the kernel reset or triple-faulted; try --kernel-debug or --trace)");
        add_stderr(o.messages, end.stderr_text);
        o.exit_code = 71;
        return o;
    }
    std::string first = "elfin: QEMU failed (exit status " + std::to_string(end.code) + ")";
    if (end.stderr_text.empty()) first += " without a message";
    else first += ":";
    o.messages.push_back(first);
    add_stderr(o.messages, end.stderr_text);
    o.exit_code = 1;
    return o;
}

} // namespace elfin
