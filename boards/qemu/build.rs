//! Picks the QEMU machine's memory map from the target triple.
use std::{env, fs, path::PathBuf};

fn main() {
    let target = env::var("TARGET").unwrap_or_default();
    let mem = match target.as_str() {
        "thumbv6m-none-eabi" => "memory/microbit.x",
        "thumbv7em-none-eabihf" => "memory/mps2-an386.x",
        t if t.starts_with("riscv32") => "memory/riscv-virt.x",
        _ => return, // host builds (e.g. `cargo check`) need no memory map
    };
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::copy(mem, out.join("memory.x")).expect("memory map exists");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed={mem}");
    println!("cargo:rerun-if-changed=build.rs");
}
