#include "drivers/net_card.h"
#include "drivers/virtio/mmio.h"
#include "drivers/virtio/pci.h"

namespace drivers {

namespace {
constexpr size_t MAX_CARDS = 4;
NetworkCard* g_cards[MAX_CARDS];
size_t g_count;
} // namespace

void register_card(NetworkCard* c)
{
    if (g_count < MAX_CARDS) g_cards[g_count++] = c;
}

NetworkCard* card(size_t index) { return index < g_count ? g_cards[index] : nullptr; }

void discover(const char* cmdline)
{
    virtio::discover_mmio(cmdline);
    virtio::discover_pci();
}

} // namespace drivers
