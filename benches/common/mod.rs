//! What the benches share: the ratio of two medians measured in the same run.

/// Prints `ratio <ours>: <ours> / <reference> = r` from the medians criterion saved in this run
/// (nothing when either was not measured, e.g. a filtered run or a CPU without the reference's
/// instructions).
pub fn print_ratio(ours: &str, reference: &str) {
    let median = |id: &str| -> Option<f64> {
        let dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
        let path = format!("{dir}/criterion/{id}/new/estimates.json");
        let json = std::fs::read_to_string(path).ok()?;
        let at = json.find("\"median\"")?;
        let rest = &json[at..];
        let at = rest.find("\"point_estimate\":")? + "\"point_estimate\":".len();
        let end = rest[at..].find([',', '}'])?;
        rest[at..at + end].trim().parse().ok()
    };
    if let (Some(o), Some(r)) = (median(ours), median(reference)) {
        println!("ratio {ours}: {o:.1} ns / {r:.1} ns = {:.3}", o / r);
    }
}
