#include "mm/heap.h"
#include <new>
#include "mm/phys.h"
#include "platform/x86_64/paging.h"
#include "core/string.h"
#include "core/verify.h"

namespace mm {

namespace {
constexpr int NCLASSES = 8; // 16 .. 2048
constexpr size_t MAX_SMALL = 2048;
constexpr u64 LARGE_MAGIC = 0x4c617267654d656dull;
// Each small block starts with a 16-byte tag naming its size class.
constexpr size_t SMALL_HEADER = 16;
constexpr u64 SMALL_MAGIC = 0x536d616c6c000000ull;

struct FreeBlock { FreeBlock* next; };
FreeBlock* g_free[NCLASSES];
u64 g_heap_va = HEAP_BASE;
u64 g_in_use;

struct LargeHeader {
    u64 magic;
    u64 pages;
};

int class_of(size_t n)
{
    int c = 0;
    size_t sz = 16;
    while (sz < n) { sz <<= 1; c++; }
    return c;
}

bool refill(int c)
{
    auto pa = alloc_page();
    if (pa.is_error()) return false;
    size_t sz = size_t(16) << c;
    u8* page = static_cast<u8*>(phys_to_virt(pa.value()));
    for (size_t off = 0; off + sz <= PAGE_SIZE; off += sz) {
        auto* b = reinterpret_cast<FreeBlock*>(page + off);
        b->next = g_free[c];
        g_free[c] = b;
    }
    return true;
}
} // namespace

void* kmalloc(size_t n)
{
    if (n == 0) n = 1;
    if (n + SMALL_HEADER <= MAX_SMALL) {
        int c = class_of(n + SMALL_HEADER);
        if (!g_free[c] && !refill(c)) return nullptr;
        FreeBlock* b = g_free[c];
        g_free[c] = b->next;
        g_in_use += size_t(16) << c;
        auto* tag = reinterpret_cast<u64*>(b);
        tag[0] = SMALL_MAGIC | u64(c);
        return reinterpret_cast<u8*>(b) + SMALL_HEADER;
    }
    // Large: header on its own 16 bytes, block starts after it; pages mapped
    // one by one so physical memory need not be contiguous.
    u64 pages = page_round_up(n + sizeof(LargeHeader)) / PAGE_SIZE;
    u64 va = g_heap_va;
    for (u64 i = 0; i < pages; i++) {
        auto pa = alloc_page();
        if (pa.is_error() || paging::map(va + i * PAGE_SIZE, pa.value(), paging::W | paging::NX | paging::G).is_error()) {
            if (!pa.is_error()) free_page(pa.value());
            for (u64 j = 0; j < i; j++) free_page(paging::unmap(va + j * PAGE_SIZE));
            return nullptr;
        }
    }
    g_heap_va += (pages + 1) * PAGE_SIZE; // one unmapped guard page between blocks
    auto* h = reinterpret_cast<LargeHeader*>(va);
    h->magic = LARGE_MAGIC;
    h->pages = pages;
    g_in_use += pages * PAGE_SIZE;
    return h + 1;
}

void kfree(void* p)
{
    if (!p) return;
    u64 v = reinterpret_cast<u64>(p);
    if (v >= HEAP_BASE) {
        auto* h = reinterpret_cast<LargeHeader*>(v) - 1;
        VERIFY(h->magic == LARGE_MAGIC);
        u64 pages = h->pages;
        u64 va = reinterpret_cast<u64>(h);
        for (u64 i = 0; i < pages; i++) free_page(paging::unmap(va + i * PAGE_SIZE));
        g_in_use -= pages * PAGE_SIZE;
        return;
    }
    auto* b = reinterpret_cast<FreeBlock*>(static_cast<u8*>(p) - SMALL_HEADER);
    u64 tag = *reinterpret_cast<u64*>(b);
    VERIFY((tag & ~0xffull) == SMALL_MAGIC);
    int c = int(tag & 0xff);
    VERIFY(c < NCLASSES);
    *reinterpret_cast<u64*>(b) = 0; // a double free now trips the VERIFY above
    b->next = g_free[c];
    g_free[c] = b;
    g_in_use -= size_t(16) << c;
}

u64 heap_bytes_in_use() { return g_in_use; }

} // namespace mm
