#!/usr/bin/env bash
# Prints "target | operation | instructions" rows for one target: builds the insncount
# plugin and the `insncount` example, runs it under QEMU with the plugin and subtracts the
# empty region's marker overhead. Usage: ./insncount.sh <target-triple>
set -euo pipefail
cd "$(dirname "$0")"
T="$1"
mkdir -p target
PLUGIN="$PWD/target/libinsncount.so"
if [ ! -f "$PLUGIN" ] || [ insncount/insncount.c -nt "$PLUGIN" ]; then
  gcc -shared -fPIC -O2 -Wall -o "$PLUGIN" insncount/insncount.c
fi
cargo build -q --release --target "$T" --example insncount
ELF="target/$T/release/examples/insncount"
NM="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-nm"
S=0x$("$NM" "$ELF" | awk '$3=="bench_start"{print $1}')
P=0x$("$NM" "$ELF" | awk '$3=="bench_stop"{print $1}')
LOG="target/insncount-$T.log"
OUT="target/insncount-$T.out"
QEMU_PLUGIN="$PLUGIN,start=$S,stop=$P" QEMU_PLUGIN_LOG="$LOG" ./qemu-run.sh "$ELF" > "$OUT"
grep -q '^done' "$OUT" || { echo "insncount: the bench did not finish on $T" >&2; cat "$OUT" >&2; exit 1; }
paste -d'\t' <(sed -n 's/^region: //p' "$OUT") <(awk '/insncount: region/{print $4}' "$LOG") |
  awk -F'\t' -v t="$T" 'NR==1 {base=$2; next} {printf "| %s | %s | %d |\n", t, $1, $2-base}'
