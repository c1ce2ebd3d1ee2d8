//! Sets `cfg(hyperbits_thumb2)` on ARMv7-M / ARMv8-M Mainline targets, where the kernel uses a
//! hand-scheduled Thumb-2 Hamming loop (stable Rust exposes no ARM target features to `cfg`).
fn main() {
    println!("cargo::rustc-check-cfg=cfg(hyperbits_thumb2)");
    println!("cargo::rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.starts_with("thumbv7") || target.starts_with("thumbv8m.main") {
        println!("cargo::rustc-cfg=hyperbits_thumb2");
    }
}
