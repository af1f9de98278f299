// /proc: the files, the source, the tree and its dynamic entries.
#include "fs/procfs.h"
#include "fs/path.h"
#include "fs/sysfs.h"
#include "fs/vfs.h"
#include "mm/address_space.h"

namespace fs {

namespace {

// ---- The source, with defaults for what nobody registered -------------------

void default_process(ProcProcess& p)
{
    p = ProcProcess {};
    for (int i = 0; i < PROC_NLIMITS; i++) p.rlim_cur[i] = p.rlim_max[i] = ~0ull;
}
ErrorOr default_for_each_vma(ProcVmaVisitor, void*) { return {}; }
void default_memory(ProcMemory& m) { m = { 64ull << 20, 32ull << 20 }; }
ProcCpuid default_cpuid(u32, u32) { return {}; }
u64 default_tsc_hz() { return 0; }
u64 zero_ns() { return 0; }
void default_random(u8* buf, size_t n)
{
    // Only for the host without a fake: distinct, not random.
    static u64 state = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        buf[i] = u8(state >> 56);
    }
}
void default_auxv(ProcText& out)
{
    const u64 pairs[] = { 6 /* AT_PAGESZ */, PAGE_SIZE, 17 /* AT_CLKTCK */, 100, 0, 0 };
    out.append_bytes(pairs, sizeof pairs);
}

int default_cpu_count() { return 1; }
u32 default_apic_id(int cpu) { return u32(cpu); }

const ProcSource DEFAULT_SOURCE = {
    default_process, default_for_each_vma, default_memory, default_cpuid, default_tsc_hz,
    zero_ns, zero_ns, default_random, default_auxv, default_cpu_count, default_apic_id,
};
ProcSource g_source = DEFAULT_SOURCE;

template<typename T>
void pick(T& slot, T given, T fallback) { slot = given ? given : fallback; }

// ---- Pieces of the tree ------------------------------------------------------

// Creating in /proc answers ENOENT, as Linux's proc_lookup finds nothing.
Result<core::Ref<Directory>> proc_dir(Directory& parent, core::StringView name, u32 perms = 0555)
{
    return pseudo_dir(parent, name, perms, Errno::ENOENT);
}

ErrorOr add_file(Directory& dir, core::StringView name, ProcGenerator gen, const void* arg = nullptr)
{
    auto f = TRY(ProcFile::create(gen, arg));
    return dir.put(name, f);
}

ErrorOr add_link(Directory& dir, core::StringView name, core::StringView target)
{
    auto l = TRY(Symlink::create(target));
    return dir.put(name, l);
}

// NUL-terminated strings one after the other (cmdline, environ).
Result<core::String> joined(const core::Vector<core::String>& list)
{
    size_t len = 0;
    for (auto& s : list) len += s.length() + 1;
    char* buf = new (std::nothrow) char[len ? len : 1];
    if (!buf) return Errno::ENOMEM;
    size_t at = 0;
    for (auto& s : list) {
        memcpy(buf + at, s.c_str(), s.length() + 1);
        at += s.length() + 1;
    }
    auto r = core::String::from({ buf, len });
    delete[] buf;
    return r;
}

char g_comm[16];
size_t g_comm_len;
core::String* g_exe_path;

void set_comm(core::StringView exe)
{
    if (!g_exe_path) g_exe_path = new (std::nothrow) core::String();
    if (g_exe_path) {
        auto copy = core::String::from(exe);
        if (!copy.is_error()) *g_exe_path = copy.release_value();
    }
    size_t slash = exe.rfind('/');
    core::StringView base = slash == SIZE_MAX ? exe : exe.substr(slash + 1);
    g_comm_len = base.length() < 15 ? base.length() : 15;
    memcpy(g_comm, base.chars(), g_comm_len);
    g_comm[g_comm_len] = 0;
}

} // namespace

void proc_rename(core::StringView name)
{
    g_comm_len = name.length() < 15 ? name.length() : 15;
    memcpy(g_comm, name.chars(), g_comm_len);
    g_comm[g_comm_len] = 0;
}

