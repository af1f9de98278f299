#include "drivers/virtio_net.h"
#include "core/flush.h"
#include "core/klog.h"
#include "core/string.h"
#include "drivers/net_card.h"
#include "drivers/net_checksum.h"

namespace drivers::virtio::net {

namespace {

constexpr u64 F_CSUM = 1ull << 0, F_GUEST_CSUM = 1ull << 1, F_MAC = 1ull << 5, F_MRG_RXBUF = 1ull << 15;
// Header flags: the checksum is partial (csum_start/csum_offset), or the
// device checked it.
constexpr u8 HDR_NEEDS_CSUM = 1, HDR_DATA_VALID = 2;
constexpr u16 RX_QUEUE = 0, TX_QUEUE = 1;

// struct virtio_net_hdr with num_buffers: always this size with VERSION_1.
struct [[gnu::packed]] Header {
    u8 flags, gso_type;
    u16 hdr_len, gso_size, csum_start, csum_offset, num_buffers;
};
static_assert(sizeof(Header) == 12);
static_assert(sizeof(Header) + NetworkCard::MAX_FRAME <= Virtqueue::BUFFER_SIZE);

class VirtioNetCard final : public NetworkCard {
public:
    VirtioNetCard(Transport& t, core::Own<Virtqueue> rx, core::Own<Virtqueue> tx, u64 features)
        : m_transport(t), m_rx(static_cast<core::Own<Virtqueue>&&>(rx)), m_tx(static_cast<core::Own<Virtqueue>&&>(tx)),
          m_tx_csum(features & F_CSUM), m_rx_csum(features & F_GUEST_CSUM)
    {
        for (u16 i = 0; i < m_tx->size(); i++) m_tx_free[m_tx_free_count++] = i;
    }
    const char* name() const override { return "eth0"; }
    const u8* mac() const override { return m_mac; }
    bool finishes_tcp_checksums() const override { return m_tx_csum; }

    Result<u8*> transmit_buffer() override
    {
        reclaim_tx();
        if (!m_tx_free_count) return Errno::EAGAIN;
        u16 d = m_tx_free[m_tx_free_count - 1];
        memset(m_tx->buffer(d), 0, sizeof(Header));
        return m_tx->buffer(d) + sizeof(Header);
    }
    void transmit(size_t len) override
    {
        u16 d = m_tx_free[--m_tx_free_count];
        checksum::Partial partial;
        if (m_tx_csum && checksum::prepare_tcp(m_tx->buffer(d) + sizeof(Header), len, &partial)) {
            // The stack left this segment's checksum to us (net/stack.cpp): the device finishes it.
            auto* h = reinterpret_cast<Header*>(m_tx->buffer(d));
            h->flags = HDR_NEEDS_CSUM;
            h->csum_start = partial.start;
            h->csum_offset = partial.offset;
        }
        m_tx->submit(d, u32(sizeof(Header) + len), false);
        // The doorbell is rung for a batch: now when it is full, else at the
        // next flush (core/flush.h), which the interrupt's end runs too.
        if (++m_unkicked >= KICK_BATCH) kick();
        else if (m_unkicked == 1) core::flush::request();
    }
    void flush() override
    {
        if (m_unkicked) kick();
    }
    void set_receiver(Receiver r, void* context) override
    {
        m_receiver_context = context;
        m_receiver = r;
    }

    void poll() override { interrupt(); }

