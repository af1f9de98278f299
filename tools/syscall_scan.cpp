#include "tools/syscall_scan.h"

#include <Zydis/Zydis.h>
#include <algorithm>
#include <array>

namespace elfin {

namespace {

constexpr int NO_GPR = -1;
constexpr int RAX = 0, RCX = 1, R11 = 11;

// 0 for rax … 15 for r15, from any of their widths; NO_GPR for anything else.
int gpr_index(ZydisRegister r)
{
    if (r == ZYDIS_REGISTER_NONE) return NO_GPR;
    auto big = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r);
    if (big < ZYDIS_REGISTER_RAX || big > ZYDIS_REGISTER_R15) return NO_GPR;
    return big - ZYDIS_REGISTER_RAX;
}

// What the sweep knows about one register: a constant, and the address of the
// first instruction of the chain that produced it (a branch target after that
// address means another path may reach the use with another value).
struct Known {
    bool valid = false;
    uint64_t value = 0;
    uint64_t since = 0;
};

bool is_full_gpr(const ZydisDecodedOperand& op)
{
    return op.type == ZYDIS_OPERAND_TYPE_REGISTER && gpr_index(op.reg.value) != NO_GPR
        && (op.size == 32 || op.size == 64);
}

// A write of a constant to a whole (32- or 64-bit) register: returns true and
// updates `regs` when the instruction is one of the forms we understand.
bool constant_write(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops,
    std::array<Known, 16>& regs, uint64_t address)
{
    if (insn.operand_count_visible != 2 || !is_full_gpr(ops[0])) return false;
    int dst = gpr_index(ops[0].reg.value);
    uint64_t mask = ops[0].size == 32 ? 0xffffffffull : ~0ull; // 32-bit writes zero the upper half
    switch (insn.mnemonic) {
    case ZYDIS_MNEMONIC_MOV:
        if (ops[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
            regs[dst] = { true, ops[1].imm.value.u & mask, address };
            return true;
        }
        if (is_full_gpr(ops[1]) && ops[1].size == ops[0].size) {
            auto src = regs[gpr_index(ops[1].reg.value)];
            regs[dst] = src.valid ? Known { true, src.value & mask, src.since } : Known {};
            return true;
        }
        return false;
    case ZYDIS_MNEMONIC_XOR:
    case ZYDIS_MNEMONIC_SUB:
        if (ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[1].reg.value == ops[0].reg.value) {
            regs[dst] = { true, 0, address };
            return true;
        }
        return false;
    default:
        return false;
    }
}

} // namespace

std::vector<SyscallSite> scan_code(std::span<const uint8_t> code, uint64_t address)
{
    ZydisDecoder decoder;
    if (!ZYAN_SUCCESS(ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64))) return {};

    struct Pending {
        size_t site;     // index into `sites`
        uint64_t since;  // where the constant's chain began
    };
    std::vector<SyscallSite> sites;
    std::vector<Pending> pending;
    std::vector<uint64_t> targets; // of direct branches and calls
    std::array<Known, 16> regs {};
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];

    size_t pos = 0;
    while (pos < code.size()) {
        uint64_t at = address + pos;
        if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, code.data() + pos, code.size() - pos, &insn, ops))) {
            regs = {}; // data, or a sweep out of step: trust nothing before it
            pos++;
            continue;
        }
        pos += insn.length;

        SiteKind kind;
        bool is_site = true;
        if (insn.mnemonic == ZYDIS_MNEMONIC_SYSCALL) kind = SiteKind::Syscall;
        else if (insn.mnemonic == ZYDIS_MNEMONIC_SYSENTER) kind = SiteKind::Sysenter;
        else if (insn.mnemonic == ZYDIS_MNEMONIC_INT && ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && ops[0].imm.value.u == 0x80)
            kind = SiteKind::Int80;
        else is_site = false;
        if (is_site) {
            SyscallSite s { at, kind, std::nullopt };
            if (regs[RAX].valid) {
                // Linux takes the number from eax (an int).
                s.nr = static_cast<uint32_t>(regs[RAX].value);
                pending.push_back({ sites.size(), regs[RAX].since });
            }
            sites.push_back(s);
            // The kernel returns in rax; syscall itself clobbers rcx and r11.
            regs[RAX] = regs[RCX] = regs[R11] = {};
            continue;
        }

        if (constant_write(insn, ops, regs, at)) continue;

        for (unsigned i = 0; i < insn.operand_count; i++) {
            const auto& op = ops[i];
            if (op.type == ZYDIS_OPERAND_TYPE_REGISTER && (op.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE)) {
                if (int r = gpr_index(op.reg.value); r != NO_GPR) regs[r] = {};
            }
        }

        auto category = insn.meta.category;
        bool cond = category == ZYDIS_CATEGORY_COND_BR;
        bool ends_block = category == ZYDIS_CATEGORY_UNCOND_BR || category == ZYDIS_CATEGORY_CALL
            || category == ZYDIS_CATEGORY_RET || category == ZYDIS_CATEGORY_INTERRUPT
            || insn.mnemonic == ZYDIS_MNEMONIC_HLT || insn.mnemonic == ZYDIS_MNEMONIC_UD2;
        if (cond || ends_block) {
            for (unsigned i = 0; i < insn.operand_count_visible; i++) {
                ZyanU64 target;
                if (ops[i].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && ops[i].imm.is_relative
                    && ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&insn, &ops[i], at, &target)))
                    targets.push_back(target);
            }
        }
        // The fall-through of a conditional branch is reached only from it
        // (unless it is itself a target, checked below), so what is known
        // still holds there.
        if (ends_block) regs = {};
    }

    // A constant reaches its syscall only if no branch lands between them.
    std::sort(targets.begin(), targets.end());
    for (auto& p : pending) {
        auto& s = sites[p.site];
        auto it = std::upper_bound(targets.begin(), targets.end(), p.since);
        if (it != targets.end() && *it <= s.address) s.nr.reset();
    }
    return sites;
}

} // namespace elfin