namespace {

int current_pid()
{
    ProcProcess p;
    proc_source().process(p);
    return p.pid;
}

void format_pid(char (&buf)[16], int pid) { core::format(buf, sizeof buf, "%d", pid); }

Result<core::Ref<Directory>> pid_dir(Directory& root)
{
    auto proc = root.lookup("proc");
    if (!proc || !proc->is_directory()) return Errno::ENOENT;
    char pid[16];
    format_pid(pid, current_pid());
    auto dir = proc->as_directory()->lookup(pid);
    if (!dir || !dir->is_directory()) return Errno::ENOENT;
    return core::Ref<Directory>(dir->as_directory());
}

// ---- /proc/<pid>/fd ------------------------------------------------------------

// What the fd directory was last built from: a descriptor is unchanged while
// it holds the same open file on the same inode (inode numbers are never
// reused, so a recycled OpenFile address cannot fool this).
struct FdSeen {
    int fd;
    const OpenFile* file;
    u64 ino;
};
struct FdDirState {
    core::Ref<Directory> dir; // keeps the address from being reused
    core::Vector<FdSeen> seen;
};
core::Vector<FdDirState>* g_fd_states;

FdDirState* state_for(Directory& dir)
{
    if (!g_fd_states) {
        g_fd_states = new (std::nothrow) core::Vector<FdDirState>();
        if (!g_fd_states) return nullptr;
    }
    for (auto& s : *g_fd_states)
        if (s.dir.ptr() == &dir) return &s;
    FdDirState s;
    s.dir = core::Ref<Directory>(&dir);
    if (g_fd_states->append(std::move(s)).is_error()) return nullptr;
    return &g_fd_states->last();
}

// Finds `target` below `dir` (depth first, /proc and /sys left out); appends
// the names on the way to `path`.
bool find_path(Directory& dir, Inode& target, ProcText& path, int depth, bool at_root)
{
    if (depth > 64) return false;
    auto skipped = [&](const DirEntry& e) { return at_root && (e.name == "proc" || e.name == "sys"); };
    for (size_t i = 0; i < dir.entry_count(); i++) {
        auto& e = dir.entry(i);
        if (skipped(e) || e.inode.ptr() != &target) continue;
        path.append_char('/');
        path.append(e.name.view());
        return true;
    }
    for (size_t i = 0; i < dir.entry_count(); i++) {
        auto& e = dir.entry(i);
        Directory* sub = e.inode->as_directory();
        if (skipped(e) || !sub) continue;
        size_t mark = path.size();
        path.append_char('/');
        path.append(e.name.view());
        if (find_path(*sub, target, path, depth + 1, false)) return true;
        path.truncate(mark);
    }
    return false;
}

} // namespace

// ---- ProcSource ----------------------------------------------------------------

void set_proc_source(const ProcSource* s)
{
    if (!s) {
        g_source = DEFAULT_SOURCE;
        return;
    }
    pick(g_source.process, s->process, DEFAULT_SOURCE.process);
    pick(g_source.for_each_vma, s->for_each_vma, DEFAULT_SOURCE.for_each_vma);
    pick(g_source.memory, s->memory, DEFAULT_SOURCE.memory);
    pick(g_source.cpuid, s->cpuid, DEFAULT_SOURCE.cpuid);
    pick(g_source.tsc_hz, s->tsc_hz, DEFAULT_SOURCE.tsc_hz);
    pick(g_source.uptime_ns, s->uptime_ns, DEFAULT_SOURCE.uptime_ns);
    pick(g_source.realtime_ns, s->realtime_ns, DEFAULT_SOURCE.realtime_ns);
    pick(g_source.random, s->random, DEFAULT_SOURCE.random);
    pick(g_source.auxv, s->auxv, DEFAULT_SOURCE.auxv);
    pick(g_source.cpu_count, s->cpu_count, DEFAULT_SOURCE.cpu_count);
    pick(g_source.apic_id, s->apic_id, DEFAULT_SOURCE.apic_id);
}

const ProcSource& proc_source() { return g_source; }

Result<core::Ref<Directory>> pseudo_dir(Directory& parent, core::StringView name, u32 perms, Errno create_error)
{
    core::Ref<Directory> dir;
    core::Ref<Inode> existing = parent.lookup(name);
    if (existing && existing->is_directory()) {
        dir = core::Ref<Directory>(existing->as_directory());
    } else {
        dir = TRY(Directory::create(perms));
        TRY(parent.put(name, dir));
    }
    dir->set_allows_create(false);
    dir->set_create_error(create_error);
    return dir;
}

