#include "tools/syscall_scan.h"

#include <Zydis/Zydis.h>
#include <algorithm>
#include <array>

// Two steps. A linear sweep decodes every instruction once into a small
// record of what it does to the general registers and to control flow. Then
// the records are cut into basic blocks (at direct branch targets and after
// branches), and constants are propagated through the blocks along the
// fall-through and direct-branch edges until nothing changes: a register is a
// constant at a block's entry only if it is the same constant on every edge
// into it. That finds glibc's `mov $231, %esi; … jmp; … mov %esi, %eax;
// syscall` (_exit) as well as the plain `mov $39, %eax; syscall`.
//
// What it cannot see: indirect jumps (a jump table's targets get no edges, so
// a block reached only that way is unknown) and the values that callers pass
// in registers (a call target starts with nothing known; a call forgets
// everything).

namespace elfin {

namespace {

constexpr int NO_GPR = -1;
constexpr int RAX = 0, RCX = 1, R11 = 11;
constexpr uint16_t ALL_GPRS = 0xffff;

// 0 for rax … 15 for r15, from any of their widths; NO_GPR for anything else.
int gpr_index(ZydisRegister r)
{
    if (r == ZYDIS_REGISTER_NONE) return NO_GPR;
    auto big = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r);
    if (big < ZYDIS_REGISTER_RAX || big > ZYDIS_REGISTER_R15) return NO_GPR;
    return big - ZYDIS_REGISTER_RAX;
}

enum class Op : uint8_t {
    Other,    // only `clobbers`
    Const,    // dst = value
    Copy,     // dst = src (truncated to 32 bits when `narrow`)
    Site,     // a system call instruction of kind `site`
    CondJump, // to `value` when `has_target`; falls through
    Jump,     // to `value` when `has_target`; does not fall through
    Call,     // forgets every register; falls through
    Stop,     // ret, hlt, ud2, int n, bytes that do not decode: no successor
};

struct Insn {
    uint32_t offset;
    uint8_t length;
    Op op;
    int8_t dst = NO_GPR, src = NO_GPR;
    bool narrow = false, has_target = false;
    SiteKind site = SiteKind::Syscall;
    uint16_t clobbers = 0; // registers written in a way not tracked
    uint64_t value = 0;    // the constant, or the branch target (an address)
};

bool is_full_gpr(const ZydisDecodedOperand& op)
{
    return op.type == ZYDIS_OPERAND_TYPE_REGISTER && gpr_index(op.reg.value) != NO_GPR && (op.size == 32 || op.size == 64);
}

// mov r, imm; mov r, r; xor r, r; sub r, r on whole 32/64-bit registers.
bool tracked_write(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops, Insn& out)
{
    if (insn.operand_count_visible != 2 || !is_full_gpr(ops[0])) return false;
    out.dst = static_cast<int8_t>(gpr_index(ops[0].reg.value));
    out.narrow = ops[0].size == 32; // 32-bit writes zero the upper half
    uint64_t mask = out.narrow ? 0xffffffffull : ~0ull;
    switch (insn.mnemonic) {
    case ZYDIS_MNEMONIC_MOV:
        if (ops[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
            out.op = Op::Const;
            out.value = ops[1].imm.value.u & mask;
            return true;
        }
        if (is_full_gpr(ops[1]) && ops[1].size == ops[0].size) {
            out.op = Op::Copy;
            out.src = static_cast<int8_t>(gpr_index(ops[1].reg.value));
            return true;
        }
        return false;
    case ZYDIS_MNEMONIC_XOR:
    case ZYDIS_MNEMONIC_SUB:
        if (ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[1].reg.value == ops[0].reg.value) {
            out.op = Op::Const;
            out.value = 0;
            return true;
        }
        return false;
    default:
        return false;
    }
}

Insn describe(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops, uint32_t offset, uint64_t address)
{
    Insn out { offset, insn.length, Op::Other };
    if (insn.mnemonic == ZYDIS_MNEMONIC_SYSCALL || insn.mnemonic == ZYDIS_MNEMONIC_SYSENTER
        || (insn.mnemonic == ZYDIS_MNEMONIC_INT && ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && ops[0].imm.value.u == 0x80)) {
        out.op = Op::Site;
        out.site = insn.mnemonic == ZYDIS_MNEMONIC_SYSCALL ? SiteKind::Syscall
            : insn.mnemonic == ZYDIS_MNEMONIC_SYSENTER    ? SiteKind::Sysenter
                                                          : SiteKind::Int80;
        return out;
    }
    if (tracked_write(insn, ops, out)) return out;
    out.dst = out.src = NO_GPR;
    out.narrow = false;
    for (unsigned i = 0; i < insn.operand_count; i++) {
        const auto& op = ops[i];
        if (op.type == ZYDIS_OPERAND_TYPE_REGISTER && (op.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
            if (int r = gpr_index(op.reg.value); r != NO_GPR) out.clobbers |= static_cast<uint16_t>(1u << r);
    }
    switch (insn.meta.category) {
    case ZYDIS_CATEGORY_COND_BR: out.op = Op::CondJump; break;
    case ZYDIS_CATEGORY_UNCOND_BR: out.op = Op::Jump; break;
    case ZYDIS_CATEGORY_CALL: out.op = Op::Call; break;
    case ZYDIS_CATEGORY_RET:
    case ZYDIS_CATEGORY_INTERRUPT: out.op = Op::Stop; break;
    default:
        if (insn.mnemonic == ZYDIS_MNEMONIC_HLT || insn.mnemonic == ZYDIS_MNEMONIC_UD2) out.op = Op::Stop;
        break;
    }
    if (out.op == Op::CondJump || out.op == Op::Jump || out.op == Op::Call) {
        ZyanU64 target;
        if (ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && ops[0].imm.is_relative
            && ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&insn, &ops[0], address, &target)))
            out.has_target = true, out.value = target;
    }
    return out;
}

// One register at a block's entry: not reached yet, a constant, or unknown.
struct Value {
    enum : uint8_t { Unreached, Known, Unknown } state = Unreached;
    uint64_t v = 0;
    bool operator==(const Value&) const = default;
};
using Regs = std::array<Value, 16>;

Regs all_unknown()
{
    Regs r;
    r.fill({ Value::Unknown, 0 });
    return r;
}

void forget(Regs& r, uint16_t mask)
{
    for (int i = 0; i < 16; i++)
        if (mask & (1u << i)) r[i] = { Value::Unknown, 0 };
}

// Applies one instruction; returns the site's number (when it is one and eax is known).
std::optional<uint32_t> step(Regs& r, const Insn& in)
{
    std::optional<uint32_t> nr;
    switch (in.op) {
    case Op::Const: r[in.dst] = { Value::Known, in.value }; break;
    case Op::Copy: {
        auto s = r[in.src];
        r[in.dst] = s.state == Value::Known ? Value { Value::Known, in.narrow ? s.v & 0xffffffffull : s.v } : Value { Value::Unknown, 0 };
        break;
    }
    case Op::Site:
        // Linux takes the number from eax (an int). The result comes back in
        // rax; the instruction itself clobbers rcx and r11.
        if (r[RAX].state == Value::Known) nr = static_cast<uint32_t>(r[RAX].v);
        forget(r, (1u << RAX) | (1u << RCX) | (1u << R11));
        break;
    case Op::Call: forget(r, ALL_GPRS); break;
    default: forget(r, in.clobbers); break;
    }
    return nr;
}

} // namespace

std::vector<SyscallSite> scan_code(std::span<const uint8_t> code, uint64_t address)
{
    ZydisDecoder decoder;
    if (!ZYAN_SUCCESS(ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64))) return {};
    if (code.size() > UINT32_MAX) code = code.first(UINT32_MAX);

