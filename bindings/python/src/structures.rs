//! The core's data structures (`hyperbits::structures`) as Python classes: each holds the
//! structure at the dimension chosen at construction (one of the `with_words!` sizes).

use crate::error::{to_py, value};
use hyperbits::structures::{
    Automaton, Branch, Dictionary, Graph, Multiset, Sequence, Stack, Tree,
};
use pyo3::prelude::*;

/// Declares `$any`, the structure `$inner` at each supported word count (boxed: the sums
/// are 2·D bytes).
macro_rules! any_words {
    ($any:ident, $inner:ident) => {
        enum $any {
            W8(Box<$inner<8>>),
            W16(Box<$inner<16>>),
            W32(Box<$inner<32>>),
            W64(Box<$inner<64>>),
            W128(Box<$inner<128>>),
            W256(Box<$inner<256>>),
            W313(Box<$inner<313>>),
            W320(Box<$inner<320>>),
        }
    };
}

/// Runs `$body` on the structure in `$value` (an `$any`), bound to `$s`.
macro_rules! on {
    ($any:ident, $value:expr, $s:ident => $body:expr) => {
        match $value {
            $any::W8($s) => $body,
            $any::W16($s) => $body,
            $any::W32($s) => $body,
            $any::W64($s) => $body,
            $any::W128($s) => $body,
            $any::W256($s) => $body,
            $any::W313($s) => $body,
            $any::W320($s) => $body,
        }
    };
}

/// Builds an `$any` at `dim` bits from `$make` (which sees the word count as `$w`).
macro_rules! build {
    ($any:ident, $dim:expr, $w:ident => $make:expr) => {
        match $dim {
            256 => {
                const $w: usize = 8;
                $any::W8(Box::new($make.map_err(to_py)?))
            }
            512 => {
                const $w: usize = 16;
                $any::W16(Box::new($make.map_err(to_py)?))
            }
            1024 => {
                const $w: usize = 32;
                $any::W32(Box::new($make.map_err(to_py)?))
            }
            2048 => {
                const $w: usize = 64;
                $any::W64(Box::new($make.map_err(to_py)?))
            }
            4096 => {
                const $w: usize = 128;
                $any::W128(Box::new($make.map_err(to_py)?))
            }
            8192 => {
                const $w: usize = 256;
                $any::W256(Box::new($make.map_err(to_py)?))
            }
            10016 => {
                const $w: usize = 313;
                $any::W313(Box::new($make.map_err(to_py)?))
            }
            10240 => {
                const $w: usize = 320;
                $any::W320(Box::new($make.map_err(to_py)?))
            }
            d => {
                return Err(value(format!(
                    "dim {d}: use 256, 512, 1024, 2048, 4096, 8192, 10016 or 10240"
                )))
            }
        }
    };
}

any_words!(AnyMultiset, Multiset);
any_words!(AnyDictionary, Dictionary);
any_words!(AnySequence, Sequence);
any_words!(AnyStack, Stack);
any_words!(AnyGraph, Graph);
any_words!(AnyTree, Tree);
any_words!(AnyAutomaton, Automaton);

/// A multiset of symbols with counts, in one hypervector.
#[pyclass(module = "hyperbits._hyperbits")]
pub(crate) struct PyMultiset(AnyMultiset);

#[pymethods]
impl PyMultiset {
    #[new]
    #[pyo3(signature = (dim = 2048, seed = 0))]
    fn new(dim: usize, seed: u64) -> PyResult<Self> {
        Ok(PyMultiset(
            build!(AnyMultiset, dim, W => Ok::<_, hyperbits::Error>(Multiset::<W>::new(seed))),
        ))
    }
    /// Adds `count` occurrences of `symbol`.
    #[pyo3(signature = (symbol, count = 1))]
    fn insert(&mut self, symbol: u32, count: u16) {
        on!(AnyMultiset, &mut self.0, s => s.insert_many(symbol, count))
    }
    /// Removes one occurrence of `symbol`.
    fn remove(&mut self, symbol: u32) {
        on!(AnyMultiset, &mut self.0, s => s.remove(symbol))
    }
    /// The estimated count of `symbol`.
    fn count(&self, symbol: u32) -> u32 {
        on!(AnyMultiset, &self.0, s => s.count(symbol))
    }
    fn __contains__(&self, symbol: u32) -> bool {
        on!(AnyMultiset, &self.0, s => s.contains(symbol))
    }
    fn __len__(&self) -> usize {
        on!(AnyMultiset, &self.0, s => s.len() as usize)
    }
    /// The most symbols answered with at most `error` per answer (the planner's MAP-I model).
    fn capacity(&self, error: f64) -> u32 {
        on!(AnyMultiset, &self.0, s => s.capacity(error))
    }
}

/// A dictionary from keys to values `0..values`, in one hypervector.
#[pyclass(module = "hyperbits._hyperbits")]
pub(crate) struct PyDictionary(AnyDictionary);

