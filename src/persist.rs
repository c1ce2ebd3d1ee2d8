//! Power-safe model storage on NOR flash, through the `embedded-storage` traits.
//!
//! A firmware that learns on the device (new classes, corrected prototypes) must keep its
//! model across resets, and a power cut in the middle of a write must not lose it. A
//! [`ModelStore`] keeps **two slots** and writes the new model into the one that does not hold
//! the newest valid copy: it erases that slot, writes the payload, and writes the slot header
//! (magic, sequence number, length, CRC-32 of sequence, length and payload) **last**, as the
//! commit record. [`ModelStore::load`] takes the valid slot with the highest sequence number.
//! Whatever step a power cut interrupts, the previous model stays intact in the other slot,
//! and a half-written slot fails its checksum (tested by cutting power at every write and
//! erase of a save).
//!
//! The payload is any byte string, normally a model blob of [`crate::model`]. Flash that is not
//! memory-mapped is read into a caller buffer; memory-mapped flash can then be used in place.
//!
//! Slot layout: 16-byte header (`"HBSL"`, sequence `u32`, length `u32`, CRC `u32`, all
//! little-endian) followed by the payload, padded with `0xFF` to the flash's write size.
#![forbid(unsafe_code)]

use crate::error::{Error, StorageError};
use embedded_storage::nor_flash::{NorFlash, NorFlashError};

const MAGIC: [u8; 4] = *b"HBSL";
const HEADER: usize = 16;
/// Bytes moved per flash read or write (a multiple of every supported write size).
const CHUNK: usize = 64;

/// Two slots of model storage on a NOR flash.
#[derive(Debug)]
pub struct ModelStore<F> {
    flash: F,
    base: u32,
    slot_size: u32,
}

/// A valid slot: its sequence number and payload length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot {
    index: u32,
    sequence: u32,
    len: usize,
}

/// A flash driver's error as ours, keeping its kind.
fn flash_error<E: NorFlashError>(e: E) -> Error {
    Error::Storage(StorageError::Flash(e.kind()))
}

impl<F: NorFlash> ModelStore<F> {
    /// Two slots of `slot_size` bytes from flash offset `base`. Errors: the slots are not
    /// aligned to the erase size, do not fit the flash, or the flash writes in units that do
    /// not divide 16 bytes.
    pub fn new(flash: F, base: u32, slot_size: u32) -> Result<Self, Error> {
        let erase = F::ERASE_SIZE as u32;
        let aligned = erase > 0 && base.is_multiple_of(erase) && slot_size.is_multiple_of(erase);
        let fits = u64::from(base) + 2 * u64::from(slot_size) <= flash.capacity() as u64;
        let write_ok =
            F::WRITE_SIZE > 0 && HEADER.is_multiple_of(F::WRITE_SIZE) && F::READ_SIZE <= HEADER;
        if !aligned || !fits || !write_ok || (slot_size as usize) <= HEADER {
            return Err(Error::InvalidParameter(
                "flash: slots must be erase-aligned, fit the flash, and the write size divide 16",
            ));
        }
        Ok(ModelStore {
            flash,
            base,
            slot_size,
        })
    }

    /// The largest payload a slot holds.
    pub fn capacity(&self) -> usize {
        self.slot_size as usize - HEADER
    }

    /// Gives the flash back.
    pub fn into_inner(self) -> F {
        self.flash
    }

    fn offset(&self, slot: u32) -> u32 {
        self.base + slot * self.slot_size
    }

    /// Reads and checks slot `index`: `None` if its header or checksum is not valid.
    fn check(&mut self, index: u32) -> Result<Option<Slot>, Error> {
        let at = self.offset(index);
        let mut header = [0u8; HEADER];
        self.flash.read(at, &mut header).map_err(flash_error)?;
        let word =
            |i: usize| u32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
        let (sequence, len, stored) = (word(4), word(8) as usize, word(12));
        if header[..4] != MAGIC || len > self.capacity() {
            return Ok(None);
        }
        let mut digest = crate::model::CRC32.digest();
        digest.update(&header[4..12]);
        let mut chunk = [0u8; CHUNK];
        let mut done = 0;
        while done < len {
            let n = (len - done).min(CHUNK);
            // Reads in whole units of the read size, from a padded payload.
            let padded = n.next_multiple_of(F::READ_SIZE.max(1)).min(CHUNK);
            self.flash
                .read(at + (HEADER + done) as u32, &mut chunk[..padded])
                .map_err(flash_error)?;
            digest.update(&chunk[..n]);
            done += n;
        }
        Ok((digest.finalize() == stored).then_some(Slot {
            index,
            sequence,
            len,
        }))
    }

