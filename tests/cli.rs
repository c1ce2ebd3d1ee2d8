//! The `hyperbits` command line, run as a user would (`cargo test --features cli`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hyperbits"))
        .args(args)
        .output()
        .expect("runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hyperbits-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn digits(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/data/digits")
        .join(file)
        .display()
        .to_string()
}

#[test]
fn train_eval_info_predict() {
    let model = scratch("digits.hbm");
    let m = model.to_str().unwrap();
    let o = run(&[
        "train",
        &digits("train.csv"),
        "--test",
        &digits("test.csv"),
        "--out",
        m,
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let acc: f64 = out
        .trim()
        .strip_prefix("accuracy: ")
        .unwrap()
        .parse()
        .unwrap();
    assert!(acc >= 0.96, "{out}");
    let (out, _) = text(&run(&["eval", m, &digits("test.csv")]));
    assert!(out.starts_with(&format!("accuracy: {acc:.4}")), "{out}");
    assert!(out.contains("confusion matrix"));
    let (out, _) = text(&run(&["info", m]));
    assert!(
        out.contains("dimension: 2048 bits")
            && out.contains("classes: 10")
            && out.contains("flash: "),
        "{out}"
    );
    let rows = scratch("rows.csv");
    let test = std::fs::read_to_string(digits("test.csv")).unwrap();
    std::fs::write(&rows, test.lines().take(6).collect::<Vec<_>>().join("\n")).unwrap();
    let (out, _) = text(&run(&["predict", m, rows.to_str().unwrap()]));
    let want: Vec<&str> = test
        .lines()
        .skip(1)
        .take(5)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let got: Vec<&str> = out.lines().collect();
    assert_eq!(got.len(), 5);
    assert!(
        got.iter().zip(&want).filter(|(g, w)| g == w).count() >= 4,
        "{got:?} vs {want:?}"
    );
}

#[test]
fn errors_name_the_file_and_line_and_write_nothing() {
    let out = scratch("never.hbm");
    let cases: &[(&str, &str)] = &[
        ("nolabel.csv", "a,b\n1,2\n"),
        ("nonnum.csv", "label,a\n1,2\n2,x\n"),
        ("ragged.csv", "label,a\n1,2\n2\n"),
        ("empty.csv", ""),
    ];
    let expect = [
        ":1: no column named `label`",
        ":3: column \"a\"",
        ":3: 1 cells",
        "empty",
    ];
    for ((name, body), want) in cases.iter().zip(expect) {
        let p = scratch(name);
        std::fs::write(&p, body).unwrap();
        let r = run(&["train", p.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        let (_, err) = text(&r);
        assert!(!r.status.success());
        assert!(err.contains(name) && err.contains(want), "{err}");
    }
    let r = run(&[
        "train",
        "/nonexistent/train.csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!r.status.success() && text(&r).1.contains("/nonexistent/train.csv"));
    // A test file with other columns than training.
    let short = scratch("short.csv");
    let test = std::fs::read_to_string(digits("test.csv")).unwrap();
    let cut: Vec<String> = test
        .lines()
        .map(|l| l.split(',').take(10).collect::<Vec<_>>().join(","))
        .collect();
    std::fs::write(&short, cut.join("\n")).unwrap();
    let r = run(&[
        "train",
        &digits("train.csv"),
        "--test",
        short.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!r.status.success() && text(&r).1.contains("feature columns differ"));
    assert!(!out.exists(), "nothing may be written on failure");
    // A corrupt model.
    let bad = scratch("bad.hbm");
    std::fs::write(&bad, b"HBIT not really").unwrap();
    let r = run(&["info", bad.to_str().unwrap()]);
    assert!(!r.status.success() && text(&r).1.contains("bad.hbm"));
}

#[test]
fn plan_prints_every_vsa_and_the_cheapest() {
    let (out, _) = text(&run(&[
        "plan",
        "--task",
        "membership",
        "--items",
        "64",
        "--alphabet",
        "100000",
        "--error",
        "1e-3",
    ]));
    for name in ["MAP-I", "MAP-B", "Bloom", "segmented", "Hopfield"] {
        assert!(out.contains(name), "{out}");
    }
    assert!(out.contains("cheapest: Bloom"), "{out}");
    let plot = scratch("plan.svg");
    let r = run(&[
        "plan",
        "--task",
        "intersection",
        "--items",
        "32",
        "--error",
        "0.05",
        "--epsilon",
        "3",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    assert!(r.status.success());
    assert!(std::fs::read_to_string(&plot).unwrap().starts_with("<svg"));
    for bad in [
        ["--items", "0", "--error", "0.1"],
        ["--items", "8", "--error", "2"],
    ] {
        let r = run(&[&["plan"][..], &bad[..]].concat());
        assert!(!r.status.success());
        assert!(text(&r).1.contains("invalid parameter"), "{}", text(&r).1);
    }
    let r = run(&["plan", "--items", "64", "--error", "1e-3", "--memory", "10"]);
    assert!(!r.status.success() && text(&r).1.contains("memory"));
}