#[pymethods]
impl PyDictionary {
    #[new]
    #[pyo3(signature = (values, dim = 2048, key_seed = 0, value_seed = 1))]
    fn new(values: u32, dim: usize, key_seed: u64, value_seed: u64) -> PyResult<Self> {
        Ok(PyDictionary(
            build!(AnyDictionary, dim, W => Dictionary::<W>::new(key_seed, value_seed, values)),
        ))
    }
    fn insert(&mut self, key: u32, value: u32) -> PyResult<()> {
        on!(AnyDictionary, &mut self.0, d => d.insert(key, value)).map_err(to_py)
    }
    fn remove(&mut self, key: u32, value: u32) -> PyResult<()> {
        on!(AnyDictionary, &mut self.0, d => d.remove(key, value)).map_err(to_py)
    }
    /// The value stored under `key`, or None.
    fn get(&self, key: u32) -> Option<u32> {
        on!(AnyDictionary, &self.0, d => d.get(key))
    }
    fn __len__(&self) -> usize {
        on!(AnyDictionary, &self.0, d => d.len() as usize)
    }
    fn capacity(&self, error: f64) -> u32 {
        on!(AnyDictionary, &self.0, d => d.capacity(error))
    }
}

/// A sequence of symbols `0..alphabet`, positions encoded by rotation.
#[pyclass(module = "hyperbits._hyperbits")]
pub(crate) struct PySequence(AnySequence);

#[pymethods]
impl PySequence {
    #[new]
    #[pyo3(signature = (alphabet, dim = 2048, seed = 0))]
    fn new(alphabet: u32, dim: usize, seed: u64) -> PyResult<Self> {
        Ok(PySequence(
            build!(AnySequence, dim, W => Sequence::<W>::new(seed, alphabet)),
        ))
    }
    fn push(&mut self, symbol: u32) -> PyResult<()> {
        on!(AnySequence, &mut self.0, s => s.push(symbol)).map_err(to_py)
    }
    fn get(&self, position: u32) -> Option<u32> {
        on!(AnySequence, &self.0, s => s.get(position))
    }
    /// The first position of `pattern`, or None.
    fn find(&self, pattern: Vec<u32>) -> Option<u32> {
        on!(AnySequence, &self.0, s => s.find(&pattern))
    }
    /// The symbol after the first occurrence of `pattern`, or None.
    fn follows(&self, pattern: Vec<u32>) -> Option<u32> {
        on!(AnySequence, &self.0, s => s.follows(&pattern))
    }
    fn __len__(&self) -> usize {
        on!(AnySequence, &self.0, s => s.len() as usize)
    }
    fn capacity(&self, error: f64) -> u32 {
        on!(AnySequence, &self.0, s => s.capacity(error))
    }
}

/// A stack of symbols `0..alphabet`.
#[pyclass(module = "hyperbits._hyperbits")]
pub(crate) struct PyStack(AnyStack);

#[pymethods]
impl PyStack {
    #[new]
    #[pyo3(signature = (alphabet, dim = 2048, seed = 0))]
    fn new(alphabet: u32, dim: usize, seed: u64) -> PyResult<Self> {
        Ok(PyStack(
            build!(AnyStack, dim, W => Stack::<W>::new(seed, alphabet)),
        ))
    }
    fn push(&mut self, symbol: u32) -> PyResult<()> {
        on!(AnyStack, &mut self.0, s => s.push(symbol)).map_err(to_py)
    }
    fn pop(&mut self) -> Option<u32> {
        on!(AnyStack, &mut self.0, s => s.pop())
    }
    fn peek(&self) -> Option<u32> {
        on!(AnyStack, &self.0, s => s.peek())
    }
    fn __len__(&self) -> usize {
        on!(AnyStack, &self.0, s => s.len() as usize)
    }
    fn capacity(&self, error: f64) -> u32 {
        on!(AnyStack, &self.0, s => s.capacity(error))
    }
}

/// A graph over nodes `0..nodes`, directed or not.
#[pyclass(module = "hyperbits._hyperbits")]
pub(crate) struct PyGraph(AnyGraph);

#[pymethods]
impl PyGraph {
    #[new]
    #[pyo3(signature = (nodes, directed = false, dim = 2048, seed = 0))]
    fn new(nodes: u32, directed: bool, dim: usize, seed: u64) -> PyResult<Self> {
        Ok(PyGraph(
            build!(AnyGraph, dim, W => Graph::<W>::new(seed, nodes, directed)),
        ))
    }
    fn add_edge(&mut self, a: u32, b: u32) -> PyResult<()> {
        on!(AnyGraph, &mut self.0, g => g.add_edge(a, b)).map_err(to_py)
    }
    fn remove_edge(&mut self, a: u32, b: u32) -> PyResult<()> {
        on!(AnyGraph, &mut self.0, g => g.remove_edge(a, b)).map_err(to_py)
    }
    fn has_edge(&self, a: u32, b: u32) -> bool {
        on!(AnyGraph, &self.0, g => g.has_edge(a, b))
    }
    /// The nodes `node` has an edge to, in increasing order.
    fn neighbours(&self, node: u32) -> Vec<u32> {
        on!(AnyGraph, &self.0, g => {
            let mut out = vec![0u32; g.nodes() as usize];
            let n = g.neighbours(node, &mut out);
            out.truncate(n);
            out
        })
    }
    /// The nodes with an edge to `node`, in increasing order.
    fn predecessors(&self, node: u32) -> Vec<u32> {
        on!(AnyGraph, &self.0, g => {
            let mut out = vec![0u32; g.nodes() as usize];
            let n = g.predecessors(node, &mut out);
            out.truncate(n);
            out
        })
    }
    /// The number of nodes.
    #[getter]
    fn nodes(&self) -> u32 {
        on!(AnyGraph, &self.0, g => g.nodes())
    }
    fn __len__(&self) -> usize {
        on!(AnyGraph, &self.0, g => g.edges() as usize)
    }
    fn capacity(&self, error: f64) -> u32 {
        on!(AnyGraph, &self.0, g => g.capacity(error))
    }
}

