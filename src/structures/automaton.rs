//! Finite-state automata in one vector: the transition `from --token--> to` is
//! `token ⊗ from ⊗ ρ(to)`, and the automaton is their bundle. Unbinding the current state and
//! the input token leaves `ρ(next)` plus noise, cleaned up against the states.
#![forbid(unsafe_code)]

use super::{capacity, Superposition};
use crate::binary::BinaryVector;
use crate::codebook::Codebook;
use crate::error::Error;

/// A deterministic finite-state automaton over states `0..states` and tokens `0..tokens`.
///
/// ```
/// use hyperbits::structures::Automaton;
/// // Accepts the strings over {0, 1} with an even number of 1s.
/// let mut even = Automaton::<64>::new(1, 2, 2, 2).unwrap();
/// for (from, token, to) in [(0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0)] {
///     even.add_transition(from, token, to).unwrap();
/// }
/// assert!(even.accepts(0, &[1, 0, 1, 1, 1], &[0]));
/// assert!(!even.accepts(0, &[1, 0, 0], &[0]));
/// ```
#[derive(Debug, Clone)]
pub struct Automaton<const W: usize> {
    states: Codebook,
    state_count: u32,
    tokens: Codebook,
    token_count: u32,
    bundle: Superposition<W>,
}

impl<const W: usize> Automaton<W> {
    /// An automaton with no transitions. Errors: no states or no tokens, or one seed for both.
    pub fn new(state_seed: u64, states: u32, token_seed: u64, tokens: u32) -> Result<Self, Error> {
        if states == 0 || tokens == 0 {
            return Err(Error::InvalidParameter(
                "an automaton needs at least one state and one token",
            ));
        }
        if state_seed == token_seed {
            return Err(Error::InvalidParameter(
                "states and tokens need different codebook seeds",
            ));
        }
        Ok(Automaton {
            states: Codebook::new(state_seed),
            state_count: states,
            tokens: Codebook::new(token_seed),
            token_count: tokens,
            bundle: Superposition::new(),
        })
    }

    /// `token ⊗ from`, checked.
    fn key(&self, from: u32, token: u32) -> Result<BinaryVector<W>, Error> {
        for (index, len) in [(from, self.state_count), (token, self.token_count)] {
            if index >= len {
                return Err(Error::IndexOutOfRange {
                    index: index as usize,
                    len: len as usize,
                });
            }
        }
        Ok(self
            .tokens
            .vector::<W>(token)
            .bind(&self.states.vector(from)))
    }

    /// Adds the transition `from --token--> to`. Error: a state or token out of range.
    pub fn add_transition(&mut self, from: u32, token: u32, to: u32) -> Result<(), Error> {
        let key = self.key(from, token)?;
        if to >= self.state_count {
            return Err(Error::IndexOutOfRange {
                index: to as usize,
                len: self.state_count as usize,
            });
        }
        self.bundle
            .add(&key.bind(&self.states.vector::<W>(to).permute(1)));
        Ok(())
    }

    /// The state after `token` in `state`, or `None` when there is no such transition (no
    /// state passes the test) or an argument is out of range.
    pub fn next(&self, state: u32, token: u32) -> Option<u32> {
        let key = self.key(state, token).ok()?;
        self.bundle
            .best(&self.states, self.state_count, |s| s.permute(1).bind(&key))
    }

    /// The state reached from `start` by `tokens`, or `None` when a step has no transition.
    pub fn run(&self, start: u32, tokens: &[u32]) -> Option<u32> {
        tokens
            .iter()
            .try_fold(start, |state, &token| self.next(state, token))
    }

    /// Whether `tokens` lead from `start` to one of the `accepting` states.
    pub fn accepts(&self, start: u32, tokens: &[u32], accepting: &[u32]) -> bool {
        self.run(start, tokens)
            .is_some_and(|end| accepting.contains(&end))
    }

    /// The number of transitions.
    pub fn transitions(&self) -> u32 {
        self.bundle.terms
    }

    /// The most transitions for which one step ([`next`](Self::next)) is wrong with
    /// probability at most `error`.
    pub fn capacity(&self, error: f64) -> u32 {
        capacity::<W>(error, self.state_count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    #[test]
    fn steps_are_right_at_capacity() {
        let target = 0.05;
        let (mut wrong, mut answers) = (0, 0);
        for seed in 0..10u64 {
            let mut a = Automaton::<64>::new(2 * seed, 24, 2 * seed + 1, 8).unwrap();
            let n = a.capacity(target);
            // A random automaton with n of its 24 × 8 transitions defined.
            let mut rng = SplitMix64::new(seed);
            let mut table = [[None; 8]; 24];
            let mut defined = 0;
            while defined < n {
                let (from, token) = (rng.below(24) as usize, rng.below(8) as usize);
                if table[from][token].is_none() {
                    let to = rng.below(24) as u32;
                    table[from][token] = Some(to);
                    a.add_transition(from as u32, token as u32, to).unwrap();
                    defined += 1;
                }
            }
            for (from, row) in table.iter().enumerate() {
                for (token, &to) in row.iter().enumerate() {
                    if let Some(to) = to {
                        wrong += usize::from(a.next(from as u32, token as u32) != Some(to));
                        answers += 1;
                    }
                }
            }
        }
        let rate = wrong as f64 / answers as f64;
        assert!(rate <= target, "error {rate}");
    }

    #[test]
    fn undefined_transitions_reject() {
        let mut a = Automaton::<64>::new(1, 4, 2, 3).unwrap();
        a.add_transition(0, 0, 1).unwrap();
        a.add_transition(1, 2, 3).unwrap();
        assert_eq!(a.run(0, &[0, 2]), Some(3));
        assert_eq!(a.run(0, &[1]), None);
        assert!(a.accepts(0, &[0, 2], &[3]));
        assert!(!a.accepts(0, &[0], &[3]));
        assert!(a.add_transition(0, 3, 1).is_err());
        assert!(a.add_transition(0, 0, 4).is_err());
        assert_eq!(a.next(5, 0), None);
        assert_eq!(a.transitions(), 2);
        assert!(Automaton::<8>::new(1, 1, 1, 1).is_err());
    }
}
