//! Recall against load for the classic and the dense Hopfield memory (N = 1024, cues with
//! 10 % of their bits flipped, 40 trials per point), printed as a table and drawn to
//! `hopfield_capacity.svg` (or the path given as the first argument).
//!
//! Run: `cargo run --release --example hopfield_capacity`

use hyperbits::hopfield::{Hopfield, Interaction, Update};
use hyperbits::{BinaryVector, Codebook};
use std::fmt::Write as _;

const W: usize = 32;
const N: usize = 1024;

fn noisy(v: &BinaryVector<W>, seed: u64) -> BinaryVector<W> {
    let mut out = *v;
    let book = Codebook::new(seed);
    let mut flipped = 0;
    let mut k = 0;
    while flipped < N / 10 {
        let i = book.vector::<1>(k).as_words()[0] as usize % N;
        k += 1;
        if out.bit(i) == v.bit(i) {
            let b = out.bit(i).unwrap_or(false);
            let _ = out.set_bit(i, !b);
            flipped += 1;
        }
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "hopfield_capacity.svg".into());
    let book = Codebook::new(42);
    let mut memory = Box::new(Hopfield::<W, 1024>::new());
    let loads = [
        0.02, 0.05, 0.08, 0.10, 0.12, 0.14, 0.16, 0.20, 0.30, 0.50, 0.75, 1.00,
    ];
    let trials = 40;
    let mut rows: Vec<Row> = Vec::new();
    println!("| P/N | P | classic exact | classic within 2 % | dense (n = 3) exact |");
    println!("|---:|---:|---:|---:|---:|");
    for &load in &loads {
        let p = (load * N as f64).round() as usize;
        while memory.patterns().len() < p {
            memory.store(book.vector(memory.patterns().len() as u32))?;
        }
        let (mut exact, mut close, mut dense) = (0, 0, 0);
        for t in 0..trials {
            let target = memory.patterns()[(t * 7919) % p];
            let cue = noisy(&target, 1000 + t as u64);
            let r = memory.recall(&cue, Update::Synchronous, 50);
            exact += usize::from(r.state == target);
            close += usize::from(r.state.hamming(&target) <= (N / 50) as u32);
            let d = memory.dense_recall(&cue, Interaction::Polynomial { degree: 3 }, 5)?;
            dense += usize::from(d.state == target);
        }
        let f = |k: usize| k as f64 / trials as f64;
        println!(
            "| {load:.2} | {p} | {:.3} | {:.3} | {:.3} |",
            f(exact),
            f(close),
            f(dense)
        );
        rows.push((load, f(exact), f(close), f(dense)));
    }
    std::fs::write(&out, svg(&rows))?;
    println!("plot: {out}");
    Ok(())
}

/// One measured point: load, classic exact, classic within 2 %, dense exact.
type Row = (f64, f64, f64, f64);

/// A plotted series: name, colour, and which value of a row it shows.
type Series = (&'static str, &'static str, fn(&Row) -> f64);

/// A line plot of recall (0-1) against load (0-1), one polyline per series.
fn svg(rows: &[Row]) -> String {
    let (w, h, m) = (640.0, 400.0, 50.0);
    let x = |v: f64| m + v * (w - 2.0 * m);
    let y = |v: f64| h - m - v * (h - 2.0 * m);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/>"#
    );
    let _ = write!(
        s,
        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="black"/><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="black"/>"#,
        x(0.0),
        y(0.0),
        x(1.0),
        y(0.0),
        x(0.0),
        y(0.0),
        x(0.0),
        y(1.0)
    );
    for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle">{t}</text><text x="{}" y="{}" text-anchor="end">{t}</text>"#,
            x(t),
            y(0.0) + 18.0,
            x(0.0) - 6.0,
            y(t) + 4.0
        );
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">load P/N (N = 1024, 10 % noise)</text><text x="15" y="{}" transform="rotate(-90 15 {})" text-anchor="middle">recall</text>"#,
        w / 2.0,
        h - 10.0,
        h / 2.0,
        h / 2.0
    );
    let _ = write!(
        s,
        r#"<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="grey" stroke-dasharray="4"/><text x="{0}" y="{3}" fill="grey">0.138</text>"#,
        x(0.138),
        y(0.0),
        y(1.0),
        y(1.0) - 4.0
    );
    let series: [Series; 3] = [
        ("classic, exact", "#d62728", |r| r.1),
        ("classic, within 2 %", "#ff7f0e", |r| r.2),
        ("dense n = 3, exact", "#1f77b4", |r| r.3),
    ];
    for (k, (name, colour, get)) in series.iter().enumerate() {
        let points: Vec<String> = rows
            .iter()
            .map(|r| format!("{:.1},{:.1}", x(r.0), y(get(r))))
            .collect();
        let _ = write!(
            s,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#,
            points.join(" ")
        );
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" fill="{colour}">{name}</text>"#,
            x(0.55),
            y(0.9) + 16.0 * k as f64
        );
    }
    s.push_str("</svg>\n");
    s
}
