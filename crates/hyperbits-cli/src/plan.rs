//! `hyperbits plan`: the dimension planner's table, and an SVG of predicted against measured error.

use crate::common::write_atomically;
use crate::{Result, TaskArg};
use std::path::Path;

#[allow(clippy::too_many_arguments)]
pub(crate) fn run(
    task: TaskArg,
    items: u32,
    alphabet: Option<u32>,
    error: f64,
    epsilon: Option<f64>,
    rigorous: bool,
    memory: Option<u32>,
    plot: Option<&Path>,
) -> Result<()> {
    use hyperbits::plan::{compare_membership, plan_intersection, Model, Scope, Threshold, Vsa};
    let model = if rigorous {
        Model::Rigorous
    } else {
        Model::Typical
    };
    let plans: Vec<hyperbits::plan::Plan> = match task {
        TaskArg::Membership => {
            let scope = alphabet.map_or(Scope::PerQuery, |m| Scope::AllOf { alphabet: m });
            let p = compare_membership(items, error, scope, model).map_err(|e| e.to_string())?;
            println!(
                "membership of up to {items} items, error {error} {} ({} model)",
                alphabet.map_or("per query".to_string(), |m| format!("over all {m} symbols")),
                if rigorous { "rigorous" } else { "typical" }
            );
            p.to_vec()
        }
        TaskArg::Intersection => {
            let eps = epsilon.ok_or("--epsilon is needed for --task intersection")?;
            let mut p: Vec<_> = Vsa::ALL
                .iter()
                .filter(|v| v.plans_intersection())
                .map(|&v| plan_intersection(v, items, items, eps, error))
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| e.to_string())?;
            p.sort_by_key(|x| x.bytes);
            println!(
                "intersection of two sets of {items} items within ±{eps} with probability {}",
                1.0 - error
            );
            p
        }
    };
    println!("| VSA | D | k / blocks × length | test | bytes | predicted FP | predicted FN |");
    println!("|---|---:|---|---|---:|---:|---:|");
    for p in &plans {
        let shape = match p.vsa {
            Vsa::SparseOr => format!("k = {}", p.k),
            Vsa::Segmented | Vsa::SparseBlock => format!("{} × {}", p.k, p.block_len),
            _ => String::new(),
        };
        let test = match (task, p.threshold) {
            (TaskArg::Intersection, _) => "estimate".to_string(),
            (_, Threshold::TwiceScoreAtLeast(v)) => format!("2·score ≥ {v}"),
            (_, Threshold::HammingAtMost(v)) => format!("Hamming ≤ {v}"),
            (_, Threshold::AllBitsSet) => "all bits set".to_string(),
            (_, Threshold::EnergyAtLeast(v)) => format!("energy ≥ {v}"),
            (_, Threshold::MatchesAtLeast(v)) => format!("blocks matching ≥ {v}"),
        };
        println!(
            "| {} | {} | {shape} | {test} | {} | {:.2e} | {:.2e} |",
            p.vsa.name(),
            p.dim,
            p.bytes,
            p.fp,
            p.fn_
        );
    }
    let cheapest = &plans[0];
    println!(
        "cheapest: {} ({} bytes)",
        cheapest.vsa.name(),
        cheapest.bytes
    );
    if let Some(budget) = memory {
        hyperbits::plan::fits(cheapest, budget).map_err(|e| format!("--memory {budget}: {e}"))?;
    }
    if let Some(path) = plot {
        write_atomically(path, plan_plot(items).as_bytes())?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// Per-query false-positive rate against D for n items: predicted curves (Bloom, segmented,
/// MAP-I) and measured points (Bloom and segmented, 20,000 non-member queries over 10 seeds).
fn plan_plot(n: u32) -> String {
    use hyperbits::plan::{predict_membership, Vsa};
    use hyperbits::sketch::{Bloom, Segmented};
    use std::fmt::Write as _;
    let dims: Vec<u32> = (1..=24).map(|i| (n * i / 2).max(32)).collect();
    let measure = |vsa: Vsa, d: u32| -> f64 {
        let mut fp = 0usize;
        for seed in 0..10u64 {
            let words = vec![0u32; d.div_ceil(32) as usize];
            match vsa {
                Vsa::SparseOr => {
                    let k = hyperbits::plan::bloom_k(d, n);
                    let Ok(mut b) = Bloom::new(words, k, seed) else {
                        return f64::NAN;
                    };
                    (0..u64::from(n)).for_each(|k| b.insert(k));
                    fp += (1 << 40..(1u64 << 40) + 2000)
                        .filter(|&k| b.contains(k))
                        .count();
                }
                _ => {
                    let l = ((f64::from(n) / std::f64::consts::LN_2).round() as u32).max(2);
                    let Ok(mut g) = Segmented::new(words, (d / l).max(1), l, seed) else {
                        return f64::NAN;
                    };
                    (0..u64::from(n)).for_each(|k| g.insert(k));
                    fp += (1 << 40..(1u64 << 40) + 2000)
                        .filter(|&k| g.contains(k))
                        .count();
                }
            }
        }
        fp as f64 / 20_000.0
    };
    let (w, h, m) = (700.0, 420.0, 60.0);
    let dmax = f64::from(*dims.last().unwrap_or(&64));
    let x = |d: f64| m + d / dmax * (w - 2.0 * m);
    let y = |p: f64| {
        let l = p.max(1e-5).log10(); // 1 .. 1e-5
        m + (-l) / 5.0 * (h - 2.0 * m)
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/>"#
    );
    let _ = write!(
        s,
        r#"<line x1="{m}" y1="{}" x2="{}" y2="{}" stroke="black"/><line x1="{m}" y1="{m}" x2="{m}" y2="{}" stroke="black"/>"#,
        h - m,
        w - m,
        h - m,
        h - m
    );
    for e in 0..=5 {
        let p = 10f64.powi(-e);
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">1e-{e}</text>"#,
            m - 6.0,
            y(p) + 4.0
        );
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">D (bits), n = {n} items; lines: predicted, dots: measured false-positive rate per query</text>"#,
        w / 2.0,
        h - 15.0
    );
    for i in 0..=4 {
        let d = dmax * f64::from(i) / 4.0;
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{d:.0}</text>"#,
            x(d),
            h - m + 16.0
        );
    }
    for (row, (name, vsa, colour)) in [
        ("Bloom", Vsa::SparseOr, "#1f77b4"),
        ("segmented", Vsa::Segmented, "#2ca02c"),
        ("MAP-I", Vsa::MapI, "#d62728"),
    ]
    .into_iter()
    .enumerate()
    {
        let pts: Vec<String> = dims
            .iter()
            .map(|&d| {
                format!(
                    "{:.1},{:.1}",
                    x(f64::from(d)),
                    y(predict_membership(vsa, d, n).0)
                )
            })
            .collect();
        let _ = write!(
            s,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#,
            pts.join(" ")
        );
        if vsa != Vsa::MapI {
            for &d in &dims {
                let fp = measure(vsa, d);
                if fp > 0.0 {
                    let _ = write!(
                        s,
                        r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"/>"#,
                        x(f64::from(d)),
                        y(fp)
                    );
                }
            }
        }
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" fill="{colour}">{name}</text>"#,
            w - m - 90.0,
            m + 16.0 * row as f64
        );
    }
    s.push_str("</svg>\n");
    s
}
