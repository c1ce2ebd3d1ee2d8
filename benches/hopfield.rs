//! Hopfield recall benchmarks at N = 1024 (criterion). IDs: `hopfield/recall/1024` (classic,
//! P = 102, synchronous, from a cue with 10 % of its bits flipped) and
//! `hopfield/dense_recall/1024` (polynomial degree 3, P = 1024, same noise).
//!
//! Run: `cargo bench --bench hopfield`

use criterion::{criterion_group, criterion_main, Criterion};
use hyperbits::hopfield::{Hopfield, Interaction, Update};
use hyperbits::{BinaryVector, Codebook};
use std::hint::black_box;

const W: usize = 32;

fn noisy(v: &BinaryVector<W>) -> BinaryVector<W> {
    let mut out = *v;
    for i in (0..1024).step_by(10) {
        let b = out.bit(i).unwrap();
        out.set_bit(i, !b).unwrap();
    }
    out
}

fn hopfield(c: &mut Criterion) {
    let book = Codebook::new(1);
    let mut classic = Box::new(Hopfield::<W, 102>::new());
    for i in 0..102 {
        classic.store(book.vector(i)).unwrap();
    }
    let cue = noisy(&book.vector(5));
    // At load 0.10 the fixed point sits a few bits from the pattern (within 2 %).
    assert!(
        classic
            .recall(&cue, Update::Synchronous, 20)
            .state
            .hamming(&book.vector(5))
            <= 20
    );
    c.bench_function("hopfield/recall/1024", |b| {
        b.iter(|| classic.recall(black_box(&cue), Update::Synchronous, 20))
    });
    let mut dense = Box::new(Hopfield::<W, 1024>::new());
    for i in 0..1024 {
        dense.store(book.vector(i)).unwrap();
    }
    let poly = Interaction::Polynomial { degree: 3 };
    assert_eq!(
        dense.dense_recall(&cue, poly, 5).unwrap().state,
        book.vector(5)
    );
    c.bench_function("hopfield/dense_recall/1024", |b| {
        b.iter(|| dense.dense_recall(black_box(&cue), poly, 5))
    });
}

criterion_group!(benches, hopfield);
criterion_main!(benches);
