//! The crate's `cfg` aliases, so that each platform predicate is written once:
//! - `hyperbits_thumb2`: ARMv7-M / ARMv8-M Mainline targets, where the kernel uses a
//!   hand-scheduled Thumb-2 Hamming loop;
//! - `hyperbits_dsp`: ARMv7E-M (Cortex-M4/M7), whose DSP extension the int8 dot product uses
//!   (stable Rust exposes no ARM target features to `cfg`);
//! - `hyperbits_x86_dispatch`: x86_64 with feature `std` and not under Miri (which cannot run
//!   SIMD intrinsics), where the kernels pick AVX-512 / AVX2 / POPCNT builds at run time.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(hyperbits_thumb2)");
    println!("cargo::rustc-check-cfg=cfg(hyperbits_dsp)");
    println!("cargo::rustc-check-cfg=cfg(hyperbits_x86_dispatch)");
    println!("cargo::rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.starts_with("thumbv7") || target.starts_with("thumbv8m.main") {
        println!("cargo::rustc-cfg=hyperbits_thumb2");
    }
    if target.starts_with("thumbv7em") {
        println!("cargo::rustc-cfg=hyperbits_dsp");
    }
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let std = std::env::var_os("CARGO_FEATURE_STD").is_some();
    let miri = std::env::var_os("CARGO_CFG_MIRI").is_some();
    if arch == "x86_64" && std && !miri {
        println!("cargo::rustc-cfg=hyperbits_x86_dispatch");
    }
}
