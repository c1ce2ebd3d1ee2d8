//! Sets `cfg(hyperbits_thumb2)` on ARMv7-M / ARMv8-M Mainline targets, where the kernel uses a
//! hand-scheduled Thumb-2 Hamming loop, and `cfg(hyperbits_dsp)` on ARMv7E-M (Cortex-M4/M7),
//! whose DSP extension the int8 dot product uses (stable Rust exposes no ARM target features
//! to `cfg`).
fn main() {
    println!("cargo::rustc-check-cfg=cfg(hyperbits_thumb2)");
    println!("cargo::rustc-check-cfg=cfg(hyperbits_dsp)");
    println!("cargo::rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.starts_with("thumbv7") || target.starts_with("thumbv8m.main") {
        println!("cargo::rustc-cfg=hyperbits_thumb2");
    }
    if target.starts_with("thumbv7em") {
        println!("cargo::rustc-cfg=hyperbits_dsp");
    }
}
