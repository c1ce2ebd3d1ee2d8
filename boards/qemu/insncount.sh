#!/usr/bin/env bash
# Prints "target | operation | instructions" rows for one target: builds the insncount
# plugin and an example (default `insncount`), runs it under QEMU with the plugin and
# subtracts the empty region's marker overhead. The example's other output goes to stderr.
# Built with the `speed` profile (opt-level 3, LTO).
# Usage: ./insncount.sh <target-triple> [insncount|digits|checkerboard|hopfield|sketch|sae]
set -euo pipefail
cd "$(dirname "$0")"
T="$1"
EX="${2:-insncount}"
mkdir -p target
PLUGIN="$PWD/target/libinsncount.so"
if [ ! -f "$PLUGIN" ] || [ insncount/insncount.c -nt "$PLUGIN" ]; then
  gcc -shared -fPIC -O2 -Wall -o "$PLUGIN" insncount/insncount.c
fi
cargo build -q --profile speed --target "$T" --example "$EX"
ELF="target/$T/speed/examples/$EX"
NM="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-nm"
S=0x$("$NM" "$ELF" | awk '$3=="bench_start"{print $1}')
P=0x$("$NM" "$ELF" | awk '$3=="bench_stop"{print $1}')
LOG="target/insncount-$T-$EX.log"
OUT="target/insncount-$T-$EX.out"
QEMU_PLUGIN="$PLUGIN,start=$S,stop=$P" QEMU_PLUGIN_LOG="$LOG" ./qemu-run.sh "$ELF" > "$OUT"
grep -q '^done' "$OUT" || { echo "insncount: $EX did not finish on $T" >&2; cat "$OUT" >&2; exit 1; }
grep -v '^region: \|^done' "$OUT" >&2 || true
paste -d'\t' <(sed -n 's/^region: //p' "$OUT") <(awk '/insncount: region/{print $4}' "$LOG") |
  awk -F'\t' -v t="$T" 'NR==1 {base=$2; next} {printf "| %s | %s | %d |\n", t, $1, $2-base}'
