#pragma once
// Finding system call instructions in x86-64 machine code, and the syscall
// number each one uses when it is a constant. A pure function over bytes
// (decoded with Zydis), so the tests feed it hand-assembled code.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace elfin {

enum class SiteKind : uint8_t {
    Syscall,  // `syscall`: the x86-64 ABI
    Int80,    // `int 0x80`: the 32-bit ABI, which Elfin does not provide
    Sysenter, // `sysenter`: the 32-bit fast path, likewise
};

struct SyscallSite {
    uint64_t address;            // of the instruction
    SiteKind kind;
    std::optional<uint32_t> nr;  // eax at the instruction, when it is a constant
};

// Every system call instruction in `code`, which is mapped at `address`. The
// sweep is linear; bytes that do not decode are skipped one at a time until
// instructions decode again (data in code). The number is known when, in the
// same basic block, eax/rax was last set from a constant (mov r, imm; xor r, r;
// sub r, r; or a copy of such a register). Calls, unconditional jumps, returns
// and the targets of direct branches end what is known.
std::vector<SyscallSite> scan_code(std::span<const uint8_t> code, uint64_t address);

} // namespace elfin