    // 1. Decode. Bytes that do not decode become one-byte Stops: the sweep
    // moves on a byte at a time until instructions decode again.
    std::vector<Insn> insns;
    insns.reserve(code.size() / 4);
    bool any_site = false;
    ZydisDecodedInstruction zi;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    for (size_t pos = 0; pos < code.size();) {
        auto offset = static_cast<uint32_t>(pos);
        if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, code.data() + pos, code.size() - pos, &zi, ops))) {
            insns.push_back({ offset, 1, Op::Stop });
            pos++;
            continue;
        }
        insns.push_back(describe(zi, ops, offset, address + pos));
        any_site |= insns.back().op == Op::Site;
        pos += zi.length;
    }
    if (!any_site) return {};

    // 2. Basic blocks: they start at the beginning, at direct branch targets
    // and after every branch or stop. A call target starts with nothing known.
    auto index_at = [&](uint64_t target) -> int64_t {
        if (target < address || target - address >= code.size()) return -1;
        auto off = static_cast<uint32_t>(target - address);
        auto it = std::lower_bound(insns.begin(), insns.end(), off, [](const Insn& i, uint32_t o) { return i.offset < o; });
        return it != insns.end() && it->offset == off ? it - insns.begin() : -1; // not mid-instruction
    };
    std::vector<uint8_t> leader(insns.size() + 1, 0), entry_unknown(insns.size() + 1, 0);
    std::vector<int64_t> target_of(insns.size(), -1);
    leader[0] = entry_unknown[0] = 1;
    for (size_t i = 0; i < insns.size(); i++) {
        auto& in = insns[i];
        if (in.op == Op::CondJump || in.op == Op::Jump || in.op == Op::Stop) leader[i + 1] = 1;
        if (in.has_target) {
            auto t = index_at(in.value);
            if (t < 0) continue;
            leader[t] = 1;
            if (in.op == Op::Call) entry_unknown[t] = 1;
            else target_of[i] = t;
        }
    }
    std::vector<size_t> starts;
    std::vector<int32_t> block_of(insns.size());
    for (size_t i = 0; i < insns.size(); i++) {
        if (leader[i]) starts.push_back(i);
        block_of[i] = static_cast<int32_t>(starts.size() - 1);
    }
    size_t nblocks = starts.size();
    auto block_end = [&](size_t b) { return b + 1 < nblocks ? starts[b + 1] : insns.size(); };

    // 3. Propagate constants to a fixed point. The lattice per register is
    // Unreached → Known(v) → Unknown, so each block changes at most twice per
    // register.
    std::vector<Regs> entry(nblocks);
    std::vector<uint8_t> queued(nblocks, 0);
    std::vector<size_t> work;
    std::vector<uint8_t> jumped_to(nblocks, 0);
    for (size_t i = 0; i < insns.size(); i++)
        if (target_of[i] >= 0) jumped_to[block_of[target_of[i]]] = 1;
    for (size_t b = 0; b < nblocks; b++) {
        bool falls_in = b > 0 && insns[starts[b] - 1].op != Op::Jump && insns[starts[b] - 1].op != Op::Stop;
        if (entry_unknown[starts[b]] || (!falls_in && !jumped_to[b])) {
            // A function (called, or the section's start) or a block no edge
            // we know reaches (a jump table's case, say): nothing known on
            // entry. Direct jumps may land here too; they only add Unknowns.
            entry[b] = all_unknown();
            work.push_back(b);
            queued[b] = 1;
        }
    }
    auto flow = [&](size_t to, const Regs& out) {
        bool changed = false;
        for (int r = 0; r < 16; r++) {
            auto& e = entry[to][r];
            Value merged = e.state == Value::Unreached ? out[r]
                : e == out[r]                          ? e
                                                       : Value { Value::Unknown, 0 };
            if (!(merged == e)) e = merged, changed = true;
        }
        if (changed && !queued[to]) queued[to] = 1, work.push_back(to);
    };
    while (!work.empty()) {
        size_t b = work.back();
        work.pop_back();
        queued[b] = 0;
        Regs r = entry[b];
        size_t last = block_end(b) - 1;
        for (size_t i = starts[b]; i <= last; i++) step(r, insns[i]);
        auto& tail = insns[last];
        if (tail.op != Op::Jump && tail.op != Op::Stop && b + 1 < nblocks) flow(b + 1, r);
        if (target_of[last] >= 0) flow(static_cast<size_t>(block_of[target_of[last]]), r);
    }

    // 4. Read the number at each site.
    std::vector<SyscallSite> sites;
    for (size_t b = 0; b < nblocks; b++) {
        Regs r = entry[b];
        for (size_t i = starts[b]; i < block_end(b); i++) {
            auto nr = step(r, insns[i]);
            if (insns[i].op == Op::Site) sites.push_back({ address + insns[i].offset, insns[i].site, nr });
        }
    }
    return sites;
}

} // namespace elfin