    /// The newest valid slot, if any.
    fn newest(&mut self) -> Result<Option<Slot>, Error> {
        let (a, b) = (self.check(0)?, self.check(1)?);
        Ok(match (a, b) {
            (Some(a), Some(b)) => Some(if b.sequence.wrapping_sub(a.sequence) as i32 > 0 {
                b
            } else {
                a
            }),
            (a, b) => a.or(b),
        })
    }

    /// Copies the newest valid model into `out` and returns it. Errors: nothing stored (or
    /// both slots damaged), `out` too short, a flash error.
    pub fn load<'a>(&mut self, out: &'a mut [u8]) -> Result<&'a [u8], Error> {
        let slot = self
            .newest()?
            .ok_or(Error::Storage(StorageError::NothingStored))?;
        let found = out.len();
        let dst = out.get_mut(..slot.len).ok_or(Error::BufferTooSmall {
            needed: slot.len,
            found,
        })?;
        let at = self.offset(slot.index) + HEADER as u32;
        let mut chunk = [0u8; CHUNK];
        for (i, part) in dst.chunks_mut(CHUNK).enumerate() {
            let padded = part.len().next_multiple_of(F::READ_SIZE.max(1)).min(CHUNK);
            self.flash
                .read(at + (i * CHUNK) as u32, &mut chunk[..padded])
                .map_err(flash_error)?;
            part.copy_from_slice(&chunk[..part.len()]);
        }
        Ok(dst)
    }

    /// The sequence number of the newest valid model (`None` if nothing is stored).
    pub fn sequence(&mut self) -> Result<Option<u32>, Error> {
        Ok(self.newest()?.map(|s| s.sequence))
    }

    /// Stores `payload` as the new model, in the slot that does not hold the newest valid one.
    /// Errors: the payload does not fit a slot, a flash error (the previous model then stays
    /// loadable).
    pub fn save(&mut self, payload: &[u8]) -> Result<(), Error> {
        if payload.len() > self.capacity() {
            return Err(Error::CapacityExceeded {
                capacity: self.capacity(),
            });
        }
        let newest = self.newest()?;
        let target = newest.map_or(0, |s| 1 - s.index);
        let sequence = newest.map_or(1, |s| s.sequence.wrapping_add(1));
        let at = self.offset(target);
        self.flash
            .erase(at, at + self.slot_size)
            .map_err(flash_error)?;
        // Payload first, padded with 0xFF to the write size.
        let mut chunk = [0xFFu8; CHUNK];
        for (i, part) in payload.chunks(CHUNK).enumerate() {
            chunk.fill(0xFF);
            chunk[..part.len()].copy_from_slice(part);
            let padded = part.len().next_multiple_of(F::WRITE_SIZE).min(CHUNK);
            self.flash
                .write(at + (HEADER + i * CHUNK) as u32, &chunk[..padded])
                .map_err(flash_error)?;
        }
        // Then the header: the commit record.
        let len = payload.len() as u32;
        let mut digest = crate::model::CRC32.digest();
        digest.update(&sequence.to_le_bytes());
        digest.update(&len.to_le_bytes());
        digest.update(payload);
        let mut header = [0u8; HEADER];
        header[..4].copy_from_slice(&MAGIC);
        header[4..8].copy_from_slice(&sequence.to_le_bytes());
        header[8..12].copy_from_slice(&len.to_le_bytes());
        header[12..].copy_from_slice(&digest.finalize().to_le_bytes());
        self.flash.write(at, &header).map_err(flash_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_storage::nor_flash::{ErrorType, NorFlashError, NorFlashErrorKind, ReadNorFlash};
    use std::prelude::rust_2021::*;

    /// NOR flash in RAM: erase sets bytes to 0xFF, a write can only clear bits, and power can
    /// be cut after a number of operations: the interrupted operation is half done, every
    /// later one fails.
    #[derive(Clone)]
    struct RamFlash {
        data: Vec<u8>,
        budget: Option<usize>,
    }

    #[derive(Debug)]
    struct PowerCut;

    impl NorFlashError for PowerCut {
        fn kind(&self) -> NorFlashErrorKind {
            NorFlashErrorKind::Other
        }
    }

    impl ErrorType for RamFlash {
        type Error = PowerCut;
    }

    impl RamFlash {
        /// Whether this operation runs whole (`Ok(true)`), half (`Ok(false)`), or not at all.
        fn spend(&mut self) -> Result<bool, PowerCut> {
            match &mut self.budget {
                None => Ok(true),
                Some(0) => Err(PowerCut),
                Some(1) => {
                    self.budget = Some(0);
                    Ok(false)
                }
                Some(n) => {
                    *n -= 1;
                    Ok(true)
                }
            }
        }
    }

    impl ReadNorFlash for RamFlash {
        const READ_SIZE: usize = 1;
        fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), PowerCut> {
            let at = offset as usize;
            bytes.copy_from_slice(&self.data[at..at + bytes.len()]);
            Ok(())
        }
        fn capacity(&self) -> usize {
            self.data.len()
        }
    }

    impl NorFlash for RamFlash {
        const WRITE_SIZE: usize = 4;
        const ERASE_SIZE: usize = 256;
        fn erase(&mut self, from: u32, to: u32) -> Result<(), PowerCut> {
            let whole = self.spend()?;
            let (from, to) = (from as usize, to as usize);
            let end = if whole { to } else { from + (to - from) / 2 };
            self.data[from..end].fill(0xFF);
            if whole {
                Ok(())
            } else {
                Err(PowerCut)
            }
        }
        fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), PowerCut> {
            let whole = self.spend()?;
            let n = if whole { bytes.len() } else { bytes.len() / 2 };
            let at = offset as usize;
            for (d, b) in self.data[at..at + n].iter_mut().zip(bytes) {
                *d &= b;
            }
            if whole {
                Ok(())
            } else {
                Err(PowerCut)
            }
        }
    }

    fn blob(tag: u8, len: usize) -> Vec<u8> {
        (0..len).map(|i| (i as u8).wrapping_mul(31) ^ tag).collect()
    }

    #[test]
    fn saves_alternate_slots_and_load_the_newest() {
        let mut store = ModelStore::new(
            RamFlash {
                data: vec![0xFF; 4096],
                budget: None,
            },
            0,
            1024,
        )
        .unwrap();
        let mut buf = [0u8; 1024];
        assert_eq!(
            store.load(&mut buf),
            Err(Error::Storage(StorageError::NothingStored))
        );
        for (i, tag) in [1u8, 2, 3, 4].iter().enumerate() {
            let b = blob(*tag, 300 + 97 * i);
            store.save(&b).unwrap();
            assert_eq!(store.load(&mut buf).unwrap(), &b[..]);
            assert_eq!(store.sequence().unwrap(), Some(i as u32 + 1));
        }
        assert!(store.save(&[0; 1009]).is_err());
        assert_eq!(
            store.load(&mut [0u8; 10]),
            Err(Error::BufferTooSmall {
                needed: 300 + 97 * 3,
                found: 10
            })
        );
        let bad = |base, size| {
            ModelStore::new(
                RamFlash {
                    data: vec![0xFF; 4096],
                    budget: None,
                },
                base,
                size,
            )
            .is_err()
        };
        assert!(bad(100, 1024) && bad(0, 1000) && bad(2048, 2048) && bad(0, 0));
    }

    /// Cut the power at every erase and write step of a save: after the "reboot" the store
    /// loads either the previous model or the new one, intact, never anything else.
    #[test]
    fn a_power_cut_at_any_step_loses_nothing() {
        let old = blob(7, 500);
        let new = blob(9, 700);
        let mut store = ModelStore::new(
            RamFlash {
                data: vec![0xFF; 4096],
                budget: None,
            },
            1024,
            1024,
        )
        .unwrap();
        store.save(&old).unwrap();
        store.save(&blob(8, 600)).unwrap(); // both slots in use, as in the field
        store.save(&old).unwrap();
        let before = store.into_inner();
        let mut outcomes = [0usize; 2];
        for cut in 0..40 {
            let mut flash = before.clone();
            flash.budget = Some(cut);
            let mut store = ModelStore::new(flash, 1024, 1024).unwrap();
            let saved = store.save(&new);
            // A failed operation reports the driver's error kind.
            if let Err(e) = saved {
                assert_eq!(
                    e,
                    Error::Storage(StorageError::Flash(NorFlashErrorKind::Other))
                );
            }
            let saved = saved.is_ok();
            let mut flash = store.into_inner();
            flash.budget = None; // power back
            let mut store = ModelStore::new(flash, 1024, 1024).unwrap();
            let mut buf = [0u8; 1024];
            let loaded = store.load(&mut buf).unwrap().to_vec();
            assert!(loaded == old || loaded == new, "cut after {cut} operations");
            if saved {
                assert_eq!(loaded, new, "a completed save must load");
            }
            outcomes[usize::from(loaded == new)] += 1;
        }
        // Early cuts keep the old model, late ones (or none) give the new one.
        assert!(outcomes[0] > 0 && outcomes[1] > 0, "{outcomes:?}");
    }
}
