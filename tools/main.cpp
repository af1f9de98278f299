// The CLI edge of `elfin`: turns the library's results into messages on
// stderr and an exit status. The only place exceptions are caught.
#include "tools/check.h"
#include "tools/dynamic.h"
#include "tools/packing.h"
#include "tools/file_util.h"
#include "tools/image.h"
#include "tools/launcher.h"
#include "tools/manifest.h"
#include "tools/options.h"
#include "tools/port_backlog.h"
#include "tools/program.h"
#include "tools/qemu_cmdline.h"
#include "tools/status.h"
#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

using namespace elfin;

namespace {

std::string join_phrases(const std::vector<std::string>& v)
{
    std::string s;
    for (auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

void say(const std::string& line)
{
    std::fflush(stdout);
    std::fprintf(stderr, "%s\n", line.c_str());
}

std::optional<std::string> host_getenv(const std::string& name)
{
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
}

std::string current_dir()
{
    char buf[4096];
    if (getcwd(buf, sizeof buf)) return buf;
    return "/";
}

Expected<std::string> find_kernel(const Options& o)
{
    std::string path, how;
    if (!o.kernel.empty()) path = o.kernel, how = "--kernel";
    else if (auto e = host_getenv("ELFIN_KERNEL"); e && !e->empty()) path = *e, how = "$ELFIN_KERNEL";
    else path = self_dir() + "/../kernel/elfin-kernel", how = "";
    struct stat st;
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        if (!how.empty()) return Error { how + ": no kernel at " + path };
        return Error { "the Elfin kernel is not built yet (looked for " + path
            + "): build it with scripts/elfin (which builds everything) or ninja -C build, or pass --kernel PATH" };
    }
    if (char* real = realpath(path.c_str(), nullptr)) {
        path = real;
        std::free(real);
    }
    return path;
}

struct Prepared {
    Program program;
    ImagePlan plan;
    std::string kernel;
};

Expected<Prepared> prepare(const Options& o, const std::string& cwd)
{
    std::string contents;
    Prepared p;
    p.program = ELFIN_TRY(load_program(o.program, cwd, host_getenv("PATH").value_or(""), contents));
    Manifest m;
    m.exe = p.program.guest_path;
    m.args.push_back(o.program);
    m.args.insert(m.args.end(), o.args.begin(), o.args.end());
    m.env = ELFIN_TRY(program_environment(o.env_overrides, host_getenv));
    if (auto dirs = extra_library_dirs(o.libs, host_search_config()); !dirs.empty()) {
        // --lib files in directories ld.so does not search: tell it where.
        std::string add;
        for (auto& d : dirs) add += (add.empty() ? "" : ":") + d;
        auto it = std::find_if(m.env.begin(), m.env.end(), [](auto& e) { return e.starts_with("LD_LIBRARY_PATH="); });
        if (it == m.env.end()) m.env.push_back("LD_LIBRARY_PATH=" + add);
        else *it += (it->size() > 16 ? ":" : "") + add;
        if (o.verbose) say("elfin: LD_LIBRARY_PATH gets " + add + " (for --lib)");
    }
    m.cwd = o.cwd;
    p.kernel = ELFIN_TRY(find_kernel(o));
    p.plan = ELFIN_TRY(plan_image(o, p.program, m));
    if (o.verbose) {
        for (auto& w : p.plan.warnings) say("elfin: " + w);
        if (!p.plan.automatic.empty()) say("elfin: added automatically: " + join_phrases(p.plan.automatic));
    }
    return p;
}

// "31.2 MB in 1520 files" for the progress notes.
std::string image_size_text(const ImagePlan& plan)
{
    char mb[32];
    std::snprintf(mb, sizeof mb, "%.1f MB", static_cast<double>(plan_data_bytes(plan)) / 1e6);
    return std::string(mb) + " in " + std::to_string(plan.entries.size()) + " entries";
}

// With -v, or when a big image is written for the first time: what is in it.
void note_image(const Options& o, const ImagePlan& plan, bool built, const std::string& where)
{
    if (o.verbose) say("elfin: image: " + image_size_text(plan));
    else if (built && plan_data_bytes(plan) > (16u << 20))
        say("elfin: packed " + (plan.automatic.empty() ? o.program : join_phrases(plan.automatic) + " with " + o.program)
            + ": " + image_size_text(plan) + where);
}

Expected<int> command_run(const Options& o, const std::string& cwd)
{
    std::string qemu = host_getenv("ELFIN_QEMU").value_or("qemu-system-x86_64");
    std::string qemu_path = find_in_path(qemu);
    if (qemu_path.empty())
        return Error { qemu + " not found: install qemu-system-x86 (apt-get install qemu-system-x86) or run scripts/setup" };
    ELFIN_TRY(check_host_ports(o.ports)); // before the work of packing
    if (o.net == NetMode::Tap) ELFIN_TRY(check_tap(o.tap));
    auto p = ELFIN_TRY(prepare(o, cwd));
    auto image = ELFIN_TRY(cached_image(p.plan, default_cache_dir(), o.no_cache));
    note_image(o, p.plan, !image.hit, " (cached for the next run)");
    // After the program is checked: a program that cannot run never starts QEMU.
    bool kvm = false;
    std::string no_kvm_why = "no KVM";
    if (o.accel == Accel::Kvm) {
        if (!kvm_usable()) return Error { "--accel kvm: /dev/kvm cannot be opened read-write (is KVM available, and are you in the kvm group?)" };
        auto probe = kvm_probe(qemu_path, default_cache_dir());
        if (!probe.ok) return Error { "--accel kvm: QEMU cannot run a vCPU with KVM here (" + probe.why + "); use --accel tcg" };
        kvm = true;
    } else if (o.accel == Accel::Auto && kvm_usable()) {
        auto probe = kvm_probe(qemu_path, default_cache_dir());
        kvm = probe.ok;
        if (!kvm) no_kvm_why = "/dev/kvm is there but QEMU cannot use it: " + probe.why;
    }
    if (o.verbose) {
        say("elfin: " + std::string(image.hit ? "image (cached): " : "image built: ") + image.path);
        say(kvm ? "elfin: using KVM" : "elfin: using TCG (" + no_kvm_why + "): slower");
    }
    QemuConfig c;
    c.qemu = qemu_path;
    c.machine = o.machine;
    c.kvm = kvm;
    c.smp = o.smp;
    c.mem_mib = o.mem_mib;
    c.kernel = p.kernel;
    c.initrd = image.path;
    auto stdio = probe_stdio();
    c.append = kernel_cmdline(o, stdio);
    c.status_path = STATUS_PATH;
    if (stdio.stderr_apart) c.stderr_path = PROGRAM_STDERR_PATH;
    c.gdb = o.gdb;
    c.net = o.net;
    c.ports = o.ports;
    c.tap = o.tap;
    auto argv = qemu_command_line(c);
    if (o.verbose) say("elfin: " + shell_join(argv) + " " + std::to_string(STATUS_FD) + ">status-pipe");
    if (o.gdb) {
        say("elfin: QEMU is waiting for a debugger on port 1234; attach with:");
        say("  " + gdb_attach_command(p.kernel));
    }
    LaunchOptions lo;
    lo.timeout_s = o.timeout_s;
    lo.verbose = o.verbose;
    lo.say = say;
    lo.ports = o.ports;
    auto result = launch_qemu(argv, lo);
    if (image.temporary) unlink(image.path.c_str());
    if (!result) return result.error();
    auto outcome = decide_outcome(result->report, result->end);
    // QEMU appended the program's stderr to the file behind ours through an
    // open of its own; without this our next line would overwrite its start.
    struct stat err_st;
    if (stdio.stderr_apart && fstat(STDERR_FILENO, &err_st) == 0 && S_ISREG(err_st.st_mode))
        lseek(STDERR_FILENO, 0, SEEK_END);
    for (auto& m : outcome.messages) say(m);
    if (o.verbose) {
        for (auto& l : result->report.other_lines) say("elfin: status channel: " + l);
        for (auto& n : outcome.notes) say(n);
    }
    return outcome.exit_code;
}

// The run script of an image with published TCP ports starts QEMU through
// the helper that raises their listen backlog: a copy goes next to it.
Status copy_backlog_helper(const std::string& dir)
{
    std::string helper = self_dir() + "/" + BACKLOG_HELPER;
    struct stat st;
    if (stat(helper.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return Error { std::string(BACKLOG_HELPER) + " is not built yet (looked for " + helper
            + "): build it with scripts/elfin (which builds everything) or ninja -C build" };
    return copy_file_atomic(helper, dir + "/" + BACKLOG_HELPER);
}

Expected<int> command_build(const Options& o, const std::string& cwd)
{
    auto p = ELFIN_TRY(prepare(o, cwd));
    ELFIN_TRY(make_dirs(o.output));
    ELFIN_TRY(copy_file_atomic(p.kernel, o.output + "/elfin-kernel"));
    ELFIN_TRY(write_image(p.plan, o.output + "/initramfs.cpio"));
    note_image(o, p.plan, true, "");
    std::string what = shell_join([&] {
        std::vector<std::string> v { o.program };
        v.insert(v.end(), o.args.begin(), o.args.end());
        return v;
    }());
    bool backlog = tcp_port_count(o.ports) > 0;
    if (backlog) ELFIN_TRY(copy_backlog_helper(o.output));
    ELFIN_TRY(write_file_atomic(o.output + "/run", run_script(o, what), 0755));
    std::string dir = o.output;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    say("elfin: wrote " + dir + "/elfin-kernel, " + dir + "/initramfs.cpio"
        + (backlog ? ", " + dir + "/" + BACKLOG_HELPER : "") + " and " + dir + "/run; start it with "
        + shell_quote(dir.find('/') == std::string::npos ? "./" + dir + "/run" : dir + "/run"));
    return 0;
}

Expected<int> command_check(const Options& o, const std::string& cwd)
{
    auto path = ELFIN_TRY(locate_program(o.program, cwd, host_getenv("PATH").value_or("")));
    auto report = ELFIN_TRY(check_program(o.program, path));
    std::cout << (o.json ? format_report_json(report) : format_report(report, o.verbose));
    return report.exit_status();
}

int run_cli(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        std::fputs(help_text("").c_str(), stderr);
        return EXIT_USAGE;
    }
    std::string cwd = current_dir();
    auto parsed = parse_command_line(args, cwd);
    if (!parsed) {
        say("elfin: " + parsed.error().message);
        return parsed.error().exit_code;
    }
    auto& o = *parsed;
    Expected<int> r = 0;
    switch (o.command) {
    case Command::Help: std::cout << help_text(o.help_topic); return 0;
    case Command::Version: std::cout << version_text(); return 0;
    case Command::Check: r = command_check(o, cwd); break;
    case Command::Run: r = command_run(o, cwd); break;
    case Command::Build: r = command_build(o, cwd); break;
    }
    if (!r) {
        say("elfin: " + r.error().message);
        return r.error().exit_code;
    }
    return *r;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        return run_cli(argc, argv);
    } catch (const std::exception& e) {
        say(std::string("elfin: internal error: ") + e.what());
        return 1;
    }
}
