#pragma once
// A network card as the network stack (net/) sees it: an Ethernet MAC, frames
// out, frames in. Drivers register their cards at probe; net/ puts an lwIP
// interface on each.
#include "core/result.h"
#include "core/types.h"

namespace drivers {

class NetworkCard {
public:
    static constexpr size_t MAX_FRAME = 1514; // Ethernet, without the FCS

    // A frame that arrived. `checksum_ok`: the card vouches for its TCP/UDP
    // checksum, which need not be checked again.
    struct Frame {
        const u8* data;
        size_t len;
        bool checksum_ok;
    };
    // Frames that arrived, delivered in the card's interrupt (interrupts off)
    // in batches of at most MAX_BATCH, so that the stack takes its lock once
    // for all that came together. The frames are valid only during the call.
    static constexpr size_t MAX_BATCH = 32;
    using Receiver = void (*)(void* context, const Frame* frames, size_t count);

    virtual ~NetworkCard() = default;
    virtual const char* name() const = 0;
    virtual const u8* mac() const = 0;
    // The card finishes the checksum of every TCP segment it sends
    // (drivers/net_checksum.h): the stack leaves them to it.
    virtual bool finishes_tcp_checksums() const { return false; }
    // A buffer for one frame of at most MAX_FRAME bytes, or EAGAIN while the
    // card's queue is full; transmit(len) sends what was written there.
    // Callers serialise (the network stack's lock).
    // The card may hold frames back to tell the device of several at once:
    // flush() sends what it holds (core/flush.h says when it is called).
    virtual Result<u8*> transmit_buffer() = 0;
    virtual void transmit(size_t len) = 0;
    virtual void flush() {}
    // Does what the card's interrupt does (frames in), for a caller that
    // cannot take interrupts (net's exit flush).
    virtual void poll() = 0;
    // Starts delivering frames; before this the card drops what it gets.
    virtual void set_receiver(Receiver receiver, void* context) = 0;
};

// The cards found so far (drivers/net_card.cpp).
void register_card(NetworkCard* card);
NetworkCard* card(size_t index); // nullptr past the last
// Discovers every device on the machine's buses and probes their drivers
// (virtio-mmio from the kernel command line, virtio-pci on PCI bus 0);
// called once at boot.
void discover(const char* cmdline);

} // namespace drivers