ErrorOr add_text(Directory& dir, core::StringView name, core::StringView text, u32 perms)
{
    auto f = TRY(ProcFile::create_text(text, perms));
    return dir.put(name, f);
}

core::StringView proc_comm() { return { g_comm, g_comm_len }; }
core::StringView proc_exe_path() { return g_exe_path ? g_exe_path->view() : core::StringView(); }

// ---- ProcFile --------------------------------------------------------------------

Result<core::Ref<ProcFile>> ProcFile::create(ProcGenerator gen, const void* arg, u32 perms)
{
    auto* p = new (std::nothrow) ProcFile(gen, arg, perms);
    if (!p) return Errno::ENOMEM;
    return core::Ref<ProcFile>(p);
}

Result<core::Ref<ProcFile>> ProcFile::create_text(core::StringView text, u32 perms)
{
    auto f = TRY(create(nullptr, nullptr, perms));
    f->m_fixed = TRY(core::String::from(text));
    return f;
}

ProcFile::~ProcFile() { delete[] m_snapshot; }

Result<size_t> ProcFile::read(u64 offset, IoBuffer& buf, size_t n, u32)
{
    const char* data;
    size_t size;
    if (!m_gen) {
        data = m_fixed.c_str();
        size = m_fixed.length();
    } else {
        if (offset == 0 || !m_has_snapshot) {
            ProcText text;
            m_gen(text, *this);
            if (text.failed()) return Errno::ENOMEM;
            delete[] m_snapshot;
            m_snapshot_size = text.size();
            m_snapshot = text.take();
            m_has_snapshot = true;
        }
        data = m_snapshot ? m_snapshot : "";
        size = m_snapshot_size;
    }
    if (offset >= size) return size_t(0);
    size_t len = size - offset < n ? size - offset : n;
    TRY(buf.copy_out(0, data + offset, len));
    return len;
}

// ---- Mounting ----------------------------------------------------------------------

ErrorOr proc_set_exe(Directory& root, core::StringView path)
{
    set_comm(path);
    auto dir = TRY(pid_dir(root));
    return add_link(*dir, "exe", path);
}

