// The page allocator, run over a host buffer standing in for physical memory.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <set>
#include "mm/phys.h"

TEST_CASE("the page allocator hands out distinct zeroed pages, skips reserved ranges and reuses freed pages")
{
    constexpr u64 BASE = 0x100000, SIZE = 64 * PAGE_SIZE;
    auto* mem = static_cast<uint8_t*>(aligned_alloc(PAGE_SIZE, SIZE));
    memset(mem, 0xaa, SIZE);
    mm::g_phys_window = reinterpret_cast<u64>(mem) - BASE;
    mm::PhysRange usable[] = { { BASE, BASE + SIZE } };
    mm::PhysRange reserved[] = { { BASE + 8 * PAGE_SIZE, BASE + 16 * PAGE_SIZE } };
    mm::phys_init(usable, 1, reserved, 1);
    CHECK(mm::phys_total_pages() == 56);

    std::set<u64> got;
    for (;;) {
        auto r = mm::alloc_page();
        if (r.is_error()) {
            CHECK(r.error() == Errno::ENOMEM);
            break;
        }
        u64 pa = r.value();
        CHECK(pa % PAGE_SIZE == 0);
        CHECK((pa < BASE + 8 * PAGE_SIZE || pa >= BASE + 16 * PAGE_SIZE));
        auto* p = static_cast<uint8_t*>(mm::phys_to_virt(pa));
        for (u64 i = 0; i < PAGE_SIZE; i += 512) REQUIRE(p[i] == 0);
        p[0] = 1;
        CHECK(got.insert(pa).second);
    }
    CHECK(got.size() == 56);
    CHECK(mm::phys_free_pages() == 0);

    u64 some = *got.begin();
    mm::free_page(some);
    CHECK(mm::phys_free_pages() == 1);
    auto again = mm::alloc_page();
    REQUIRE_FALSE(again.is_error());
    CHECK(again.value() == some);
    CHECK(static_cast<uint8_t*>(mm::phys_to_virt(some))[0] == 0);
    free(mem);
}
