//! Factorising products of three codebook items with a resonator network: accuracy (the share
//! of trials where every factor is recovered) and sweeps per trial against the codebook size M,
//! for the default method (restarts, sparse activations, the exact check) and the plain
//! outer-product resonator, on the same trials.
//!
//! Run: `cargo run --release --example resonator -- --dims 1024,2048 --sizes 8,16,24,32,48,64
//! --trials 200` (these are the defaults). Each trial draws fresh codebooks and factors from
//! its seed; the budget is 200 sweeps a trial, restarts included. One line per point:
//! `D=<d> F=3 M=<m> accuracy=<a> iterations=<i> plain_accuracy=<a> plain_iterations=<i>`.
//! `--keep K --noise N --restart-after R` set the default method's parameters.

use hyperbits::resonator::{Method, Options, Resonator};
use hyperbits::rng::SplitMix64;
use hyperbits::{BinaryVector, Codebook};

const F: usize = 3;
const MAX_M: usize = 256;

struct Point {
    correct: u32,
    sweeps: u64,
}

fn run<const W: usize>(m: usize, trials: u32, method: Method, first: u32, step: u32) -> Point {
    let mut point = Point {
        correct: 0,
        sweeps: 0,
    };
    let options = Options {
        method,
        ..Options::default()
    };
    for trial in (first..trials).step_by(step as usize) {
        let books: Vec<Vec<BinaryVector<W>>> = (0..F)
            .map(|f| {
                let book = Codebook::new(u64::from(trial) * F as u64 + f as u64);
                (0..m as u32).map(|i| book.vector(i)).collect()
            })
            .collect();
        let mut rng = SplitMix64::new(1_000_000 + u64::from(trial));
        let truth: [usize; F] = core::array::from_fn(|_| rng.below(m as u64) as usize);
        let mut product = BinaryVector::<W>::zero();
        for (book, &i) in books.iter().zip(&truth) {
            product.bind_assign(&book[i]);
        }
        let refs: [&[BinaryVector<W>]; F] = core::array::from_fn(|f| &books[f][..]);
        let options = Options {
            seed: u64::from(trial),
            ..options
        };
        let net = Resonator::<W, F, MAX_M>::new(refs, options).expect("valid codebooks");
        let found = net.factorize(&product);
        point.correct += u32::from(found.indices == truth);
        point.sweeps += u64::from(found.sweeps);
    }
    point
}

/// Runs the trials on both cores.
fn measure<const W: usize>(m: usize, trials: u32, method: Method) -> (f64, f64) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
    let points: Vec<Point> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| s.spawn(move || run::<W>(m, trials, method, t, threads)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let correct: u32 = points.iter().map(|p| p.correct).sum();
    let sweeps: u64 = points.iter().map(|p| p.sweeps).sum();
    (
        f64::from(correct) / f64::from(trials),
        sweeps as f64 / f64::from(trials),
    )
}

fn list(value: &str) -> Vec<usize> {
    value
        .split(',')
        .map(|v| {
            v.trim()
                .parse()
                .expect("a comma-separated list of integers")
        })
        .collect()
}

fn main() {
    let mut dims = vec![1024, 2048];
    let mut sizes = vec![8, 16, 24, 32, 48, 64];
    let mut trials = 200u32;
    let Method::Restarting {
        mut keep,
        mut noise,
        mut restart_after,
    } = Method::default()
    else {
        unreachable!("the default method restarts")
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair.get(1).map(String::as_str).unwrap_or("");
        match pair[0].as_str() {
            "--dims" => dims = list(value),
            "--sizes" => sizes = list(value),
            "--trials" => trials = value.parse().expect("--trials N"),
            "--keep" => keep = value.parse().expect("--keep K"),
            "--noise" => noise = value.parse().expect("--noise N"),
            "--restart-after" => restart_after = value.parse().expect("--restart-after R"),
            other => panic!("unknown option {other}"),
        }
    }
    let method = Method::Restarting {
        keep,
        noise,
        restart_after,
    };
    for &d in &dims {
        for &m in &sizes {
            assert!(m <= MAX_M, "M at most {MAX_M}");
            let measured = hyperbits::with_words!(d / 32, W => {
                (measure::<W>(m, trials, method), measure::<W>(m, trials, Method::Plain))
            }, else panic!("D = {d}: one of 256, 512, 1024, 2048, 4096, 8192"));
            let ((a, i), (pa, pi)) = measured;
            println!(
                "D={d} F={F} M={m} accuracy={a:.3} iterations={i:.1} plain_accuracy={pa:.3} \
                 plain_iterations={pi:.1}"
            );
        }
    }
}