    void fill_rx()
    {
        for (u16 i = 0; i < m_rx->size(); i++) m_rx->submit(i, Virtqueue::BUFFER_SIZE, true);
        m_transport.notify(*m_rx);
    }
    // Frames in, handed to the stack in batches. Transmit buffers come back
    // in transmit_buffer, under the stack's lock: the transmit queue does not
    // interrupt (probe), and an interrupt on another CPU must not race a
    // transmit for them.
    void interrupt()
    {
        m_transport.ack_interrupt(); // before the rings: a later completion raises the line again
        bool refilled = false;
        for (bool more = true; more;) {
            Frame batch[MAX_BATCH];
            u16 descs[MAX_BATCH];
            size_t n = 0;
            u16 d;
            u32 len;
            while ((more = n < MAX_BATCH && m_rx->pop_used(d, len))) {
                refilled = true;
                if (len <= sizeof(Header) || !m_receiver) {
                    m_rx->submit(d, Virtqueue::BUFFER_SIZE, true); // nothing to deliver
                    continue;
                }
                // One buffer holds a whole frame (no GSO was negotiated), so
                // num_buffers is 1 even with merged buffers. With GUEST_CSUM
                // the device vouches for a frame's TCP/UDP checksum (checked,
                // or partial because it never left the host).
                u8 flags = reinterpret_cast<const Header*>(m_rx->buffer(d))->flags;
                bool checked = m_rx_csum && (flags & (HDR_DATA_VALID | HDR_NEEDS_CSUM));
                descs[n] = d;
                batch[n++] = { m_rx->buffer(d) + sizeof(Header), len - sizeof(Header), checked };
            }
            if (n) m_receiver(m_receiver_context, batch, n);
            for (size_t i = 0; i < n; i++) m_rx->submit(descs[i], Virtqueue::BUFFER_SIZE, true);
            more = n == MAX_BATCH;
        }
        if (refilled && m_rx->needs_notify()) m_transport.notify(*m_rx);
        core::flush::run(); // what lwIP sent for these frames (acknowledgements, answers)
    }

    u8 m_mac[6] {};

private:
    // Frames submitted since the device was last told (under the giant lock).
    static constexpr u32 KICK_BATCH = 32;
    void kick()
    {
        m_unkicked = 0;
        if (m_tx->needs_notify()) m_transport.notify(*m_tx);
    }

    void reclaim_tx()
    {
        u16 d;
        u32 len;
        while (m_tx->pop_used(d, len))
            if (m_tx_free_count < m_tx->size()) m_tx_free[m_tx_free_count++] = d;
    }

    Transport& m_transport;
    core::Own<Virtqueue> m_rx, m_tx;
    u16 m_tx_free[Virtqueue::MAX_SIZE];
    u16 m_tx_free_count { 0 };
    u32 m_unkicked { 0 };
    bool m_tx_csum, m_rx_csum;
    Receiver m_receiver { nullptr };
    void* m_receiver_context { nullptr };
};

void on_interrupt(void* card) { static_cast<VirtioNetCard*>(card)->interrupt(); }

} // namespace

ErrorOr probe(Transport& t)
{
    // Checksum offload is offered over a tap device with the virtio-net
    // header (not over QEMU's user network, where QEMU itself is the peer).
    u64 features = TRY(t.negotiate(F_MAC | F_MRG_RXBUF | F_CSUM | F_GUEST_CSUM));
    u16 rx_max = t.queue_max_size(RX_QUEUE), tx_max = t.queue_max_size(TX_QUEUE);
    if (!rx_max || !tx_max) return Errno::ENODEV;
    auto rx = TRY(Virtqueue::create(RX_QUEUE, rx_max));
    auto tx = TRY(Virtqueue::create(TX_QUEUE, tx_max));
    // Sent buffers are reclaimed when the next frame needs one: their
    // completions need no interrupt.
    tx->suppress_interrupts();
    TRY(t.enable_queue(*rx));
    TRY(t.enable_queue(*tx));
    auto* card = new (std::nothrow) VirtioNetCard(t, static_cast<core::Own<Virtqueue>&&>(rx), static_cast<core::Own<Virtqueue>&&>(tx), features);
    if (!card) return Errno::ENOMEM;
    if (features & F_MAC) {
        for (u32 i = 0; i < 6; i++) card->m_mac[i] = t.config_read8(i);
    } else {
        // A locally administered address of our own.
        const u8 fallback[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
        memcpy(card->m_mac, fallback, 6);
    }
    TRY(t.attach_interrupt(on_interrupt, card));
    t.set_status(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
    card->fill_rx();
    const u8* m = card->m_mac;
    klog::info("eth0: virtio-net, MAC %02x:%02x:%02x:%02x:%02x:%02x, queues of %u and %u%s%s%s", m[0], m[1], m[2], m[3],
               m[4], m[5], rx_max, tx_max, features & F_MRG_RXBUF ? ", merged receive buffers" : "",
               features & F_CSUM ? ", transmit checksum offload" : "", features & F_GUEST_CSUM ? ", receive checksum offload" : "");
    register_card(card);
    return {};
}

} // namespace drivers::virtio::net
