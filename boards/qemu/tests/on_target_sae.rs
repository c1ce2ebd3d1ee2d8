//! On-target tests of the SAE inference: the host's latents, accumulators, values and
//! reconstructions, bit for bit on the emulated MCU. A test binary of their own, so that the
//! SAE blobs and the rest of the on-target tests each fit the Cortex-M0's 256 KiB of flash.
#![no_std]
#![no_main]

use hyperbits::sae::{Activation, Sae, TopK};
use hyperbits_qemu::{
    entry, run_tests, u32_at, SAE_BINARY_EXPECTED, SAE_BINARY_MODEL, SAE_DENSE_EXPECTED,
    SAE_DENSE_SMALL_MODEL, SAE_EXPECTED, SAE_JUMPRELU_BITS_EXPECTED, SAE_JUMPRELU_BITS_MODEL,
    SAE_JUMPRELU_EXPECTED, SAE_JUMPRELU_MODEL, SAE_MODEL, SAE_TERNARY_EXPECTED, SAE_TERNARY_MODEL,
};

/// The SAE, read in place from flash, selects the same latents with the same accumulators
/// and values (f32 bits) and reconstructs the same bits as the host, for all 16 inputs.
fn sae_matches_the_host() {
    let sae = Sae::from_bytes(SAE_MODEL).unwrap();
    assert_eq!((sae.d_in(), sae.latents(), sae.k()), (512, 32, 8));
    let models = [
        (SAE_MODEL, SAE_EXPECTED, false),
        (SAE_TERNARY_MODEL, SAE_TERNARY_EXPECTED, true),
        (SAE_BINARY_MODEL, SAE_BINARY_EXPECTED, true),
        (SAE_JUMPRELU_BITS_MODEL, SAE_JUMPRELU_BITS_EXPECTED, false),
    ];
    for (m, &(model, expected, packed)) in models.iter().enumerate() {
        let sae = Sae::from_bytes(model).unwrap();
        assert_eq!(sae.is_packed(), packed);
        let words =
            |at: usize| -> [u32; 16] { core::array::from_fn(|i| u32_at(expected, at + 4 * i)) };
        for case in 0..16 {
            let at = 212 * case;
            let input = words(at);
            let mut top = TopK::<8>::new();
            sae.encode_bits(&input, &mut top).unwrap();
            let n = u32_at(expected, at + 64) as usize;
            assert_eq!(top.len(), n, "model {} case {}", m, case);
            for j in 0..n {
                let idx = expected[at + 68 + 2 * j];
                assert_eq!(top.indices()[j], u16::from(idx), "case {} rank {}", case, j);
                assert_eq!(
                    top.accumulators()[j],
                    u32_at(expected, at + 84 + 4 * j) as i32
                );
                assert_eq!(
                    top.values()[j].to_bits(),
                    u32_at(expected, at + 116 + 4 * j)
                );
            }
            if sae.has_decoder() {
                let mut decoded = [0u32; 16];
                sae.decode_bits(&top, &mut decoded).unwrap();
                assert_eq!(decoded, words(at + 148), "case {}", case);
            }
        }
    }
    let mut small = TopK::<4>::new();
    assert!(sae.encode_bits(&[0; 16], &mut small).is_err());
}

/// Float rows, quantised with the calibrated scale (int8) and per row (i16, a JumpReLU model
/// with rows 50× apart in size): the same accumulators and codes as the host.
fn dense_sae_matches_the_host() {
    let models = [
        (SAE_DENSE_SMALL_MODEL, SAE_DENSE_EXPECTED, Activation::TopK),
        (
            SAE_JUMPRELU_MODEL,
            SAE_JUMPRELU_EXPECTED,
            Activation::JumpRelu,
        ),
    ];
    for &(model, expected, activation) in models.iter() {
        let sae = Sae::from_bytes(model).unwrap();
        assert_eq!((sae.d_in(), sae.latents(), sae.k()), (67, 41, 8));
        assert_eq!(sae.activation(), activation);
        for case in 0..8 {
            let at = 500 * case;
            let x: [f32; 67] =
                core::array::from_fn(|j| f32::from_bits(u32_at(expected, at + 4 * j)));
            let mut acc = [0i32; 41];
            sae.accumulators_dense(&x, &mut acc).unwrap();
            for (i, &a) in acc.iter().enumerate() {
                assert_eq!(
                    a,
                    u32_at(expected, at + 268 + 4 * i) as i32,
                    "case {} latent {}",
                    case,
                    i
                );
            }
            let mut top = TopK::<8>::new();
            sae.encode_dense(&x, &mut top).unwrap();
            let n = u32_at(expected, at + 432) as usize;
            assert_eq!(top.len(), n);
            for j in 0..n {
                assert_eq!(
                    u32::from(top.indices()[j]),
                    u32_at(expected, at + 436 + 4 * j)
                );
                assert_eq!(
                    top.values()[j].to_bits(),
                    u32_at(expected, at + 468 + 4 * j)
                );
            }
        }
    }
}

#[entry]
fn main() -> ! {
    run_tests!(sae_matches_the_host, dense_sae_matches_the_host)
}
