#include "fs/mmap_backing.h"
#include "fs/io_buffer.h"
#include "fs/page_memory.h"
#include "fs/ramfs.h"

namespace fs {

Result<core::Ref<mm::Backing>> InodeBacking::create(core::Ref<Inode> inode, core::StringView path)
{
    auto* b = new (std::nothrow) InodeBacking(static_cast<core::Ref<Inode>&&>(inode));
    if (!b) return Errno::ENOMEM;
    core::Ref<mm::Backing> ref(b);
    b->m_path = TRY(core::String::from(path));
    return ref;
}

size_t InodeBacking::read(u64 offset, u8* dst, size_t n)
{
    KernelBuffer buf(dst, n);
    auto r = m_inode->read(offset, buf, n, 0);
    return r.is_error() ? 0 : r.value();
}

Result<u64> InodeBacking::shared_page(u64 offset)
{
    RamFile* file = m_inode->as_regular();
    if (!file) return Errno::ENODEV;
    u8* page = TRY(file->cache_page(offset / PAGE_SIZE));
    return file_page_phys(page);
}

bool InodeBacking::resident(u64 offset) const
{
    RamFile* file = m_inode->as_regular();
    return file && file->page_resident(offset / PAGE_SIZE);
}

ErrorOr InodeBacking::punch_hole(u64 offset, u64 len)
{
    RamFile* file = m_inode->as_regular();
    if (!file) return Errno::EINVAL;
    return file->zero_range(offset, len);
}

} // namespace fs
