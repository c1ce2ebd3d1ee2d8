#!/usr/bin/env bash
# Cargo runner: boots an ELF on the QEMU machine that matches its target triple, with
# semihosting for output and exit codes. QEMU_PLUGIN (a path with arguments) adds a TCG plugin;
# its log goes to QEMU_PLUGIN_LOG. A hang is cut after QEMU_TIMEOUT seconds (default 120).
set -euo pipefail
ELF="$1"; shift || true
case "$ELF" in
  */thumbv6m-none-eabi/*)         QEMU=(qemu-system-arm -cpu cortex-m0 -machine microbit) ;;
  */thumbv7em-none-eabihf/*)      QEMU=(qemu-system-arm -cpu cortex-m4 -machine mps2-an386) ;;
  */riscv32imc-unknown-none-elf/*) QEMU=(qemu-system-riscv32 -machine virt -bios none) ;;
  *) echo "qemu-run: no QEMU machine for $ELF" >&2; exit 2 ;;
esac
EXTRA=()
if [ -n "${QEMU_PLUGIN:-}" ]; then
  EXTRA+=(-plugin "$QEMU_PLUGIN" -d plugin -D "${QEMU_PLUGIN_LOG:-insncount.log}")
fi
exec timeout --foreground "${QEMU_TIMEOUT:-120}" "${QEMU[@]}" -nographic \
  -semihosting-config enable=on,target=native -kernel "$ELF" "${EXTRA[@]}"
