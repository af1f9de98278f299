// Initial sequence numbers for TCP, as RFC 6528 asks: a clock that ticks
// every 4 µs (RFC 793's) plus a keyed pseudo-random function of the
// connection's addresses and ports, keyed once per boot. Connections opened
// together get unrelated numbers (lwIP's own only moved with its slow
// timer, so several shared one), and a peer cannot guess another
// connection's from its own. The function is SipHash-2-4.
#include "core/random.h"
#include "core/string.h"
#include "core/time.h"
#include "net/lwip.h"
#include "net/lwip_hooks.h"

namespace {

u64 g_key[2];
bool g_keyed;

inline u64 rotl(u64 x, int b) { return (x << b) | (x >> (64 - b)); }

struct SipState {
    u64 v0, v1, v2, v3;
    void round()
    {
        v0 += v1, v1 = rotl(v1, 13), v1 ^= v0, v0 = rotl(v0, 32);
        v2 += v3, v3 = rotl(v3, 16), v3 ^= v2;
        v0 += v3, v3 = rotl(v3, 21), v3 ^= v0;
        v2 += v1, v1 = rotl(v1, 17), v1 ^= v2, v2 = rotl(v2, 32);
    }
};

// SipHash-2-4 of `n` bytes under the 128-bit key k.
u64 siphash(const u64 k[2], const u8* in, size_t n)
{
    SipState s { k[0] ^ 0x736f6d6570736575ull, k[1] ^ 0x646f72616e646f6dull, k[0] ^ 0x6c7967656e657261ull,
                 k[1] ^ 0x7465646279746573ull };
    size_t whole = n & ~size_t(7);
    for (size_t i = 0; i < whole; i += 8) {
        u64 m;
        memcpy(&m, in + i, 8); // little-endian, as the reference
        s.v3 ^= m;
        s.round(), s.round();
        s.v0 ^= m;
    }
    u64 last = u64(n) << 56;
    for (size_t i = 0; i < (n & 7); i++) last |= u64(in[whole + i]) << (8 * i);
    s.v3 ^= last;
    s.round(), s.round();
    s.v0 ^= last;
    s.v2 ^= 0xff;
    s.round(), s.round(), s.round(), s.round();
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

size_t put_address(u8* out, const ip_addr_t* a)
{
    if (IP_IS_V6(a)) {
        memcpy(out, ip_2_ip6(a)->addr, 16);
        return 16;
    }
    u32 v = ip4_addr_get_u32(ip_2_ip4(a));
    memcpy(out, &v, 4);
    return 4;
}

} // namespace

extern "C" u32_t elfin_tcp_isn(const ip_addr_t* local_ip, u16_t local_port, const ip_addr_t* remote_ip, u16_t remote_port)
{
    // Called under the stack's lock, first from a connect or a SYN.
    if (!g_keyed) {
        core::random_bytes(g_key, sizeof g_key);
        g_keyed = true;
    }
    u8 tuple[2 * 16 + 4];
    size_t n = put_address(tuple, local_ip);
    n += put_address(tuple + n, remote_ip);
    memcpy(tuple + n, &local_port, 2);
    memcpy(tuple + n + 2, &remote_port, 2);
    u32 clock = u32(core::time::monotonic_ns() / 4000);
    return clock + u32(siphash(g_key, tuple, n + 4));
}
