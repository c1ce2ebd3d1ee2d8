//! Learning on the device against a mocked sensor, saved to a RAM-backed NOR flash and read
//! back as a classifier.

use embedded_hal_mock::eh1::i2c::{Mock as I2cMock, Transaction};
use embedded_storage::nor_flash::{
    ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash,
};
use hyperbits::classify::Classifier;
use hyperbits::learn::Learner;
use hyperbits::persist::ModelStore;
use hyperbits_boards::{learn_frames, save_learner, I2cRegisters, Lesson, StreamError};

static MODEL: &[u8] = hyperbits::include_model!("../../qemu/data/digits.hbm");

/// NOR flash in RAM (erase to 0xFF, writes clear bits).
struct RamFlash(Vec<u8>);

#[derive(Debug)]
struct Never;

impl NorFlashError for Never {
    fn kind(&self) -> NorFlashErrorKind {
        NorFlashErrorKind::Other
    }
}

impl ErrorType for RamFlash {
    type Error = Never;
}

impl ReadNorFlash for RamFlash {
    const READ_SIZE: usize = 1;
    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Never> {
        let at = offset as usize;
        bytes.copy_from_slice(&self.0[at..at + bytes.len()]);
        Ok(())
    }
    fn capacity(&self) -> usize {
        self.0.len()
    }
}

impl NorFlash for RamFlash {
    const WRITE_SIZE: usize = 4;
    const ERASE_SIZE: usize = 4096;
    fn erase(&mut self, from: u32, to: u32) -> Result<(), Never> {
        self.0[from as usize..to as usize].fill(0xFF);
        Ok(())
    }
    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Never> {
        let at = offset as usize;
        for (d, b) in self.0[at..].iter_mut().zip(bytes) {
            *d &= b;
        }
        Ok(())
    }
}

/// A frame shaped like no digit: the top four rows lit (16), the rest dark, with `jitter`
/// added to one pixel.
fn bar(jitter: u16) -> Vec<u8> {
    (0..64u16)
        .flat_map(|i| {
            let v = if i < 32 { 16 } else { 0 } + if i == 40 { jitter } else { 0 };
            v.to_le_bytes()
        })
        .collect()
}

/// The I2C transfers that serve `frames` (two reads of 32 registers each).
fn transfers(frames: &[Vec<u8>]) -> Vec<Transaction> {
    frames
        .iter()
        .flat_map(|f| {
            [
                Transaction::write_read(0x69, vec![0x80], f[..64].to_vec()),
                Transaction::write_read(0x69, vec![0xC0], f[64..].to_vec()),
            ]
        })
        .collect()
}

#[test]
fn a_class_learned_from_the_sensor_survives_a_save_and_reload() {
    let clf = Classifier::<64>::from_bytes(MODEL).unwrap();
    let mut learner = Learner::<64, 12>::new(clf).unwrap();
    let frames: Vec<Vec<u8>> = (0..4).map(bar).collect();
    let mut sensor =
        I2cRegisters::new(I2cMock::new(&transfers(&frames)), 0x69, 0x80, 16, 1.0).unwrap();
    let mut frame = [0f32; 64];
    let class = learn_frames::<_, 64, 12, 4>(
        &mut sensor,
        &mut learner,
        &mut frame,
        Lesson::NewClass("bar"),
    )
    .unwrap();
    sensor.release().done();
    assert_eq!(class, 10);
    let probe: Vec<f32> = (0..64).map(|i| if i < 32 { 15.0 } else { 1.0 }).collect();
    assert_eq!(learner.predict(&probe).unwrap().class, 10);

    // Strengthen it with two more frames: the class index stays, the prototype moves.
    let before = *learner.prototype(10).unwrap();
    let frames: Vec<Vec<u8>> = (5..7).map(bar).collect();
    let mut sensor =
        I2cRegisters::new(I2cMock::new(&transfers(&frames)), 0x69, 0x80, 16, 1.0).unwrap();
    let lesson = Lesson::Correct {
        class: 10,
        prior: 0,
    };
    assert_eq!(
        learn_frames::<_, 64, 12, 2>(&mut sensor, &mut learner, &mut frame, lesson),
        Ok(10)
    );
    sensor.release().done();
    assert_ne!(*learner.prototype(10).unwrap(), before);

    let mut store = ModelStore::new(RamFlash(vec![0xFF; 16384]), 0, 8192).unwrap();
    let mut buf = [0u8; 4096];
    let len = save_learner(&learner, &mut store, &mut buf).unwrap();
    let mut words = [0u32; 1024];
    let loaded = store
        .load(bytemuck::cast_slice_mut(&mut words))
        .unwrap()
        .len();
    assert_eq!(loaded, len);
    let saved = Classifier::<64>::from_bytes(&bytemuck::cast_slice(&words)[..len]).unwrap();
    assert_eq!(saved.classes(), 11);
    assert_eq!(saved.label(10), Ok("bar"));
    assert_eq!(saved.predict(&probe), learner.predict(&probe));

    // A bad lesson is an error, not a panic; the sensor is read first.
    let mut sensor =
        I2cRegisters::new(I2cMock::new(&transfers(&[bar(0)])), 0x69, 0x80, 16, 1.0).unwrap();
    let lesson = Lesson::Correct {
        class: 99,
        prior: 1,
    };
    assert!(matches!(
        learn_frames::<_, 64, 12, 1>(&mut sensor, &mut learner, &mut frame, lesson),
        Err(StreamError::Model(hyperbits::Error::IndexOutOfRange { .. }))
    ));
    sensor.release().done();
}
