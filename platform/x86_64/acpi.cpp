#include "platform/x86_64/acpi.h"

namespace acpi {

namespace {
constexpr u32 HEADER_LEN = 36; // the System Description Table Header (ACPI 6.5, 5.2.6)

u32 le32(const u8* p) { return u32(p[0]) | u32(p[1]) << 8 | u32(p[2]) << 16 | u32(p[3]) << 24; }
u64 le64(const u8* p) { return u64(le32(p)) | u64(le32(p + 4)) << 32; }

bool sum_ok(const u8* p, u64 len)
{
    u8 s = 0;
    for (u64 i = 0; i < len; i++) s = u8(s + p[i]);
    return s == 0;
}

bool same_sig(const u8* p, const char* sig)
{
    for (int i = 0; i < 4; i++)
        if (p[i] != u8(sig[i])) return false;
    return true;
}

// A whole table at pa: header, then the length it gives, checksummed.
const u8* table_at(const PhysReader& mem, u64 pa, u32* len_out)
{
    const u8* h = mem(pa, HEADER_LEN);
    if (!h) return nullptr;
    u32 len = le32(h + 4);
    if (len < HEADER_LEN) return nullptr;
    const u8* t = mem(pa, len);
    if (!t || !sum_ok(t, len)) return nullptr;
    *len_out = len;
    return t;
}

bool rsdp_ok(const u8* p)
{
    static const char SIG[8] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };
    for (int i = 0; i < 8; i++)
        if (p[i] != u8(SIG[i])) return false;
    return sum_ok(p, 20); // the ACPI 1.0 part; revision 2's extended checksum is checked when used
}
} // namespace

u64 scan_rsdp(const PhysReader& mem, u64 base, u64 len)
{
    for (u64 off = 0; off + 20 <= len; off += 16) {
        const u8* p = mem(base + off, 20);
        if (p && rsdp_ok(p)) return base + off;
    }
    return 0;
}

const u8* find_table(const PhysReader& mem, u64 rsdp_pa, const char* sig, u32* len_out)
{
    const u8* rsdp = mem(rsdp_pa, 20);
    if (!rsdp || !rsdp_ok(rsdp)) return nullptr;
    // Revision 2 and later: the XSDT (64-bit entries) if its checksum over 36 bytes holds.
    u64 root_pa = le32(rsdp + 16);
    u32 entry_size = 4;
    if (rsdp[15] >= 2) {
        const u8* ext = mem(rsdp_pa, 36);
        if (ext && le32(ext + 20) >= 36 && sum_ok(ext, 36) && le64(ext + 24)) {
            root_pa = le64(ext + 24);
            entry_size = 8;
        }
    }
    u32 root_len;
    const u8* root = table_at(mem, root_pa, &root_len);
    if (!root || !same_sig(root, entry_size == 8 ? "XSDT" : "RSDT")) return nullptr;
    for (u32 off = HEADER_LEN; off + entry_size <= root_len; off += entry_size) {
        u64 pa = entry_size == 8 ? le64(root + off) : le32(root + off);
        u32 len;
        const u8* t = table_at(mem, pa, &len);
        if (t && same_sig(t, sig)) {
            *len_out = len;
            return t;
        }
    }
    return nullptr;
}

int madt_apic_ids(const u8* madt, u32 len, u32* ids, int max)
{
    // After the header: the local APIC address (4) and flags (4), then
    // variable-length entries: type (1), length (1), body.
    // Ids seen so far, to count a repeated one once (past 256 CPUs they are
    // counted as they come).
    constexpr int SEEN_MAX = 256;
    u32 seen[SEEN_MAX];
    int n = 0;
    for (u32 off = HEADER_LEN + 8; off + 2 <= len;) {
        u8 type = madt[off], elen = madt[off + 1];
        if (elen < 2 || off + elen > len) break; // malformed: stop rather than misread
        const u8* e = madt + off;
        u32 id = 0, flags = 0;
        bool cpu = false;
        if (type == 0 && elen >= 8) { // Processor Local APIC: uid, apic id, flags
            id = e[3];
            flags = le32(e + 4);
            cpu = true;
        } else if (type == 9 && elen >= 16) { // Processor Local x2APIC: reserved, x2apic id, flags, uid
            id = le32(e + 4);
            flags = le32(e + 8);
            cpu = true;
        }
        // Bit 0: enabled. Bit 1 (online capable) alone is a hot-plug slot, not a CPU.
        if (cpu && (flags & 1)) {
            bool dup = false;
            for (int i = 0; i < n && i < SEEN_MAX; i++) dup |= seen[i] == id;
            if (!dup) {
                if (n < SEEN_MAX) seen[n] = id;
                if (n < max) ids[n] = id;
                n++;
            }
        }
        off += elen;
    }
    return n;
}

} // namespace acpi
