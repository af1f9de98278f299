#include "drivers/net_checksum.h"
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

using namespace drivers::checksum;

namespace {

// RFC 1071's checksum over a byte string, written apart from the code under
// test: 32-bit accumulator, big-endian words, end-around carry.
uint16_t rfc1071(const std::vector<uint8_t>& bytes)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < bytes.size(); i += 2) sum += uint32_t(bytes[i]) << 8 | bytes[i + 1];
    if (bytes.size() & 1) sum += uint32_t(bytes.back()) << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(~sum);
}

void put16(std::vector<uint8_t>& v, size_t at, uint16_t x)
{
    v[at] = uint8_t(x >> 8);
    v[at + 1] = uint8_t(x);
}

std::vector<uint8_t> segment(size_t payload)
{
    std::vector<uint8_t> s(20 + payload);
    put16(s, 0, 8080);  // source port
    put16(s, 2, 40000); // destination port
    for (size_t i = 4; i < s.size(); i++) s[i] = uint8_t(i * 37 + 11);
    s[12] = 5 << 4; // data offset
    s[16] = s[17] = 0xee; // a stale checksum: prepare_tcp must overwrite it
    return s;
}

std::vector<uint8_t> ipv4_frame(const std::vector<uint8_t>& seg, uint8_t protocol = 6, uint16_t frag = 0)
{
    std::vector<uint8_t> f(14 + 20);
    put16(f, 12, 0x0800);
    uint8_t* ip = f.data() + 14;
    ip[0] = 0x45;
    uint16_t total = uint16_t(20 + seg.size());
    ip[2] = uint8_t(total >> 8), ip[3] = uint8_t(total);
    ip[6] = uint8_t(frag >> 8), ip[7] = uint8_t(frag);
    ip[8] = 64, ip[9] = protocol;
    const uint8_t src[4] = { 10, 0, 2, 15 }, dst[4] = { 192, 168, 77, 1 };
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dst, 4);
    f.insert(f.end(), seg.begin(), seg.end());
    return f;
}

std::vector<uint8_t> ipv6_frame(const std::vector<uint8_t>& seg)
{
    std::vector<uint8_t> f(14 + 40);
    put16(f, 12, 0x86dd);
    uint8_t* ip = f.data() + 14;
    ip[0] = 0x60;
    ip[4] = uint8_t(seg.size() >> 8), ip[5] = uint8_t(seg.size());
    ip[6] = 6, ip[7] = 64;
    for (int i = 0; i < 16; i++) ip[8 + i] = uint8_t(0xfe - i), ip[24 + i] = uint8_t(0x20 + 3 * i);
    f.insert(f.end(), seg.begin(), seg.end());
    return f;
}

// The checksum a receiver expects: over the pseudo-header and the segment
// with its checksum field zero.
uint16_t expected_v4(const std::vector<uint8_t>& f)
{
    std::vector<uint8_t> seg(f.begin() + 34, f.end());
    seg[16] = seg[17] = 0;
    std::vector<uint8_t> pseudo(f.begin() + 26, f.begin() + 34); // addresses
    pseudo.insert(pseudo.end(), { 0, 6, uint8_t(seg.size() >> 8), uint8_t(seg.size()) });
    pseudo.insert(pseudo.end(), seg.begin(), seg.end());
    return rfc1071(pseudo);
}

uint16_t expected_v6(const std::vector<uint8_t>& f)
{
    std::vector<uint8_t> seg(f.begin() + 54, f.end());
    seg[16] = seg[17] = 0;
    std::vector<uint8_t> pseudo(f.begin() + 22, f.begin() + 54);
    pseudo.insert(pseudo.end(), { 0, 0, uint8_t(seg.size() >> 8), uint8_t(seg.size()), 0, 0, 0, 6 });
    pseudo.insert(pseudo.end(), seg.begin(), seg.end());
    return rfc1071(pseudo);
}

uint16_t field(const std::vector<uint8_t>& f, size_t at) { return uint16_t(f[at] << 8 | f[at + 1]); }

} // namespace

TEST_CASE("net checksum: a partial TCP checksum over IPv4, finished as the card does, is the right one")
{
    for (size_t payload : { 0, 1, 2, 7, 1460 }) {
        auto f = ipv4_frame(segment(payload));
        uint16_t want = expected_v4(f);
        Partial p {};
        REQUIRE(prepare_tcp(f.data(), f.size(), &p));
        CHECK(p.start == 34);
        CHECK(p.offset == 16);
        CHECK(field(f, 50) != 0xeeee);
        complete(f.data(), f.size(), p);
        CHECK(field(f, 50) == want);
    }
}

TEST_CASE("net checksum: a partial TCP checksum over IPv6")
{
    for (size_t payload : { 0, 3, 1440 }) {
        auto f = ipv6_frame(segment(payload));
        uint16_t want = expected_v6(f);
        Partial p {};
        REQUIRE(prepare_tcp(f.data(), f.size(), &p));
        CHECK(p.start == 54);
        complete(f.data(), f.size(), p);
        CHECK(field(f, 70) == want);
    }
}

TEST_CASE("net checksum: frames that are not one whole TCP segment are left to the stack")
{
    auto untouched = [](std::vector<uint8_t> f) {
        auto before = f;
        Partial p {};
        bool taken = prepare_tcp(f.data(), f.size(), &p);
        return !taken && f == before;
    };
    auto seg = segment(40);
    CHECK(untouched(ipv4_frame(seg, 17)));         // UDP
    CHECK(untouched(ipv4_frame(seg, 6, 0x2000)));  // more fragments
    CHECK(untouched(ipv4_frame(seg, 6, 0x0010)));  // a later fragment
    auto cut = ipv4_frame(seg);
    cut.resize(cut.size() - 1);                    // shorter than its IP length
    CHECK(untouched(cut));
    auto arp = ipv4_frame(seg);
    put16(arp, 12, 0x0806);
    CHECK(untouched(arp));
    auto v6 = ipv6_frame(seg);
    v6[14 + 6] = 0;                                // a hop-by-hop header first
    CHECK(untouched(v6));
    CHECK(untouched(std::vector<uint8_t>(20, 0)));
    CHECK(untouched(std::vector<uint8_t>(14 + 20 + 19, 0x45)));
}
