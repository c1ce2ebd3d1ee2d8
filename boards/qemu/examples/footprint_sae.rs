//! Footprint of an SAE firmware: the bit-input SAE of `data/sae-64.hbm` (D = 512, h = 64,
//! k = 8, int8 encoder and decoder) read in place, one `encode_bits` and one `decode_bits`
//! (`boards/qemu/footprint.sh <target> footprint_sae`).
#![no_std]
#![no_main]

use core::hint::black_box;
use hyperbits::sae::{Sae, TopK};
use hyperbits_qemu::stack::{high_water, paint};
use hyperbits_qemu::{entry, semihosting, u32_at, SAE64_MODEL, SAE_EXPECTED};

#[entry]
fn main() -> ! {
    let input: [u32; 16] = core::array::from_fn(|i| u32_at(SAE_EXPECTED, 4 * i));
    paint();
    let mut top = TopK::<8>::new();
    let mut rebuilt = [0u32; 16];
    let ok = Sae::from_bytes(black_box(SAE64_MODEL))
        .and_then(|sae| {
            sae.encode_bits(black_box(&input), &mut top)?;
            sae.decode_bits(&top, &mut rebuilt)
        })
        .is_ok();
    let used = high_water();
    semihosting::println!("stack used by load + inference: {} bytes", used);
    semihosting::println!("done");
    semihosting::process::exit(if ok && top.len() == 8 { 0 } else { 1 })
}
