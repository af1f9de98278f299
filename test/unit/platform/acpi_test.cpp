#include <catch2/catch.hpp>
#include <cstring>
#include <vector>
#include "platform/x86_64/acpi.h"

namespace {
// A fake physical memory: one buffer at physical address BASE.
constexpr u64 BASE = 0xe0000;
struct Mem {
    std::vector<u8> bytes = std::vector<u8>(0x4000);
    acpi::PhysReader reader() { return { &Mem::read, this }; }
    static const u8* read(void* ctx, u64 pa, u64 len)
    {
        auto* m = static_cast<Mem*>(ctx);
        if (pa < BASE || pa + len > BASE + m->bytes.size()) return nullptr;
        return m->bytes.data() + (pa - BASE);
    }
    u8* at(u64 pa) { return bytes.data() + (pa - BASE); }
};

void put32(u8* p, u32 v) { for (int i = 0; i < 4; i++) p[i] = u8(v >> (8 * i)); }
void put64(u8* p, u64 v) { put32(p, u32(v)); put32(p + 4, u32(v >> 32)); }
u8 checksum(const u8* p, size_t n)
{
    u8 s = 0;
    for (size_t i = 0; i < n; i++) s = u8(s + p[i]);
    return u8(-s);
}

// A table with a header (signature, length, checksum) and `body` after it.
void put_table(Mem& m, u64 pa, const char* sig, const std::vector<u8>& body)
{
    u8* t = m.at(pa);
    memcpy(t, sig, 4);
    u32 len = u32(36 + body.size());
    put32(t + 4, len);
    t[8] = 1;
    memcpy(t + 36, body.data(), body.size());
    t[9] = 0;
    t[9] = checksum(t, len);
}

std::vector<u8> madt_body(const std::vector<std::vector<u8>>& entries)
{
    std::vector<u8> b(8, 0);
    put32(b.data(), 0xfee00000);
    for (auto& e : entries) b.insert(b.end(), e.begin(), e.end());
    return b;
}
std::vector<u8> lapic(u8 uid, u8 id, u32 flags)
{
    std::vector<u8> e = { 0, 8, uid, id, 0, 0, 0, 0 };
    put32(e.data() + 4, flags);
    return e;
}
std::vector<u8> x2apic(u32 id, u32 flags)
{
    std::vector<u8> e(16, 0);
    e[0] = 9;
    e[1] = 16;
    put32(e.data() + 4, id);
    put32(e.data() + 8, flags);
    return e;
}
std::vector<u8> ioapic() { return { 1, 12, 0, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0 }; }

void put_rsdp(Mem& m, u64 pa, u8 revision, u32 rsdt, u64 xsdt)
{
    u8* r = m.at(pa);
    memcpy(r, "RSD PTR ", 8);
    memcpy(r + 9, "ELFIN ", 6);
    r[15] = revision;
    put32(r + 16, rsdt);
    r[8] = checksum(r, 20);
    if (revision >= 2) {
        put32(r + 20, 36);
        put64(r + 24, xsdt);
        r[32] = checksum(r, 36);
    }
}
} // namespace

TEST_CASE("MADT: enabled local APIC and x2APIC entries, in order; disabled and other entries skipped")
{
    Mem m;
    put_table(m, BASE + 0x1000, "APIC",
              madt_body({ lapic(0, 0, 1), ioapic(), lapic(1, 2, 1), lapic(2, 5, 0), lapic(3, 6, 2), x2apic(300, 1),
                          lapic(4, 2, 1) }));
    u32 len = 0;
    u8* t = m.at(BASE + 0x1000);
    memcpy(&len, t + 4, 4);
    u32 ids[8] = {};
    REQUIRE(acpi::madt_apic_ids(t, len, ids, 8) == 3); // the repeated id 2 counts once
    CHECK(ids[0] == 0);
    CHECK(ids[1] == 2);
    CHECK(ids[2] == 300);
    // More CPUs than room: counted, not stored past max.
    u32 one[1] = {};
    CHECK(acpi::madt_apic_ids(t, len, one, 1) == 3);
    CHECK(one[0] == 0);
    // A truncated entry ends the walk instead of reading past the table.
    CHECK(acpi::madt_apic_ids(t, 36 + 8 + 8 + 5, ids, 8) == 1);
}

TEST_CASE("ACPI: RSDP scan and table lookup through the RSDT and the XSDT")
{
    Mem m;
    put_table(m, BASE + 0x1000, "APIC", madt_body({ lapic(0, 0, 1), lapic(1, 1, 1) }));
    put_table(m, BASE + 0x1200, "FACP", std::vector<u8>(80, 0));
    std::vector<u8> rsdt(8);
    put32(rsdt.data(), BASE + 0x1200);
    put32(rsdt.data() + 4, BASE + 0x1000);
    put_table(m, BASE + 0x2000, "RSDT", rsdt);
    std::vector<u8> xsdt(16);
    put64(xsdt.data(), BASE + 0x1200);
    put64(xsdt.data() + 8, BASE + 0x1000);
    put_table(m, BASE + 0x2100, "XSDT", xsdt);
    auto mem = m.reader();

    SECTION("revision 0: the RSDT")
    {
        put_rsdp(m, BASE + 0x30, 0, BASE + 0x2000, 0);
        CHECK(acpi::scan_rsdp(mem, BASE, 0x1000) == BASE + 0x30);
        u32 len = 0;
        const u8* madt = acpi::find_table(mem, BASE + 0x30, "APIC", &len);
        REQUIRE(madt == m.at(BASE + 0x1000));
        CHECK(len == 36 + 8 + 16);
        u32 ids[4];
        CHECK(acpi::madt_apic_ids(madt, len, ids, 4) == 2);
        CHECK(acpi::find_table(mem, BASE + 0x30, "HPET", &len) == nullptr);
    }
    SECTION("revision 2: the XSDT; a bad table checksum hides the table")
    {
        put_rsdp(m, BASE + 0x40, 2, 0, BASE + 0x2100);
        u32 len = 0;
        CHECK(acpi::find_table(mem, BASE + 0x40, "APIC", &len) == m.at(BASE + 0x1000));
        m.at(BASE + 0x1000)[40] ^= 1;
        CHECK(acpi::find_table(mem, BASE + 0x40, "APIC", &len) == nullptr);
    }
    SECTION("no RSDP: a bad checksum or a misaligned signature is not one")
    {
        put_rsdp(m, BASE + 0x50, 0, BASE + 0x2000, 0);
        m.at(BASE + 0x50)[8] ^= 1;
        memcpy(m.at(BASE + 0x68), "RSD PTR ", 8);
        CHECK(acpi::scan_rsdp(mem, BASE, 0x1000) == 0);
        u32 len;
        CHECK(acpi::find_table(mem, BASE + 0x50, "APIC", &len) == nullptr);
    }
}
