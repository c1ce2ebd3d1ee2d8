//! Golden hashes of codebook vectors and operation results (see `golden/cases.rs`), checked
//! on the host here and on emulated microcontrollers by `boards/qemu`.

mod cases {
    include!("golden/cases.rs");
}

#[test]
fn golden_hashes_match() {
    let print = std::env::var_os("HYPERBITS_PRINT_GOLDEN").is_some();
    let mut wrong = Vec::new();
    for (name, f, expected) in cases::CASES {
        let got = f();
        if print {
            println!("    (\"{name}\", {name}, {got:#018x}),");
        }
        if got != *expected {
            wrong.push(format!(
                "{name}: got {got:#018x}, expected {expected:#018x}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "golden hashes differ:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn fnv1a_reference_values() {
    // FNV-1a 64 of the empty input and of the bytes "a\0\0\0".
    assert_eq!(cases::fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
    assert_ne!(cases::fnv1a(&[0x61]), cases::fnv1a(&[0x62]));
}
