#include "drivers/virtio/pci.h"
#include "core/irq.h"
#include "core/klog.h"
#include "drivers/pci.h"
#include "drivers/virtio/transport.h"
#include "platform/x86_64/mmio.h"

namespace drivers::virtio {

namespace {

constexpr u16 VENDOR = 0x1af4;
constexpr u8 CAP_VENDOR = 0x09, CAP_MSIX = 0x11;
enum CfgType : u8 { COMMON = 1, NOTIFY = 2, ISR = 3, DEVICE = 4 };
// struct virtio_pci_common_cfg
enum Common : u32 {
    DEVICE_FEATURE_SELECT = 0x00, DEVICE_FEATURE = 0x04, DRIVER_FEATURE_SELECT = 0x08, DRIVER_FEATURE = 0x0c,
    MSIX_CONFIG = 0x10, DEVICE_STATUS = 0x14, QUEUE_SELECT = 0x16, QUEUE_SIZE = 0x18, QUEUE_MSIX_VECTOR = 0x1a,
    QUEUE_ENABLE = 0x1c, QUEUE_NOTIFY_OFF = 0x1e, QUEUE_DESC = 0x20, QUEUE_DRIVER = 0x28, QUEUE_DEVICE = 0x30,
};
constexpr u16 NO_VECTOR = 0xffff;

template<typename T>
T rd(volatile u8* base, u32 off) { return *reinterpret_cast<volatile T*>(base + off); }
template<typename T>
void wr(volatile u8* base, u32 off, T v) { *reinterpret_cast<volatile T*>(base + off) = v; }

class PciTransport final : public Transport {
public:
    pci::Address addr {};
    u32 id = 0;
    volatile u8 *common = nullptr, *notify_base = nullptr, *isr = nullptr, *device = nullptr, *msix_table = nullptr;
    u32 notify_multiplier = 0;
    u8 msix_cap = 0;

