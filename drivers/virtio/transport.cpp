#include "drivers/virtio/transport.h"
#include "core/klog.h"
#include "drivers/virtio_net.h"

namespace drivers::virtio {

Result<u64> Transport::negotiate(u64 driver_features)
{
    set_status(0); // reset
    set_status(STATUS_ACKNOWLEDGE);
    set_status(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
    u64 offered = device_features();
    if (!(offered & F_VERSION_1)) {
        set_status(STATUS_FAILED);
        return Errno::ENODEV; // a legacy-only device
    }
    u64 features = (offered & driver_features) | F_VERSION_1;
    set_driver_features(features);
    set_status(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
    if (!(status() & STATUS_FEATURES_OK)) {
        set_status(STATUS_FAILED);
        return Errno::ENODEV;
    }
    return features;
}

namespace {
struct DriverEntry {
    u32 device_id;
    const char* name;
    Probe probe;
};
// The virtio drivers and the device ids they take.
constexpr DriverEntry DRIVERS[] = {
    { DEVICE_NET, "virtio-net", net::probe },
};
} // namespace

void offer(Transport* t)
{
    for (auto& d : DRIVERS) {
        if (d.device_id != t->device_id()) continue;
        auto r = d.probe(*t);
        if (r.is_error()) klog::warn("%s: the device could not be started (errno %d)", d.name, int(r.error()));
        return;
    }
    klog::info("virtio: no driver for device id %u", t->device_id());
}

} // namespace drivers::virtio
