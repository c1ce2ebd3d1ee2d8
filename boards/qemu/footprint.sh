#!/usr/bin/env bash
# Footprint of the digits classifier firmware (examples/footprint.rs: the model blob from
# flash, one inference, D = 2048, 10 classes, 64 features) on one target: flash =
# vector table + .text + .rodata + .data, static RAM = .data + .bss, and the stack high-water
# mark measured under QEMU by painting the stack. Prints one table row.
# Usage: ./footprint.sh <target-triple>
set -euo pipefail
cd "$(dirname "$0")"
T="$1"
cargo build -q --release --target "$T" --example footprint
ELF="target/$T/release/examples/footprint"
SIZE="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-size"
read -r FLASH RAM < <("$SIZE" -A "$ELF" | awk '
  /^\.vector_table|^\.text|^\.rodata|^\.data|^\.init|^\.trap/ { flash += $2 }
  /^\.data|^\.bss/ { ram += $2 }
  END { print flash, ram }')
STACK=$(./qemu-run.sh "$ELF" | sed -n 's/^stack used by load + inference: \([0-9]*\) bytes$/\1/p')
[ -n "$STACK" ] || { echo "footprint: no stack measurement on $T" >&2; exit 1; }
echo "| $T | digits classifier, D = 2048, 10 classes | $FLASH | $RAM | $STACK | $((RAM + STACK)) |"
