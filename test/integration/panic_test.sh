#!/usr/bin/env bash
# A kernel panic must reach the person: the run script (and so the tool) exits
# 70 and shows the panic with registers, the faulting instruction disassembled
# with Zydis, and a symbolised backtrace. The kernel's `selftest-panic` switch
# executes ud2 during boot.
set -u
elfin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$elfin" build --mem 32M /bin/busybox true -o "$dir/out" >/dev/null || { echo "FAIL: elfin build"; exit 1; }
"$dir/out/run" -append selftest-panic >"$dir/stdout" 2>"$dir/stderr"
rc=$?
fail() { echo "FAIL: $*"; echo "--- stderr"; cat "$dir/stderr"; echo "--- stdout"; cat "$dir/stdout"; exit 1; }
[ "$rc" -eq 70 ] || fail "exit status $rc, expected 70"
grep -q "KERNEL PANIC: invalid opcode" "$dir/stderr" || fail "no panic reason"
grep -qE "^rip [0-9a-f]{16}" "$dir/stderr" || fail "no register dump"
grep -qE "faulting instruction: [0-9a-f]+ +ud2" "$dir/stderr" || fail "no disassembled instruction"
grep -qE "kmain\+0x" "$dir/stderr" || fail "no symbolised frame naming kmain"
echo "panic reported: exit 70, registers, ud2 disassembled, backtrace through kmain"
