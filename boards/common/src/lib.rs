//! Board-independent glue between sensors and hyperbits models, over embedded-hal 1.0 traits.
//!
//! A firmware picks a chip's HAL, builds an `I2c` bus and an `OutputPin`, and hands them to
//! this crate: [`I2cRegisters`] reads a frame of features from a register array (an 8×8
//! thermal sensor such as the AMG8833 gives the 64 features of the digits model),
//! [`classify_frame`] encodes and classifies it with a [`Classifier`] read in place from flash,
//! and [`ClassLed`] shows whether the last prediction was a given class; [`classify_forever`]
//! is the whole main loop of a classifying firmware. For learning on the
//! device, [`learn_frames`] teaches a [`Learner`] from `N` frames (a new class, or a
//! correction of one) and [`save_learner`] writes the result to flash through a
//! power-cut-safe [`ModelStore`]. For sensor streams, [`imu`] reads an inertial sensor
//! ([`imu::Mpu6050`]) sample by sample into a window classifier ([`imu::stream_and_show`]).
//! Nothing here names a chip; the core crate names no HAL at all.
#![no_std]
#![deny(missing_docs)]

use embedded_hal::digital::OutputPin;
use embedded_hal::i2c::I2c;
use hyperbits::classify::{Classifier, Prediction};
use hyperbits::learn::Learner;
use hyperbits::persist::ModelStore;
use hyperbits::BinaryVector;

pub mod imu;

/// A source of feature frames.
pub trait Sensor {
    /// The bus or device error.
    type Error;
    /// Fills `frame` with the next frame of features.
    fn read(&mut self, frame: &mut [f32]) -> Result<(), Self::Error>;
}

/// Values a single I2C transfer reads (32 registers of 2 bytes).
const CHUNK: usize = 32;

/// An I2C device whose frame is consecutive 16-bit little-endian registers from `register`
/// (with auto-increment), each a `bits`-bit two's-complement value times `scale`.
///
/// The AMG8833 8×8 thermal array: address 0x69 (or 0x68), pixels from register 0x80, 12-bit
/// values of 0.25 °C: `I2cRegisters::new(i2c, 0x69, 0x80, 12, 0.25)`.
#[derive(Debug)]
pub struct I2cRegisters<I> {
    i2c: I,
    address: u8,
    register: u8,
    bits: u8,
    scale: f32,
}

impl<I: I2c> I2cRegisters<I> {
    /// A register-array sensor. `bits` (1 to 16) is the width of each two's-complement value.
    /// Error: `bits` outside 1..=16 (refused, not repaired).
    pub fn new(
        i2c: I,
        address: u8,
        register: u8,
        bits: u8,
        scale: f32,
    ) -> Result<Self, hyperbits::Error> {
        if !(1..=16).contains(&bits) {
            return Err(hyperbits::Error::InvalidParameter(
                "bits: a register value is 1 to 16 bits wide",
            ));
        }
        Ok(I2cRegisters {
            i2c,
            address,
            register,
            bits,
            scale,
        })
    }

    /// The most values one frame can hold: the registers from `register` to the last one
    /// (0xFF), two bytes each.
    pub fn max_values(&self) -> usize {
        (256 - usize::from(self.register)) / 2
    }

    /// Gives the bus back.
    pub fn release(self) -> I {
        self.i2c
    }
}

/// What [`I2cRegisters::read`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterError<E> {
    /// The bus failed.
    Bus(E),
    /// The frame reaches past the last register (0xFF) instead of wrapping around to 0x00.
    FrameTooLong {
        /// Values asked for.
        values: usize,
        /// Values that fit ([`I2cRegisters::max_values`]).
        max: usize,
    },
}

impl<I: I2c> Sensor for I2cRegisters<I> {
    type Error = RegisterError<I::Error>;

    fn read(&mut self, frame: &mut [f32]) -> Result<(), Self::Error> {
        let max = self.max_values();
        if frame.len() > max {
            return Err(RegisterError::FrameTooLong {
                values: frame.len(),
                max,
            });
        }
        let shift = 16 - u32::from(self.bits);
        let mut bytes = [0u8; 2 * CHUNK];
        for (c, values) in frame.chunks_mut(CHUNK).enumerate() {
            // Below 0x100: the frame fits the registers (checked above).
            let register = (usize::from(self.register) + 2 * CHUNK * c) as u8;
            let buf = &mut bytes[..2 * values.len()];
            self.i2c
                .write_read(self.address, &[register], buf)
                .map_err(RegisterError::Bus)?;
            for (v, b) in values.iter_mut().zip(buf.chunks_exact(2)) {
                // Sign-extend the low `bits` bits.
                let raw = ((u16::from_le_bytes([b[0], b[1]]) << shift) as i16) >> shift;
                *v = f32::from(raw) * self.scale;
            }
        }
        Ok(())
    }
}

