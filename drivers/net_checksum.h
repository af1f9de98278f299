#pragma once
// Checksum offload (docs/networking.md): a card that finishes TCP checksums
// itself (virtio-net's VIRTIO_NET_F_CSUM, Linux's CHECKSUM_PARTIAL) is handed
// a segment whose checksum field holds only the sum of the pseudo-header; it
// adds the one's-complement sum of the bytes from `start` to the end of the
// frame and stores the complement at start + offset. Pure functions on a
// frame's bytes, so the unit tests run them on the host.
#include "core/types.h"

namespace drivers::checksum {

// The one's-complement sum of big-endian 16-bit words (an odd last byte is
// padded with zero), added to `sum`; not folded.
inline u64 add(u64 sum, const u8* p, size_t n)
{
    for (; n >= 2; p += 2, n -= 2) sum += u32(p[0]) << 8 | p[1];
    if (n) sum += u32(p[0]) << 8;
    return sum;
}

inline u16 fold(u64 sum)
{
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return u16(sum);
}

struct Partial {
    u16 start;  // where the card starts summing: the TCP header, from the frame's first byte
    u16 offset; // the checksum field, from `start`
};

// For an Ethernet frame carrying one whole TCP segment over IPv4 (not a
// fragment) or IPv6 (TCP as the first next header): writes the folded
// pseudo-header sum into the segment's checksum field, sets *out and returns
// true. Any other frame (ARP, UDP, ICMP, a short or inconsistent one) is left
// alone and gives false: its checksums are the stack's to make.
inline bool prepare_tcp(u8* frame, size_t len, Partial* out)
{
    constexpr size_t ETH = 14, TCP_MIN = 20, TCP_CSUM = 16;
    constexpr u8 TCP = 6;
    if (len < ETH + 1) return false;
    u16 type = u16(frame[12] << 8 | frame[13]);
    u8* ip = frame + ETH;
    size_t ip_room = len - ETH;
    u64 sum;
    size_t header, segment;
    if (type == 0x0800) {
        if (ip_room < 20 || ip[0] >> 4 != 4) return false;
        header = size_t(ip[0] & 0xf) * 4;
        size_t total = size_t(ip[2] << 8 | ip[3]);
        bool fragment = ((ip[6] << 8 | ip[7]) & 0x3fff) != 0; // MF or an offset
        if (ip[9] != TCP || fragment || header < 20 || total > ip_room || total < header + TCP_MIN) return false;
        segment = total - header;
        sum = add(0, ip + 12, 8); // source and destination
        sum += TCP;
        sum += segment;
    } else if (type == 0x86dd) {
        if (ip_room < 40 || ip[0] >> 4 != 6 || ip[6] != TCP) return false;
        header = 40;
        segment = size_t(ip[4] << 8 | ip[5]);
        if (segment < TCP_MIN || header + segment > ip_room) return false;
        sum = add(0, ip + 8, 32); // source and destination
        sum += TCP;
        sum += segment; // a 32-bit length in the IPv6 pseudo-header: below 64 KiB here
    } else {
        return false;
    }
    u16 partial = fold(sum);
    u8* field = ip + header + TCP_CSUM;
    field[0] = u8(partial >> 8);
    field[1] = u8(partial);
    out->start = u16(ETH + header);
    out->offset = u16(TCP_CSUM);
    return true;
}

// What the card does with a Partial: the complement of the sum from
// p.start to the end, stored at p.start + p.offset. For frames the card
// cannot finish (and for the tests).
inline void complete(u8* frame, size_t len, Partial p)
{
    u16 c = u16(~fold(add(0, frame + p.start, len - p.start)));
    frame[p.start + p.offset] = u8(c >> 8);
    frame[p.start + p.offset + 1] = u8(c);
}

} // namespace drivers::checksum
