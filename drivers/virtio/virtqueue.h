#pragma once
// A split virtqueue (virtio 1.x §2.7) whose descriptors each own one buffer
// of BUFFER_SIZE bytes, fixed at creation: descriptor i always points at
// buffer i. A driver fills buffer i, hands descriptor i to the device, and
// gets it back from the used ring with the length the device wrote. One
// buffer per frame is enough for a network card without segmentation
// offloads (a frame and its 12-byte header fit in 2 KiB).
#include "core/own.h"
#include "core/result.h"
#include "core/types.h"

namespace drivers::virtio {

class Virtqueue {
public:
    static constexpr u16 MAX_SIZE = 256;
    static constexpr u32 BUFFER_SIZE = 2048;

    // `size`: the device's maximum, capped at MAX_SIZE (a power of two).
    static Result<core::Own<Virtqueue>> create(u16 index, u16 size);
    ~Virtqueue();

    u16 index() const { return m_index; }
    u16 size() const { return m_size; }
    u64 desc_pa() const { return m_desc_pa; }
    u64 avail_pa() const { return m_rings_pa; }
    u64 used_pa() const { return m_rings_pa + USED_OFFSET; }

    u8* buffer(u16 desc) { return m_buffers[desc / PER_PAGE] + (desc % PER_PAGE) * BUFFER_SIZE; }
    // Puts descriptor `desc` in the available ring: `len` bytes of its
    // buffer, for the device to read (TX) or to write (RX).
    void submit(u16 desc, u32 len, bool device_writes);
    // Whether the device asked to be told of new buffers (after submits).
    bool needs_notify();
    // Asks the device not to interrupt when it returns buffers of this
    // queue (VIRTQ_AVAIL_F_NO_INTERRUPT, a hint the device may ignore).
    void suppress_interrupts();
    // The next descriptor the device is done with, and how many bytes it
    // wrote into it; false when none is.
    bool pop_used(u16& desc, u32& len);

private:
    static constexpr u32 USED_OFFSET = 1024; // in the rings page: avail takes 518 bytes, used 2054
    static constexpr u32 PER_PAGE = 4096 / BUFFER_SIZE;
    struct [[gnu::packed]] Desc {
        u64 addr;
        u32 len;
        u16 flags, next;
    };
    Virtqueue(u16 index, u16 size) : m_index(index), m_size(size) {}

    u16 m_index, m_size;
    Desc* m_desc { nullptr };
    volatile u16* m_avail { nullptr }; // flags, idx, ring[size], used_event
    volatile u8* m_used { nullptr };    // flags, idx, {id, len}[size], avail_event
    u64 m_desc_pa { 0 }, m_rings_pa { 0 };
    u8* m_buffers[MAX_SIZE / PER_PAGE] {};
    u64 m_buffer_pa[MAX_SIZE / PER_PAGE] {};
    u16 m_avail_idx { 0 }, m_last_used { 0 };
};

} // namespace drivers::virtio
