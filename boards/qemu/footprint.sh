#!/usr/bin/env bash
# Footprint of a model firmware on one target: flash = vector table + .text + .rodata +
# .data, static RAM = .data + .bss, and the stack high-water mark measured under QEMU by
# painting the stack. Prints one table row. Firmwares (examples/): footprint (the digits
# classifier, D = 2048, 10 classes, 64 features: load and one inference), footprint_sketch,
# footprint_hopfield, footprint_sae, footprint_series.
# Usage: ./footprint.sh <target-triple> [firmware]
set -euo pipefail
cd "$(dirname "$0")"
T="$1"
EX="${2:-footprint}"
case "$EX" in
  footprint)          WHAT="digits classifier, D = 2048, 10 classes" ;;
  footprint_sketch)   WHAT="Bloom sketch, D = 2464, k = 27, one query" ;;
  footprint_hopfield) WHAT="Hopfield memory, N = 1024, P = 102, one recall" ;;
  footprint_sae)      WHAT="SAE, D = 512, h = 64, k = 8, encode + decode" ;;
  footprint_series)   WHAT="HAR window classifier streaming, D = 2048, 64 × 6 samples" ;;
  *) echo "footprint: unknown firmware $EX" >&2; exit 2 ;;
esac
# Without the encoders a projection model does not need (the features `temporal`, `record`,
# `sinusoid`, `thermometer`), as a firmware that runs projection models is built.
cargo build -q --release --no-default-features --target "$T" --example "$EX"
ELF="target/$T/release/examples/$EX"
SIZE="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-size"
read -r FLASH RAM < <("$SIZE" -A "$ELF" | awk '
  /^\.vector_table|^\.text|^\.rodata|^\.data|^\.init|^\.trap/ { flash += $2 }
  /^\.data|^\.bss/ { ram += $2 }
  END { print flash, ram }')
STACK=$(./qemu-run.sh "$ELF" | sed -n 's/^stack used by load + inference: \([0-9]*\) bytes$/\1/p')
[ -n "$STACK" ] || { echo "footprint: no stack measurement on $T" >&2; exit 1; }
echo "| $T | $WHAT | $FLASH | $RAM | $STACK | $((RAM + STACK)) |"