ErrorOr mount_proc(Directory& root, const Manifest& manifest)
{
    char pid[16];
    format_pid(pid, current_pid());
    auto proc = TRY(proc_dir(root, "proc"));

    // ---- /proc/<pid> ----
    auto self = TRY(proc_dir(*proc, pid));
    TRY(add_link(*proc, "self", pid));
    TRY(add_link(*proc, "thread-self", "self/task/self"));
    if (manifest.present) {
        set_comm(manifest.exe.view());
        TRY(add_link(*self, "exe", manifest.exe.view()));
        TRY(add_text(*self, "cmdline", TRY(joined(manifest.argv)).view()));
        TRY(add_text(*self, "environ", TRY(joined(manifest.envp)).view(), 0400));
    } else {
        TRY(add_text(*self, "cmdline", ""));
        TRY(add_text(*self, "environ", "", 0400));
    }
    TRY(add_link(*self, "cwd", "/"));
    TRY(add_link(*self, "root", "/"));
    TRY(proc_dir(*self, "fd", 0500));
    TRY(add_file(*self, "maps", gen_pid_maps));
    TRY(add_file(*self, "status", gen_pid_status));
    TRY(add_file(*self, "stat", gen_pid_stat));
    TRY(add_file(*self, "statm", gen_pid_statm));
    TRY(add_file(*self, "limits", gen_pid_limits));
    TRY(add_file(*self, "auxv", gen_pid_auxv));
    TRY(add_file(*self, "mounts", gen_pid_mounts));
    TRY(add_file(*self, "mountinfo", gen_pid_mountinfo));
    TRY(add_file(*self, "comm", gen_pid_comm));
    TRY(add_text(*self, "oom_score_adj", "0\n", 0644));
    TRY(add_text(*self, "cgroup", "0::/\n"));
    // task/<tid>: the one thread is the process itself.
    auto task = TRY(proc_dir(*self, "task"));
    TRY(add_link(*task, pid, ".."));

    // ---- system-wide ----
    TRY(add_link(*proc, "mounts", "self/mounts"));
    TRY(add_file(*proc, "cpuinfo", gen_cpuinfo));
    TRY(add_file(*proc, "meminfo", gen_meminfo));
    auto proc_net = TRY(proc_dir(*proc, "net"));
    TRY(add_file(*proc_net, "unix", gen_net_unix));
    TRY(add_file(*proc, "stat", gen_stat));
    TRY(add_file(*proc, "uptime", gen_uptime));
    TRY(add_file(*proc, "loadavg", gen_loadavg));
    TRY(add_text(*proc, "filesystems",
        "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\nnodev\tramfs\nnodev\tpipefs\n"));
    TRY(add_text(*proc, "version",
        "Linux version 6.1.0-elfin (elfin@elfin) (gcc) #1 SMP Elfin unikernel\n"));
    TRY(add_text(*proc, "cmdline", "elfin\n"));

    // ---- /proc/sys ----
    auto sys = TRY(proc_dir(*proc, "sys"));
    auto kernel = TRY(proc_dir(*sys, "kernel"));
    TRY(add_text(*kernel, "ostype", "Linux\n"));
    TRY(add_text(*kernel, "osrelease", "6.1.0-elfin\n"));
    TRY(add_text(*kernel, "version", "#1 SMP Elfin unikernel\n"));
    TRY(add_text(*kernel, "hostname", "elfin\n", 0644));
    TRY(add_text(*kernel, "domainname", "(none)\n", 0644));
    TRY(add_text(*kernel, "pid_max", "4194304\n", 0644));
    TRY(add_text(*kernel, "threads-max", "4096\n", 0644));
    TRY(add_text(*kernel, "ngroups_max", "65536\n"));
    TRY(add_text(*kernel, "cap_last_cap", "40\n"));
    TRY(add_text(*kernel, "randomize_va_space", "2\n", 0644));
    auto random = TRY(proc_dir(*kernel, "random"));
    TRY(add_file(*random, "uuid", gen_random_uuid));
    ProcText boot_id; // one per boot
    proc_uuid(boot_id);
    if (boot_id.failed()) return Errno::ENOMEM;
    TRY(add_text(*random, "boot_id", boot_id.view()));
    TRY(add_text(*random, "entropy_avail", "256\n"));
    TRY(add_text(*random, "poolsize", "256\n"));
    auto vm = TRY(proc_dir(*sys, "vm"));
    TRY(add_text(*vm, "overcommit_memory", "0\n", 0644));
    TRY(add_text(*vm, "overcommit_ratio", "50\n", 0644));
    TRY(add_text(*vm, "max_map_count", "65530\n", 0644));
    ProcText min_addr; // the lowest address mmap gives (gVisor's runsc reads it at start)
    min_addr.appendf("%llu\n", static_cast<unsigned long long>(mm::USER_MIN));
    if (min_addr.failed()) return Errno::ENOMEM;
    TRY(add_text(*vm, "mmap_min_addr", min_addr.view()));
    auto fsd = TRY(proc_dir(*sys, "fs"));
    TRY(add_text(*fsd, "file-max", "9223372036854775807\n", 0644));
    TRY(add_text(*fsd, "nr_open", "1048576\n", 0644));
    auto net = TRY(proc_dir(*sys, "net"));
    auto core_dir = TRY(proc_dir(*net, "core"));
    TRY(add_text(*core_dir, "somaxconn", "4096\n", 0644));

    // ---- /dev links into /proc (kept when the image has its own) ----
    auto dev = root.lookup("dev");
    if (dev && dev->is_directory()) {
        Directory& d = *dev->as_directory();
        struct { const char* name; const char* target; } links[] = {
            { "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
            { "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
        };
        for (auto& l : links)
            if (!d.lookup(l.name)) TRY(add_link(d, l.name, l.target));
    }
    return {};
}

// ---- Dynamic entries -------------------------------------------------------------

bool proc_lookup_may_need_refresh(const Directory& root, const Directory& base, core::StringView path)
{
    // Any path naming /proc, /dev/fd or /dev/std* by text.
    for (size_t i = 0; i + 2 <= path.length(); i++) {
        char c = path[i];
        if (c == 'p' && path.substr(i, 4) == "proc") return true;
        if (c == 'f' && path[i + 1] == 'd') return true;
        if (c == 's' && path.substr(i, 3) == "std") return true;
    }
    if (path.length() && path[0] == '/') return false;
    // A relative path from a directory inside /proc.
    const Directory* d = &base;
    for (int depth = 0; depth < 16 && d != &root; depth++) {
        const Directory* up = const_cast<Directory*>(d)->parent();
        if (up == d) return false;
        if (up == &root) return const_cast<Directory*>(d)->name_in_parent() == "proc";
        d = up;
    }
    return false;
}

Result<core::String> proc_fd_target(Context& ctx, Inode& inode)
{
    char buf[64];
    switch (inode.mode() & S_IFMT) {
    case S_IFIFO:
        core::format(buf, sizeof buf, "pipe:[%lu]", inode.ino());
        return core::String::from(buf);
    case S_IFSOCK:
        core::format(buf, sizeof buf, "socket:[%lu]", inode.ino());
        return core::String::from(buf);
    default: break;
    }
    if (const char* name = inode.anon_name()) {
        core::format(buf, sizeof buf, "anon_inode:%s", name);
        return core::String::from(buf);
    }
    if (Directory* dir = inode.as_directory()) {
        auto p = path_of(ctx.root, *dir);
        if (!p.is_error()) return p;
        return core::String::from("/ (deleted)");
    }
    ProcText path;
    if (find_path(*ctx.root, inode, path, 0, true)) {
        if (path.failed()) return Errno::ENOMEM;
        return core::String::from(path.view());
    }
    core::format(buf, sizeof buf, "anon_inode:[%lu]", inode.ino());
    return core::String::from(buf);
}

ErrorOr proc_refresh(Context& ctx)
{
    auto self = pid_dir(*ctx.root);
    if (self.is_error()) return {}; // no /proc in this tree
    Directory& pid = *self.value();

    auto cwd_path = path_of(ctx.root, *ctx.cwd);
    if (!cwd_path.is_error()) {
        auto cwd = pid.lookup("cwd");
        if (cwd && cwd->is_symlink() && !(cwd->as_symlink()->target() == cwd_path.value().view()))
            TRY(cwd->as_symlink()->set_target(cwd_path.value().view()));
    }

    auto fd_inode = pid.lookup("fd");
    if (!fd_inode || !fd_inode->is_directory()) return {};
    Directory& fd_dir = *fd_inode->as_directory();
    FdDirState* state = state_for(fd_dir);
    if (!state) return Errno::ENOMEM;

    // Unchanged? Compare the open descriptors with what the directory shows.
    size_t open = ctx.fds.open_count();
    bool same = state->seen.size() == open;
    size_t found = 0;
    for (int fd = 0; same && found < open; fd++) {
        auto f = ctx.fds.get_raw(fd);
        if (f.is_error()) continue;
        const FdSeen& s = state->seen[found++];
        if (s.fd != fd || s.file != f.value().ptr() || s.ino != f.value()->inode().ino()) same = false;
    }
    if (same) return {};

    // Rebuild in descriptor order, keeping the links of unchanged descriptors.
    struct Link {
        char name[16];
        core::Ref<Inode> link;
    };
    core::Vector<Link> links;
    core::Vector<FdSeen> seen;
    found = 0;
    for (int fd = 0; found < open; fd++) {
        auto f = ctx.fds.get_raw(fd);
        if (f.is_error()) continue;
        found++;
        FdSeen now { fd, f.value().ptr(), f.value()->inode().ino() };
        Link l;
        format_pid(l.name, fd);
        for (auto& s : state->seen)
            if (s.fd == now.fd && s.file == now.file && s.ino == now.ino) l.link = fd_dir.lookup(l.name);
        if (!l.link) {
            auto target = TRY(proc_fd_target(ctx, f.value()->inode()));
            l.link = TRY(Symlink::create(target.view()));
        }
        TRY(links.append(std::move(l)));
        TRY(seen.append(now));
    }
    state->seen.clear(); // until the directory is whole again
    while (fd_dir.entry_count()) TRY(fd_dir.remove(fd_dir.entry(fd_dir.entry_count() - 1).name.view()));
    for (auto& l : links) TRY(fd_dir.add(l.name, l.link));
    state->seen = std::move(seen);
    return {};
}

} // namespace fs
