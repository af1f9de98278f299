#include "fs/sysfs.h"
#include "fs/procfs.h"
#include "core/format.h"

namespace fs {

namespace {

// Creating in /sys answers EACCES.
Result<core::Ref<Directory>> sys_dir(Directory& parent, core::StringView name)
{
    return pseudo_dir(parent, name, 0755, Errno::EACCES);
}

} // namespace

ErrorOr mount_sys(Directory& root)
{
    auto sys = TRY(sys_dir(root, "sys"));
    auto devices = TRY(sys_dir(*sys, "devices"));
    auto system = TRY(sys_dir(*devices, "system"));
    auto cpu = TRY(sys_dir(*system, "cpu"));
    // CPUs 0 .. n-1, all online (glibc's get_nprocs reads "online",
    // get_nprocs_conf counts the cpuN directories).
    int n = proc_source().cpu_count();
    char all[24], num[16], name[24];
    core::format(all, sizeof all, n > 1 ? "0-%d\n" : "0\n", n - 1);
    TRY(add_text(*cpu, "online", all));
    TRY(add_text(*cpu, "possible", all));
    TRY(add_text(*cpu, "present", all));
    TRY(add_text(*cpu, "offline", "\n"));
    TRY(add_text(*cpu, "kernel_max", "8191\n"));
    for (int i = 0; i < n; i++) {
        core::format(name, sizeof name, "cpu%d", i);
        core::format(num, sizeof num, "%d\n", i);
        auto dir = TRY(sys_dir(*cpu, name));
        auto topology = TRY(sys_dir(*dir, "topology"));
        TRY(add_text(*topology, "core_id", num));
        TRY(add_text(*topology, "physical_package_id", "0\n"));
        TRY(add_text(*topology, "core_siblings_list", all));
        TRY(add_text(*topology, "thread_siblings_list", num));
        if (i > 0) TRY(add_text(*dir, "online", "1\n"));
    }
    auto node = TRY(sys_dir(*system, "node"));
    TRY(add_text(*node, "online", "0\n"));
    TRY(add_text(*node, "possible", "0\n"));

    auto kernel = TRY(sys_dir(*sys, "kernel"));
    auto mm = TRY(sys_dir(*kernel, "mm"));
    auto thp = TRY(sys_dir(*mm, "transparent_hugepage"));
    TRY(add_text(*thp, "enabled", "always madvise [never]\n", 0644));
    TRY(add_text(*thp, "defrag", "always defer defer+madvise madvise [never]\n", 0644));
    TRY(add_text(*thp, "hpage_pmd_size", "2097152\n"));

    TRY(sys_dir(*sys, "fs"));
    TRY(sys_dir(*sys, "class"));
    TRY(sys_dir(*sys, "bus"));
    return {};
}

} // namespace fs
