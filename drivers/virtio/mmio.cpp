#include "drivers/virtio/mmio.h"
#include "core/irq.h"
#include "core/klog.h"
#include "platform/x86_64/ioapic.h"
#include "platform/x86_64/mmio.h"

namespace drivers::virtio {

namespace {

constexpr u32 MAGIC = 0x74726976; // "virt"
enum Reg : u32 {
    MAGIC_VALUE = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, DEVICE_FEATURES = 0x010,
    DEVICE_FEATURES_SEL = 0x014, DRIVER_FEATURES = 0x020, DRIVER_FEATURES_SEL = 0x024,
    QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_READY = 0x044,
    QUEUE_NOTIFY = 0x050, INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064, STATUS = 0x070,
    QUEUE_DESC_LOW = 0x080, QUEUE_DESC_HIGH = 0x084, QUEUE_DRIVER_LOW = 0x090, QUEUE_DRIVER_HIGH = 0x094,
    QUEUE_DEVICE_LOW = 0x0a0, QUEUE_DEVICE_HIGH = 0x0a4, CONFIG = 0x100,
};
constexpr u64 MICROVM_BASE = 0xfeb00000;
constexpr u32 MICROVM_SLOTS = 8, MICROVM_FIRST_IRQ = 5, SLOT_SIZE = 0x200;

class MmioTransport final : public Transport {
public:
    MmioTransport(volatile u8* regs, u32 irq, u32 alt_irq) : m_regs(regs), m_irq(irq), m_alt_irq(alt_irq) {}
    u32 device_id() const override { return x86::mmio_read32(m_regs, DEVICE_ID); }
    u64 device_features() override
    {
        write(DEVICE_FEATURES_SEL, 1);
        u64 hi = read(DEVICE_FEATURES);
        write(DEVICE_FEATURES_SEL, 0);
        return hi << 32 | read(DEVICE_FEATURES);
    }
    void set_driver_features(u64 f) override
    {
        write(DRIVER_FEATURES_SEL, 1);
        write(DRIVER_FEATURES, u32(f >> 32));
        write(DRIVER_FEATURES_SEL, 0);
        write(DRIVER_FEATURES, u32(f));
    }
    u8 status() override { return u8(read(STATUS)); }
    void set_status(u8 s) override { write(STATUS, s); }
    u16 queue_max_size(u16 index) override
    {
        write(QUEUE_SEL, index);
        return u16(read(QUEUE_NUM_MAX) > 0xffff ? 0x8000 : read(QUEUE_NUM_MAX));
    }
    ErrorOr enable_queue(const Virtqueue& q) override
    {
        write(QUEUE_SEL, q.index());
        if (read(QUEUE_READY)) return Errno::EBUSY;
        write(QUEUE_NUM, q.size());
        write(QUEUE_DESC_LOW, u32(q.desc_pa()));
        write(QUEUE_DESC_HIGH, u32(q.desc_pa() >> 32));
        write(QUEUE_DRIVER_LOW, u32(q.avail_pa()));
        write(QUEUE_DRIVER_HIGH, u32(q.avail_pa() >> 32));
        write(QUEUE_DEVICE_LOW, u32(q.used_pa()));
        write(QUEUE_DEVICE_HIGH, u32(q.used_pa() >> 32));
        write(QUEUE_READY, 1);
        return {};
    }
    void notify(const Virtqueue& q) override { write(QUEUE_NOTIFY, q.index()); }
    u32 ack_interrupt() override
    {
        u32 cause = read(INTERRUPT_STATUS);
        if (cause) write(INTERRUPT_ACK, cause);
        return cause;
    }
    ErrorOr attach_interrupt(void (*handler)(void*), void* context) override
    {
        u8 vector = TRY(core::irq::allocate(handler, context));
        // The line follows the interrupt status register: level, active high.
        TRY(x86::ioapic_route(m_irq, vector, true, false));
        if (m_alt_irq != m_irq) (void)x86::ioapic_route(m_alt_irq, vector, true, false);
        return {};
    }
    u8 config_read8(u32 off) override { return x86::mmio_read8(m_regs, CONFIG + off); }
    u16 config_read16(u32 off) override { return u16(config_read8(off) | config_read8(off + 1) << 8); }
    u32 config_read32(u32 off) override { return x86::mmio_read32(m_regs, CONFIG + off); }

private:
    u32 read(u32 reg) { return x86::mmio_read32(m_regs, reg); }
    void write(u32 reg, u32 v) { x86::mmio_write32(m_regs, reg, v); }
    volatile u8* m_regs;
    u32 m_irq, m_alt_irq;
};

u64 parse_number(const char*& p)
{
    u64 v = 0;
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) base = 16, p += 2;
    for (;; p++) {
        int d;
        if (*p >= '0' && *p <= '9') d = *p - '0';
        else if (base == 16 && *p >= 'a' && *p <= 'f') d = *p - 'a' + 10;
        else if (base == 16 && *p >= 'A' && *p <= 'F') d = *p - 'A' + 10;
        else break;
        v = v * base + d;
    }
    return v;
}

// QEMU 7.2's microvm with ioapic2=off wires slot n to GSI 16 + n (seen in
// its `info irq`), while the command line it writes says 5 + n: a microvm
// slot's interrupt is routed from both pins, one of which never fires.
u32 microvm_wired_irq(u64 base, u32 irq)
{
    if (base < MICROVM_BASE || base >= MICROVM_BASE + MICROVM_SLOTS * SLOT_SIZE) return irq;
    return 16 + u32((base - MICROVM_BASE) / SLOT_SIZE);
}

void try_device(u64 base, u32 irq)
{
    auto regs = x86::map_mmio_range(base, SLOT_SIZE);
    if (regs.is_error()) return;
    volatile u8* r = regs.value();
    if (x86::mmio_read32(r, MAGIC_VALUE) != MAGIC || x86::mmio_read32(r, DEVICE_ID) == 0) return;
    u32 version = x86::mmio_read32(r, VERSION);
    if (version != 2) {
        klog::warn("virtio-mmio at %#lx: version %u (legacy), not supported", base, version);
        return;
    }
    auto* t = new (std::nothrow) MmioTransport(r, irq, microvm_wired_irq(base, irq));
    if (!t) return;
    klog::info("virtio-mmio at %#lx irq %u/%u: device %u", base, irq, microvm_wired_irq(base, irq), t->device_id());
    offer(t);
}

} // namespace

void discover_mmio(const char* cmdline)
{
    bool any = false;
    constexpr const char KEY[] = "virtio_mmio.device=";
    for (const char* p = cmdline; *p;) {
        while (*p == ' ') p++;
        bool match = true;
        for (u32 i = 0; i + 1 < sizeof KEY; i++)
            if (p[i] != KEY[i]) { match = false; break; }
        if (match) {
            // SIZE[K|M]@BASE:IRQ
            const char* q = p + sizeof KEY - 1;
            parse_number(q);
            if (*q == 'K' || *q == 'k' || *q == 'M' || *q == 'm') q++;
            if (*q == '@') {
                q++;
                u64 base = parse_number(q);
                if (*q == ':') {
                    q++;
                    u32 irq = u32(parse_number(q));
                    try_device(base, irq);
                    any = true;
                }
            }
        }
        while (*p && *p != ' ') p++;
    }
    if (any) return;
    for (u32 n = 0; n < MICROVM_SLOTS; n++) try_device(MICROVM_BASE + n * SLOT_SIZE, MICROVM_FIRST_IRQ + n);
}

} // namespace drivers::virtio