    u32 device_id() const override { return id; }
    u64 device_features() override
    {
        wr<u32>(common, DEVICE_FEATURE_SELECT, 1);
        u64 hi = rd<u32>(common, DEVICE_FEATURE);
        wr<u32>(common, DEVICE_FEATURE_SELECT, 0);
        return hi << 32 | rd<u32>(common, DEVICE_FEATURE);
    }
    void set_driver_features(u64 f) override
    {
        wr<u32>(common, DRIVER_FEATURE_SELECT, 1);
        wr<u32>(common, DRIVER_FEATURE, u32(f >> 32));
        wr<u32>(common, DRIVER_FEATURE_SELECT, 0);
        wr<u32>(common, DRIVER_FEATURE, u32(f));
    }
    u8 status() override { return rd<u8>(common, DEVICE_STATUS); }
    void set_status(u8 s) override { wr<u8>(common, DEVICE_STATUS, s); }
    u16 queue_max_size(u16 index) override
    {
        wr<u16>(common, QUEUE_SELECT, index);
        return rd<u16>(common, QUEUE_SIZE);
    }
    ErrorOr enable_queue(const Virtqueue& q) override
    {
        wr<u16>(common, QUEUE_SELECT, q.index());
        wr<u16>(common, QUEUE_SIZE, q.size());
        // Every queue signals through MSI-X entry 0 (attach_interrupt fills it).
        wr<u16>(common, QUEUE_MSIX_VECTOR, 0);
        if (rd<u16>(common, QUEUE_MSIX_VECTOR) == NO_VECTOR) return Errno::EIO;
        wr<u64>(common, QUEUE_DESC, q.desc_pa());
        wr<u64>(common, QUEUE_DRIVER, q.avail_pa());
        wr<u64>(common, QUEUE_DEVICE, q.used_pa());
        u16 off = rd<u16>(common, QUEUE_NOTIFY_OFF);
        if (q.index() < MAX_QUEUES) m_notify_off[q.index()] = off;
        wr<u16>(common, QUEUE_ENABLE, 1);
        return {};
    }
    void notify(const Virtqueue& q) override
    {
        u16 off = q.index() < MAX_QUEUES ? m_notify_off[q.index()] : 0;
        wr<u16>(notify_base, u32(off) * notify_multiplier, q.index());
    }
    u32 ack_interrupt() override { return rd<u8>(isr, 0); } // reading clears it
    ErrorOr attach_interrupt(void (*handler)(void*), void* context) override
    {
        u8 vector = TRY(core::irq::allocate(handler, context));
        // MSI-X entry 0: the boot CPU's local APIC, fixed delivery, edge.
        wr<u32>(msix_table, 0, 0xfee00000u);
        wr<u32>(msix_table, 4, 0);
        wr<u32>(msix_table, 8, vector);
        wr<u32>(msix_table, 12, 0); // unmasked
        wr<u16>(common, MSIX_CONFIG, NO_VECTOR);
        u16 control = pci::read16(addr, u8(msix_cap + 2));
        pci::write16(addr, u8(msix_cap + 2), u16((control | 0x8000) & ~0x4000)); // enable, no function mask
        return {};
    }
    u8 config_read8(u32 off) override { return rd<u8>(device, off); }
    u16 config_read16(u32 off) override { return rd<u16>(device, off); }
    u32 config_read32(u32 off) override { return rd<u32>(device, off); }

private:
    static constexpr u16 MAX_QUEUES = 8;
    u16 m_notify_off[MAX_QUEUES] {};
};

Result<volatile u8*> map_cap(pci::Address a, u8 cap)
{
    u8 bar = pci::read8(a, u8(cap + 4));
    u32 offset = pci::read32(a, u8(cap + 8)), length = pci::read32(a, u8(cap + 12));
    if (bar > 5) return Errno::EINVAL;
    u64 base = pci::bar_address(a, bar);
    if (!base) return Errno::ENODEV;
    return static_cast<volatile u8*>(TRY(x86::map_mmio_range(base + offset, length)));
}

void found(pci::Address a, u16 vendor, u16 device)
{
    if (vendor != VENDOR || device < 0x1000 || device > 0x107f) return;
    auto* t = new (std::nothrow) PciTransport;
    if (!t) return;
    t->addr = a;
    // Transitional devices (0x1000-0x103f) say what they are in the subsystem id.
    t->id = device >= 0x1040 ? u32(device - 0x1040) : pci::read16(a, 0x2e);
    if (!(pci::read16(a, 0x06) & 0x10)) return; // no capability list
    u32 msix_table_offset = 0;
    u8 msix_bir = 0xff;
    for (u8 cap = pci::read8(a, 0x34) & 0xfc; cap; cap = pci::read8(a, u8(cap + 1)) & 0xfc) {
        u8 kind = pci::read8(a, cap);
        if (kind == CAP_MSIX) {
            t->msix_cap = cap;
            u32 table = pci::read32(a, u8(cap + 4));
            msix_bir = u8(table & 7);
            msix_table_offset = table & ~7u;
            continue;
        }
        if (kind != CAP_VENDOR) continue;
        auto mapped = map_cap(a, cap);
        if (mapped.is_error()) continue;
        switch (pci::read8(a, u8(cap + 3))) {
        case COMMON: if (!t->common) t->common = mapped.value(); break;
        case NOTIFY:
            if (!t->notify_base) {
                t->notify_base = mapped.value();
                t->notify_multiplier = pci::read32(a, u8(cap + 16));
            }
            break;
        case ISR: if (!t->isr) t->isr = mapped.value(); break;
        case DEVICE: if (!t->device) t->device = mapped.value(); break;
        default: break;
        }
    }
    if (!t->common || !t->notify_base || !t->isr || !t->msix_cap || msix_bir > 5) {
        klog::warn("virtio-pci %02x:%02x.%u: no modern interface or no MSI-X: not supported", a.bus, a.device, a.function);
        return;
    }
    u64 table_base = pci::bar_address(a, msix_bir);
    auto table = x86::map_mmio_range(table_base + msix_table_offset, 16);
    if (!table_base || table.is_error()) return;
    t->msix_table = table.value();
    // Memory space and bus mastering (DMA to the rings).
    pci::write16(a, 0x04, u16(pci::read16(a, 0x04) | 0x6));
    klog::info("virtio-pci %02x:%02x.%u: device %u", a.bus, a.device, a.function, t->id);
    offer(t);
}

} // namespace

void discover_pci() { pci::scan(found); }

} // namespace drivers::virtio
