#pragma once
// virtio-net (virtio 1.x §5.1): one receive and one transmit queue, the MAC
// from the configuration space, merged receive buffers when offered.
#include "drivers/virtio/transport.h"

namespace drivers::virtio::net {

// Takes a network device: negotiates, fills the receive ring, registers the
// card (drivers/net_card.h).
ErrorOr probe(Transport& t);

} // namespace drivers::virtio::net
