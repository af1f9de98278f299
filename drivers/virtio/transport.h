#pragma once
// A virtio 1.x device as a driver sees it, whatever the bus (virtio-mmio on
// microvm; virtio-pci on q35 would be a second implementation): feature
// negotiation, status, queues, notifications, the interrupt and the
// device-specific configuration space.
#include "core/result.h"
#include "core/types.h"
#include "drivers/virtio/virtqueue.h"

namespace drivers::virtio {

constexpr u32 DEVICE_NET = 1;
constexpr u64 F_VERSION_1 = 1ull << 32;
constexpr u8 STATUS_ACKNOWLEDGE = 1, STATUS_DRIVER = 2, STATUS_DRIVER_OK = 4, STATUS_FEATURES_OK = 8,
             STATUS_FAILED = 0x80;

class Transport {
public:
    virtual ~Transport() = default;
    virtual u32 device_id() const = 0;
    virtual u64 device_features() = 0;
    virtual void set_driver_features(u64 features) = 0;
    virtual u8 status() = 0;
    virtual void set_status(u8 status) = 0;
    virtual u16 queue_max_size(u16 index) = 0;
    // Tells the device where the queue's rings are and enables it.
    virtual ErrorOr enable_queue(const Virtqueue& q) = 0;
    virtual void notify(const Virtqueue& q) = 0;
    // Reads and acknowledges the interrupt cause (bit 0: used buffers, bit 1:
    // configuration change).
    virtual u32 ack_interrupt() = 0;
    // Routes the device's interrupt to handler(context).
    virtual ErrorOr attach_interrupt(void (*handler)(void*), void* context) = 0;
    virtual u8 config_read8(u32 offset) = 0;
    virtual u16 config_read16(u32 offset) = 0;
    virtual u32 config_read32(u32 offset) = 0;

    // The start of every driver's probe (virtio 1.x §3.1.1): reset,
    // ACKNOWLEDGE | DRIVER, then the features both sides know, which must
    // include VERSION_1 (no legacy devices); FEATURES_OK read back. Returns
    // the features in force.
    Result<u64> negotiate(u64 driver_features);
};

// Each virtio driver's entry: takes the device or answers ENODEV.
using Probe = ErrorOr (*)(Transport& t);
// Offers a found device to the drivers (drivers/virtio/drivers.cpp); keeps
// the transport when one takes it.
void offer(Transport* t);

} // namespace drivers::virtio