/// What went wrong while streaming.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamError<E> {
    /// The sensor failed.
    Sensor(E),
    /// The frame or sample did not fit the model (wrong size, a NaN).
    Model(hyperbits::Error),
}

/// Reads one frame from `sensor` into `frame` and classifies it.
pub fn classify_frame<S: Sensor, const W: usize>(
    sensor: &mut S,
    classifier: &Classifier<'_, W>,
    frame: &mut [f32],
) -> Result<Prediction, StreamError<S::Error>> {
    sensor.read(frame).map_err(StreamError::Sensor)?;
    classifier.predict(frame).map_err(StreamError::Model)
}

/// One round of a classifying firmware: reads a frame from `sensor` into `frame`, classifies
/// it, shows the class on `led` and (with the `defmt` feature) logs it; a failed read is
/// logged as a warning and leaves the LED as it was.
pub fn classify_and_show<S: Sensor, P: OutputPin, const W: usize>(
    sensor: &mut S,
    classifier: &Classifier<'_, W>,
    frame: &mut [f32],
    led: &mut ClassLed<P>,
) -> Result<Prediction, StreamError<S::Error>> {
    let result = classify_frame(sensor, classifier, frame);
    if let Ok(p) = &result {
        let _ = led.show(p);
    }
    #[cfg(feature = "defmt")]
    match &result {
        Ok(p) => defmt::info!("class {} ({} bits away)", p.class, p.distance),
        Err(_) => defmt::warn!("no frame from the sensor"),
    }
    result
}

/// A classifying firmware's main loop: [`classify_and_show`] on frames of `N` values forever,
/// calling `wait` between frames (a HAL delay).
pub fn classify_forever<S: Sensor, P: OutputPin, const W: usize, const N: usize>(
    sensor: &mut S,
    classifier: &Classifier<'_, W>,
    led: &mut ClassLed<P>,
    mut wait: impl FnMut(),
) -> ! {
    let mut frame = [0f32; N];
    loop {
        let _ = classify_and_show(sensor, classifier, &mut frame, led);
        wait();
    }
}

/// What a batch of labelled frames teaches a [`Learner`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lesson<'l> {
    /// Move class `class` towards the frames, its prototype counted as `prior` frames.
    Correct {
        /// The class index.
        class: usize,
        /// The weight of the current prototype.
        prior: u16,
    },
    /// Add a class with this label, made of the frames.
    NewClass(&'l str),
}

/// Reads `N` frames from `sensor` (through `frame`), encodes them, and applies `lesson` to
/// `learner`; returns the class taught. Costs `N·D/8` bytes of stack for the encoded frames.
pub fn learn_frames<S: Sensor, const W: usize, const C: usize, const N: usize>(
    sensor: &mut S,
    learner: &mut Learner<'_, W, C>,
    frame: &mut [f32],
    lesson: Lesson<'_>,
) -> Result<usize, StreamError<S::Error>> {
    let mut samples = [BinaryVector::<W>::zero(); N];
    for s in &mut samples {
        sensor.read(frame).map_err(StreamError::Sensor)?;
        *s = learner.encode(frame).map_err(StreamError::Model)?;
    }
    match lesson {
        Lesson::Correct { class, prior } => learner
            .learn(class, &samples, prior)
            .map(|()| class)
            .map_err(StreamError::Model),
        Lesson::NewClass(label) => learner
            .add_class(label, &samples)
            .map_err(StreamError::Model),
    }
}

/// Writes `learner` as a model blob into `buf` and saves it in `store` (the previous model
/// stays loadable until the new one is committed). Returns the blob's length.
pub fn save_learner<F, const W: usize, const C: usize>(
    learner: &Learner<'_, W, C>,
    store: &mut ModelStore<F>,
    buf: &mut [u8],
) -> Result<usize, hyperbits::Error>
where
    F: embedded_storage::nor_flash::NorFlash,
{
    let len = learner.write_blob(buf)?;
    store.save(&buf[..len])?;
    Ok(len)
}

/// An LED lit while the last prediction is `class`.
#[derive(Debug)]
pub struct ClassLed<P> {
    pin: P,
    class: usize,
    active_low: bool,
}

impl<P: OutputPin> ClassLed<P> {
    /// An LED on `pin` for `class` (`active_low` for LEDs wired to the supply).
    pub fn new(pin: P, class: usize, active_low: bool) -> Self {
        ClassLed {
            pin,
            class,
            active_low,
        }
    }

    /// Gives the pin back.
    pub fn release(self) -> P {
        self.pin
    }

    /// Shows `prediction`.
    pub fn show(&mut self, prediction: &Prediction) -> Result<(), P::Error> {
        if (prediction.class == self.class) != self.active_low {
            self.pin.set_high()
        } else {
            self.pin.set_low()
        }
    }
}