/// The branches of a path given as a string of `L` and `R`.
fn path(text: &str) -> PyResult<Vec<Branch>> {
    text.chars()
        .map(|c| match c {
            'L' | 'l' => Ok(Branch::Left),
            'R' | 'r' => Ok(Branch::Right),
            other => Err(value(format!("path: {other:?} is neither L nor R"))),
        })
        .collect()
}

/// A binary tree with values `0..values` at leaves addressed by path (`"LRL"`).
#[pyclass(module = "hyperbits._hyperbits")]
pub(crate) struct PyTree(AnyTree);

#[pymethods]
impl PyTree {
    #[new]
    #[pyo3(signature = (values, dim = 2048, branch_seed = 0, value_seed = 1))]
    fn new(values: u32, dim: usize, branch_seed: u64, value_seed: u64) -> PyResult<Self> {
        Ok(PyTree(
            build!(AnyTree, dim, W => Tree::<W>::new(branch_seed, value_seed, values)),
        ))
    }
    fn insert(&mut self, path_: &str, value: u32) -> PyResult<()> {
        let p = path(path_)?;
        on!(AnyTree, &mut self.0, t => t.insert(&p, value)).map_err(to_py)
    }
    fn remove(&mut self, path_: &str, value: u32) -> PyResult<()> {
        let p = path(path_)?;
        on!(AnyTree, &mut self.0, t => t.remove(&p, value)).map_err(to_py)
    }
    fn get(&self, path_: &str) -> PyResult<Option<u32>> {
        let p = path(path_)?;
        Ok(on!(AnyTree, &self.0, t => t.get(&p)))
    }
    fn __len__(&self) -> usize {
        on!(AnyTree, &self.0, t => t.len() as usize)
    }
    fn capacity(&self, error: f64) -> u32 {
        on!(AnyTree, &self.0, t => t.capacity(error))
    }
}

/// A finite-state automaton over states `0..states` and tokens `0..tokens`.
#[pyclass(module = "hyperbits._hyperbits")]
pub(crate) struct PyAutomaton(AnyAutomaton);

#[pymethods]
impl PyAutomaton {
    #[new]
    #[pyo3(signature = (states, tokens, dim = 2048, state_seed = 0, token_seed = 1))]
    fn new(
        states: u32,
        tokens: u32,
        dim: usize,
        state_seed: u64,
        token_seed: u64,
    ) -> PyResult<Self> {
        Ok(PyAutomaton(
            build!(AnyAutomaton, dim, W => Automaton::<W>::new(state_seed, states, token_seed, tokens)),
        ))
    }
    fn add_transition(&mut self, source: u32, token: u32, target: u32) -> PyResult<()> {
        on!(AnyAutomaton, &mut self.0, a => a.add_transition(source, token, target)).map_err(to_py)
    }
    fn next(&self, state: u32, token: u32) -> Option<u32> {
        on!(AnyAutomaton, &self.0, a => a.next(state, token))
    }
    fn run(&self, start: u32, tokens: Vec<u32>) -> Option<u32> {
        on!(AnyAutomaton, &self.0, a => a.run(start, &tokens))
    }
    fn accepts(&self, start: u32, tokens: Vec<u32>, accepting: Vec<u32>) -> bool {
        on!(AnyAutomaton, &self.0, a => a.accepts(start, &tokens, &accepting))
    }
    fn __len__(&self) -> usize {
        on!(AnyAutomaton, &self.0, a => a.transitions() as usize)
    }
    fn capacity(&self, error: f64) -> u32 {
        on!(AnyAutomaton, &self.0, a => a.capacity(error))
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("Multiset", m.py().get_type::<PyMultiset>())?;
    m.add("Dictionary", m.py().get_type::<PyDictionary>())?;
    m.add("Sequence", m.py().get_type::<PySequence>())?;
    m.add("Stack", m.py().get_type::<PyStack>())?;
    m.add("Graph", m.py().get_type::<PyGraph>())?;
    m.add("Tree", m.py().get_type::<PyTree>())?;
    m.add("Automaton", m.py().get_type::<PyAutomaton>())?;
    Ok(())
}
