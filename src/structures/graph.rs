//! Graphs as edge sets: an undirected edge `{a, b}` is `a ⊗ b` (symmetric), a directed edge
//! `a → b` is `a ⊗ ρ(b)`; the graph is their bundle. Whether an edge exists is one
//! membership test; the neighbours of a node are the nodes whose edge with it passes.
#![forbid(unsafe_code)]

use super::{capacity, Superposition};
use crate::binary::BinaryVector;
use crate::codebook::Codebook;
use crate::error::Error;

/// A graph over nodes `0..nodes`, directed or not.
///
/// ```
/// use hyperbits::structures::Graph;
/// let mut g = Graph::<64>::new(5, 10, true).unwrap();
/// g.add_edge(1, 2).unwrap();
/// g.add_edge(1, 3).unwrap();
/// g.add_edge(4, 1).unwrap();
/// assert!(g.has_edge(1, 2) && !g.has_edge(2, 1));
/// assert_eq!(g.nodes(), 10);
/// let mut out = [0u32; 10];
/// let n = g.neighbours(1, &mut out);
/// assert_eq!(&out[..n], &[2, 3]);
/// let n = g.predecessors(1, &mut out);
/// assert_eq!(&out[..n], &[4]);
/// ```
#[derive(Debug, Clone)]
pub struct Graph<const W: usize> {
    nodes: Codebook,
    node_count: u32,
    directed: bool,
    bundle: Superposition<W>,
}

impl<const W: usize> Graph<W> {
    /// An empty graph over nodes `0..nodes` of `Codebook::new(seed)`. Error: no nodes.
    pub fn new(seed: u64, nodes: u32, directed: bool) -> Result<Self, Error> {
        if nodes == 0 {
            return Err(Error::InvalidParameter("a graph needs at least one node"));
        }
        Ok(Graph {
            nodes: Codebook::new(seed),
            node_count: nodes,
            directed,
            bundle: Superposition::new(),
        })
    }

    fn edge(&self, from: u32, to: u32) -> Result<BinaryVector<W>, Error> {
        for node in [from, to] {
            if node >= self.node_count {
                return Err(Error::IndexOutOfRange {
                    index: node as usize,
                    len: self.node_count as usize,
                });
            }
        }
        let (a, b) = (self.nodes.vector::<W>(from), self.nodes.vector::<W>(to));
        if self.directed {
            Ok(a.bind(&b.permute(1)))
        } else if from == to {
            Err(Error::InvalidParameter(
                "an undirected graph has no self-loops (a ⊗ a is the identity)",
            ))
        } else {
            Ok(a.bind(&b))
        }
    }

    /// Adds the edge `from → to` (`{from, to}` when undirected). Errors: a node out of range,
    /// a self-loop in an undirected graph.
    pub fn add_edge(&mut self, from: u32, to: u32) -> Result<(), Error> {
        let e = self.edge(from, to)?;
        self.bundle.add(&e);
        Ok(())
    }

    /// Removes an edge added before. Errors as [`add_edge`](Self::add_edge).
    pub fn remove_edge(&mut self, from: u32, to: u32) -> Result<(), Error> {
        let e = self.edge(from, to)?;
        self.bundle.remove(&e);
        Ok(())
    }

    /// Whether the edge `from → to` (`{from, to}`) passes the membership test (false for
    /// nodes out of range).
    pub fn has_edge(&self, from: u32, to: u32) -> bool {
        self.edge(from, to).is_ok_and(|e| self.bundle.contains(&e))
    }

    /// Writes the nodes `node` has an edge to (its successors when directed) into `out`, in
    /// increasing order; returns how many were written (at most `out.len()`).
    pub fn neighbours(&self, node: u32, out: &mut [u32]) -> usize {
        self.collect(out, |other| self.has_edge(node, other))
    }

    /// Writes the nodes with an edge to `node` into `out` (the same as
    /// [`neighbours`](Self::neighbours) when undirected); returns how many.
    pub fn predecessors(&self, node: u32, out: &mut [u32]) -> usize {
        self.collect(out, |other| self.has_edge(other, node))
    }

    fn collect(&self, out: &mut [u32], edge: impl Fn(u32) -> bool) -> usize {
        let mut n = 0;
        for other in (0..self.node_count).filter(|&o| edge(o)) {
            match out.get_mut(n) {
                Some(slot) => *slot = other,
                None => break,
            }
            n += 1;
        }
        n
    }

    /// The number of nodes (a neighbour list holds at most this many).
    pub fn nodes(&self) -> u32 {
        self.node_count
    }

    /// The number of edges.
    pub fn edges(&self) -> u32 {
        self.bundle.terms
    }

    /// Whether the graph is directed.
    pub fn is_directed(&self) -> bool {
        self.directed
    }

    /// The most edges for which [`has_edge`](Self::has_edge) errs with probability at most
    /// `error` per answer (a neighbour list tests every node: divide `error` by the node
    /// count for it to hold for a whole list).
    pub fn capacity(&self, error: f64) -> u32 {
        capacity::<W>(error, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    #[test]
    fn edges_are_answered_at_capacity() {
        let target = 0.02;
        for directed in [false, true] {
            let (mut wrong, mut answers) = (0, 0);
            for seed in 0..6 {
                let mut g = Graph::<64>::new(seed, 200, directed).unwrap();
                let n = g.capacity(target);
                let mut rng = SplitMix64::new(seed);
                let mut present = std::vec::Vec::new();
                while present.len() < n as usize {
                    let (a, b) = (rng.below(200) as u32, rng.below(200) as u32);
                    if a != b && !present.contains(&(a, b)) && !present.contains(&(b, a)) {
                        g.add_edge(a, b).unwrap();
                        present.push((a, b));
                    }
                }
                assert_eq!(g.edges(), n);
                wrong += present.iter().filter(|&&(a, b)| !g.has_edge(a, b)).count();
                for _ in 0..n {
                    let (a, b) = (rng.below(200) as u32, rng.below(200) as u32);
                    if a != b && !present.contains(&(a, b)) && !present.contains(&(b, a)) {
                        wrong += usize::from(g.has_edge(a, b));
                        answers += 1;
                    }
                }
                answers += present.len();
            }
            let rate = wrong as f64 / answers as f64;
            assert!(rate <= target * 1.3, "directed {directed}: error {rate}");
        }
    }

    #[test]
    fn undirected_edges_are_symmetric_and_checked() {
        let mut g = Graph::<64>::new(1, 8, false).unwrap();
        g.add_edge(2, 5).unwrap();
        assert!(g.has_edge(5, 2));
        assert!(g.add_edge(3, 3).is_err());
        assert!(g.add_edge(3, 8).is_err());
        assert!(!g.has_edge(9, 2));
        let mut out = [0u32; 1];
        assert_eq!(g.neighbours(2, &mut out), 1);
        g.remove_edge(5, 2).unwrap();
        assert!(!g.has_edge(2, 5));
        assert!(!g.is_directed());
        assert!(Graph::<8>::new(0, 0, true).is_err());
    }
}
