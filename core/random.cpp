#include "core/random.h"
#include "core/string.h"
#include "core/time.h"
#include "platform/x86_64/cpu.h"

namespace core {

namespace {
u32 g_state[16];
u8 g_block[64];
size_t g_used = 64;

constexpr u32 rotl(u32 v, int c) { return (v << c) | (v >> (32 - c)); }

void quarter(u32* x, int a, int b, int c, int d)
{
    x[a] += x[b]; x[d] = rotl(x[d] ^ x[a], 16);
    x[c] += x[d]; x[b] = rotl(x[b] ^ x[c], 12);
    x[a] += x[b]; x[d] = rotl(x[d] ^ x[a], 8);
    x[c] += x[d]; x[b] = rotl(x[b] ^ x[c], 7);
}

void next_block()
{
    u32 x[16];
    memcpy(x, g_state, sizeof x);
    for (int i = 0; i < 10; i++) {
        quarter(x, 0, 4, 8, 12); quarter(x, 1, 5, 9, 13); quarter(x, 2, 6, 10, 14); quarter(x, 3, 7, 11, 15);
        quarter(x, 0, 5, 10, 15); quarter(x, 1, 6, 11, 12); quarter(x, 2, 7, 8, 13); quarter(x, 3, 4, 9, 14);
    }
    for (int i = 0; i < 16; i++) x[i] += g_state[i];
    memcpy(g_block, x, sizeof g_block);
    if (++g_state[12] == 0) g_state[13]++;
    g_used = 0;
}

bool hw_random(u64& v)
{
    if (!x86::g_features.rdrand) return false;
    for (int i = 0; i < 10; i++) {
        unsigned char ok;
        asm volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
        if (ok) return true;
    }
    return false;
}
} // namespace

void random_init()
{
    static const char sigma[] = "expand 32-byte k";
    memcpy(g_state, sigma, 16);
    for (int i = 4; i < 12; i += 2) {
        u64 v = 0;
        if (!hw_random(v)) {
            // No RDRAND: TSC low bits are jittery across these loops under a hypervisor.
            for (int j = 0; j < 64; j++) v = (v << 1 | v >> 63) ^ x86::rdtsc();
        }
        v ^= time::realtime_ns() * 0x9e3779b97f4a7c15ull;
        g_state[i] = u32(v);
        g_state[i + 1] = u32(v >> 32);
    }
    g_state[12] = g_state[13] = 0;
    g_state[14] = u32(x86::rdtsc());
    g_state[15] = 0x454c4649; // "ELFI"
    g_used = 64;
}

void random_bytes(void* out, size_t n)
{
    u8* p = static_cast<u8*>(out);
    while (n) {
        if (g_used == 64) next_block();
        size_t k = 64 - g_used < n ? 64 - g_used : n;
        memcpy(p, g_block + g_used, k);
        memset(g_block + g_used, 0, k); // forward secrecy for what was handed out
        g_used += k;
        p += k;
        n -= k;
    }
}

u64 random_u64()
{
    u64 v;
    random_bytes(&v, sizeof v);
    return v;
}

} // namespace core
