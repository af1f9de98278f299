#pragma once
// virtio-pci, modern (virtio 1.x §4.1): the device's structures found through
// its vendor capabilities, interrupts through MSI-X (one vector for the
// configuration and every queue).
namespace drivers::virtio {

// Finds virtio devices on PCI (vendor 0x1af4) and offers each to the drivers.
void discover_pci();

} // namespace drivers::virtio
