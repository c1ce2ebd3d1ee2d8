//! Each data structure of `hyperbits::structures` once, at D = 2048: filled to the capacity
//! the planner gives for a 1 % error per query, then queried; the table shows the capacity
//! and the error measured over 20 seeds.
//!
//! Run: `cargo run --release --example structures`

use hyperbits::rng::SplitMix64;
use hyperbits::structures::{
    Automaton, Branch, Dictionary, Graph, Multiset, Sequence, Stack, Tree,
};

const W: usize = 64; // D = 2048
const TARGET: f64 = 0.01;
const SEEDS: u64 = 20;

/// (structure, query, candidates per query, capacity, wrong answers, answers)
type Row = (&'static str, &'static str, u32, u32, usize, usize);

fn multiset() -> Row {
    let (mut wrong, mut answers, mut cap) = (0, 0, 0);
    for seed in 0..SEEDS {
        let mut bag = Multiset::<W>::new(seed);
        cap = bag.capacity(TARGET);
        (0..cap).for_each(|s| bag.insert(s));
        wrong += (0..cap).filter(|&s| !bag.contains(s)).count();
        wrong += (10_000..10_000 + cap).filter(|&s| bag.contains(s)).count();
        answers += 2 * cap as usize;
    }
    (
        "multiset",
        "contains (members and others)",
        1,
        cap,
        wrong,
        answers,
    )
}

fn dictionary() -> Row {
    let (mut wrong, mut answers, mut cap) = (0, 0, 0);
    for seed in 0..SEEDS {
        let mut d = Dictionary::<W>::new(2 * seed, 2 * seed + 1, 64).expect("valid");
        cap = d.capacity(TARGET);
        let mut rng = SplitMix64::new(seed);
        let values: Vec<u32> = (0..cap).map(|_| rng.below(64) as u32).collect();
        for (k, &v) in values.iter().enumerate() {
            d.insert(k as u32, v).expect("in range");
        }
        wrong += (0..cap)
            .filter(|&k| d.get(k) != Some(values[k as usize]))
            .count();
        answers += cap as usize;
    }
    (
        "dictionary",
        "get a key (64 values)",
        64,
        cap,
        wrong,
        answers,
    )
}

fn sequence() -> Row {
    let (mut wrong, mut answers, mut cap) = (0, 0, 0);
    for seed in 0..SEEDS {
        let mut s = Sequence::<W>::new(seed, 26).expect("valid");
        cap = s.capacity(TARGET);
        let mut rng = SplitMix64::new(seed);
        let symbols: Vec<u32> = (0..cap).map(|_| rng.below(26) as u32).collect();
        symbols.iter().for_each(|&x| s.push(x).expect("in range"));
        wrong += (0..cap)
            .filter(|&i| s.get(i) != Some(symbols[i as usize]))
            .count();
        answers += cap as usize;
    }
    (
        "sequence",
        "get a position (26 symbols)",
        26,
        cap,
        wrong,
        answers,
    )
}

fn stack() -> Row {
    let (mut wrong, mut answers, mut cap) = (0, 0, 0);
    for seed in 0..SEEDS {
        let mut s = Stack::<W>::new(seed, 26).expect("valid");
        cap = s.capacity(TARGET);
        let mut rng = SplitMix64::new(seed);
        let symbols: Vec<u32> = (0..cap).map(|_| rng.below(26) as u32).collect();
        symbols.iter().for_each(|&x| s.push(x).expect("in range"));
        for &x in symbols.iter().rev() {
            let top = s.pop();
            wrong += usize::from(top != Some(x));
            answers += 1;
            if top.is_none() {
                break;
            }
        }
    }
    ("stack", "pop all (26 symbols)", 26, cap, wrong, answers)
}

fn graph(directed: bool) -> Row {
    let (mut wrong, mut answers, mut cap) = (0, 0, 0);
    for seed in 0..SEEDS {
        let mut g = Graph::<W>::new(seed, 100, directed).expect("valid");
        cap = g.capacity(TARGET);
        let mut rng = SplitMix64::new(seed);
        let mut edges = Vec::new();
        while edges.len() < cap as usize {
            let (a, b) = (rng.below(100) as u32, rng.below(100) as u32);
            if a != b && !edges.contains(&(a, b)) && !edges.contains(&(b, a)) {
                g.add_edge(a, b).expect("in range");
                edges.push((a, b));
            }
        }
        wrong += edges.iter().filter(|&&(a, b)| !g.has_edge(a, b)).count();
        answers += edges.len();
        for a in 0..100 {
            for b in (a + 1)..100 {
                if !edges.contains(&(a, b)) && !edges.contains(&(b, a)) {
                    wrong += usize::from(g.has_edge(a, b));
                    answers += 1;
                }
            }
        }
    }
    let name = if directed {
        "directed graph"
    } else {
        "undirected graph"
    };
    (
        name,
        "has edge (all pairs of 100 nodes)",
        1,
        cap,
        wrong,
        answers,
    )
}

fn tree() -> Row {
    let (mut wrong, mut answers, mut cap) = (0, 0, 0);
    let path = |i: u32, depth: u32| -> Vec<Branch> {
        (0..depth)
            .map(|d| {
                if (i >> d) & 1 == 1 {
                    Branch::Right
                } else {
                    Branch::Left
                }
            })
            .collect()
    };
    for seed in 0..SEEDS {
        let mut t = Tree::<W>::new(2 * seed, 2 * seed + 1, 64).expect("valid");
        cap = t.capacity(TARGET);
        let depth = 32 - (cap - 1).leading_zeros();
        for i in 0..cap {
            t.insert(&path(i, depth), i % 64).expect("in range");
        }
        wrong += (0..cap)
            .filter(|&i| t.get(&path(i, depth)) != Some(i % 64))
            .count();
        answers += cap as usize;
    }
    (
        "tree",
        "get a leaf by path (64 values)",
        64,
        cap,
        wrong,
        answers,
    )
}

fn automaton() -> Row {
    let (mut wrong, mut answers, mut cap) = (0, 0, 0);
    for seed in 0..SEEDS {
        let mut a = Automaton::<W>::new(2 * seed, 32, 2 * seed + 1, 8).expect("valid");
        cap = a.capacity(TARGET);
        let mut rng = SplitMix64::new(seed);
        let mut table = [[None; 8]; 32];
        let mut defined = 0;
        while defined < cap {
            let (from, token) = (rng.below(32) as usize, rng.below(8) as usize);
            if table[from][token].is_none() {
                let to = rng.below(32) as u32;
                table[from][token] = Some(to);
                a.add_transition(from as u32, token as u32, to)
                    .expect("in range");
                defined += 1;
            }
        }
        for (from, row) in table.iter().enumerate() {
            for (token, &to) in row.iter().enumerate() {
                let got = a.next(from as u32, token as u32);
                wrong += usize::from(got != to);
                answers += 1;
            }
        }
    }
    (
        "finite-state automaton",
        "next state (32 states × 8 tokens, defined or not)",
        32,
        cap,
        wrong,
        answers,
    )
}

fn main() {
    println!("D = 2048, capacity at {TARGET} error per query (planner, MAP-I), {SEEDS} seeds");
    println!("| structure | query | candidates | capacity | measured error |");
    println!("|---|---|---:|---:|---:|");
    for (name, query, candidates, cap, wrong, answers) in [
        multiset(),
        dictionary(),
        sequence(),
        stack(),
        graph(false),
        graph(true),
        tree(),
        automaton(),
    ] {
        println!(
            "| {name} | {query} | {candidates} | {cap} | {:.4} |",
            wrong as f64 / answers as f64
        );
    }
}
