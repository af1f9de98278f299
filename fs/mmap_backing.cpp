#include "fs/mmap_backing.h"
#include "fs/io_buffer.h"

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

} // namespace fs
