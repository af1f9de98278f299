#include "drivers/virtio/virtqueue.h"
#include "mm/phys.h"

namespace drivers::virtio {

namespace {
constexpr u16 DESC_F_WRITE = 2;
constexpr u16 USED_F_NO_NOTIFY = 1;
constexpr u16 AVAIL_F_NO_INTERRUPT = 1;
inline void barrier() { asm volatile("" ::: "memory"); }
} // namespace

Result<core::Own<Virtqueue>> Virtqueue::create(u16 index, u16 size)
{
    if (size > MAX_SIZE) size = MAX_SIZE;
    if (size == 0 || (size & (size - 1))) return Errno::EINVAL;
    auto* raw = new (std::nothrow) Virtqueue(index, size);
    if (!raw) return Errno::ENOMEM;
    core::Own<Virtqueue> q(raw);
    // The descriptor table (16 bytes each: one page for 256), then one page
    // for the available ring (at 0) and the used ring (at USED_OFFSET).
    q->m_desc_pa = TRY(mm::alloc_page());
    q->m_rings_pa = TRY(mm::alloc_page());
    q->m_desc = static_cast<Desc*>(mm::phys_to_virt(q->m_desc_pa));
    q->m_avail = static_cast<volatile u16*>(mm::phys_to_virt(q->m_rings_pa));
    q->m_used = static_cast<volatile u8*>(mm::phys_to_virt(q->m_rings_pa)) + USED_OFFSET;
    for (u32 p = 0; p < u32(size) / PER_PAGE; p++) {
        q->m_buffer_pa[p] = TRY(mm::alloc_page());
        q->m_buffers[p] = static_cast<u8*>(mm::phys_to_virt(q->m_buffer_pa[p]));
    }
    for (u16 i = 0; i < size; i++)
        q->m_desc[i] = { q->m_buffer_pa[i / PER_PAGE] + (i % PER_PAGE) * BUFFER_SIZE, BUFFER_SIZE, 0, 0 };
    return q;
}

Virtqueue::~Virtqueue()
{
    // Only after a device reset: the device no longer touches these pages.
    if (m_desc_pa) mm::free_page(m_desc_pa);
    if (m_rings_pa) mm::free_page(m_rings_pa);
    for (u64 pa : m_buffer_pa)
        if (pa) mm::free_page(pa);
}

void Virtqueue::submit(u16 desc, u32 len, bool device_writes)
{
    m_desc[desc].len = len;
    m_desc[desc].flags = device_writes ? DESC_F_WRITE : 0;
    m_avail[2 + (m_avail_idx & (m_size - 1))] = desc;
    barrier(); // the entry before the index (x86 keeps stores in order)
    m_avail[1] = ++m_avail_idx;
}

bool Virtqueue::needs_notify()
{
    // The index store must be visible before we read the device's flag.
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return !(*reinterpret_cast<volatile u16*>(m_used) & USED_F_NO_NOTIFY);
}

void Virtqueue::suppress_interrupts() { m_avail[0] = AVAIL_F_NO_INTERRUPT; }

bool Virtqueue::pop_used(u16& desc, u32& len)
{
    u16 used_idx = *reinterpret_cast<volatile u16*>(m_used + 2);
    if (used_idx == m_last_used) return false;
    barrier(); // the entry after the index
    auto* elem = reinterpret_cast<volatile u32*>(m_used + 4 + 8 * (m_last_used & (m_size - 1)));
    desc = u16(elem[0]);
    len = elem[1];
    m_last_used++;
    return desc < m_size;
}

} // namespace drivers::virtio
