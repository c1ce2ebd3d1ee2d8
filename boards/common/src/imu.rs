//! Inertial sensors streamed into a window classifier ([`hyperbits::series`]).
//!
//! [`Mpu6050`] is a small register driver for the InvenSense MPU-6050 (3-axis accelerometer
//! and gyroscope over I2C, on many cheap breakouts), configured for ±2 g and ±250 °/s and a
//! chosen output rate, giving samples in the units the HAR model of `examples/data/har` was
//! trained on: milli-g and milli-rad/s, time-major `ax, ay, az, gx, gy, gz`.
//! [`stream_and_show`] is one round of a streaming firmware: read a sample, push it into a
//! [`Stream`], and on each decision light the class LED (and log it with defmt).

use crate::{ClassLed, StreamError};
use embedded_hal::digital::OutputPin;
use embedded_hal::i2c::I2c;
use hyperbits::series::{Decision, Stream, WindowClassifier};

/// A source of multichannel integer samples (one value per channel).
pub trait SampleSensor {
    /// The bus or device error.
    type Error;
    /// Fills `sample` with the next sample.
    fn read_sample(&mut self, sample: &mut [i16]) -> Result<(), Self::Error>;
}

/// MPU-6050 registers used here.
mod reg {
    pub const SMPLRT_DIV: u8 = 0x19;
    pub const CONFIG: u8 = 0x1A;
    pub const GYRO_CONFIG: u8 = 0x1B;
    pub const ACCEL_CONFIG: u8 = 0x1C;
    pub const INT_ENABLE: u8 = 0x38;
    pub const INT_STATUS: u8 = 0x3A;
    pub const ACCEL_XOUT_H: u8 = 0x3B;
    pub const PWR_MGMT_1: u8 = 0x6B;
    pub const WHO_AM_I: u8 = 0x75;
}

/// What [`Mpu6050::new`] and the reads report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImuError<E> {
    /// The bus failed.
    Bus(E),
    /// The device at the address is not an MPU-6050 (`WHO_AM_I` read this).
    NotFound(u8),
    /// A rate the 1 kHz internal clock cannot be divided to (4 to 1,000 Hz), or a sample
    /// buffer that is not six values.
    Invalid,
}

/// An MPU-6050 on an I2C bus: ±2 g, ±250 °/s, the digital low-pass filter at 44 Hz, samples
/// at a chosen rate.
#[derive(Debug)]
pub struct Mpu6050<I> {
    i2c: I,
    address: u8,
}

impl<I: I2c> Mpu6050<I> {
    /// Wakes the device at `address` (0x68, or 0x69 with AD0 high), checks `WHO_AM_I`, and
    /// sets the ranges, the filter and the output rate `hz` (the internal 1 kHz divided by an
    /// integer; the HAR model wants 25 Hz).
    pub fn new(i2c: I, address: u8, hz: u32) -> Result<Self, ImuError<I::Error>> {
        if !(4..=1000).contains(&hz) {
            return Err(ImuError::Invalid);
        }
        let mut imu = Mpu6050 { i2c, address };
        let mut who = [0u8];
        imu.i2c
            .write_read(address, &[reg::WHO_AM_I], &mut who)
            .map_err(ImuError::Bus)?;
        if who[0] & 0x7E != 0x68 {
            return Err(ImuError::NotFound(who[0]));
        }
        // The divider: rate = 1 kHz / (1 + SMPLRT_DIV), with the filter on.
        let divider = (1000 / hz - 1) as u8;
        for (r, v) in [
            (reg::PWR_MGMT_1, 0x01), // awake, clocked from the X gyro's PLL
            (reg::CONFIG, 0x03),     // low-pass 44 Hz (accelerometer), 42 Hz (gyroscope)
            (reg::SMPLRT_DIV, divider),
            (reg::GYRO_CONFIG, 0x00),  // ±250 °/s: 131 LSB per °/s
            (reg::ACCEL_CONFIG, 0x00), // ±2 g: 16,384 LSB per g
            (reg::INT_ENABLE, 0x01),   // flag each new sample in INT_STATUS
        ] {
            imu.i2c.write(address, &[r, v]).map_err(ImuError::Bus)?;
        }
        Ok(imu)
    }

    /// Whether a new sample has arrived since the last call (reading clears the flag): a
    /// firmware that polls this reads exactly at the sensor's rate, whatever its own clock.
    pub fn data_ready(&mut self) -> Result<bool, ImuError<I::Error>> {
        let mut status = [0u8];
        self.i2c
            .write_read(self.address, &[reg::INT_STATUS], &mut status)
            .map_err(ImuError::Bus)?;
        Ok(status[0] & 0x01 != 0)
    }

    /// Gives the bus back.
    pub fn release(self) -> I {
        self.i2c
    }
}

/// Raw accelerometer counts (±2 g) to milli-g: `raw · 1000 / 16384`, rounded down.
fn milli_g(raw: i16) -> i16 {
    ((i32::from(raw) * 1000) >> 14) as i16
}

/// Raw gyroscope counts (±250 °/s) to milli-rad/s: `raw / 131 · π/180 · 1000`, as
/// `raw · 4363 / 32768` (0.01 % low), rounded down.
fn milli_rad_per_s(raw: i16) -> i16 {
    ((i32::from(raw) * 4363) >> 15) as i16
}

impl<I: I2c> SampleSensor for Mpu6050<I> {
    type Error = ImuError<I::Error>;

    /// One sample, `ax, ay, az` in milli-g and `gx, gy, gz` in milli-rad/s (six values).
    fn read_sample(&mut self, sample: &mut [i16]) -> Result<(), Self::Error> {
        if sample.len() != 6 {
            return Err(ImuError::Invalid);
        }
        let mut b = [0u8; 14];
        self.i2c
            .write_read(self.address, &[reg::ACCEL_XOUT_H], &mut b)
            .map_err(ImuError::Bus)?;
        let word = |i: usize| i16::from_be_bytes([b[2 * i], b[2 * i + 1]]);
        // Words 0-2 accelerometer, 3 temperature, 4-6 gyroscope.
        for (axis, s) in sample.iter_mut().enumerate() {
            *s = if axis < 3 {
                milli_g(word(axis))
            } else {
                milli_rad_per_s(word(axis + 1))
            };
        }
        Ok(())
    }
}

/// One round of a streaming firmware: reads a sample from `sensor` into `sample`, pushes it
/// into `stream`, and on a decision shows it on `led` and (with `defmt`) logs it. A failed
/// read is logged as a warning and pushes nothing.
pub fn stream_and_show<
    S: SampleSensor,
    P: OutputPin,
    const W: usize,
    const K: usize,
    const N: usize,
    const L: usize,
>(
    sensor: &mut S,
    classifier: &WindowClassifier<'_, W, K>,
    stream: &mut Stream<N, L>,
    sample: &mut [i16],
    led: &mut ClassLed<P>,
) -> Result<Option<Decision>, StreamError<S::Error>> {
    let result = sensor
        .read_sample(sample)
        .map_err(StreamError::Sensor)
        .and_then(|()| stream.push(classifier, sample).map_err(StreamError::Model));
    if let Ok(Some(d)) = &result {
        let _ = led.show(&d.prediction);
    }
    #[cfg(feature = "defmt")]
    match &result {
        Ok(Some(d)) => defmt::info!(
            "class {} {} (margin {} bits, p = {}/65536)",
            d.prediction.class,
            classifier.label(d.prediction.class).unwrap_or("?"),
            d.margin,
            d.probability.unwrap_or(0)
        ),
        Ok(None) => {}
        Err(_) => defmt::warn!("no sample"),
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(milli_g(16384), 1000);
        assert_eq!(milli_g(-16384), -1000);
        assert_eq!(milli_g(i16::MIN), -2000);
        // 131 counts = 1 °/s = 17.45 milli-rad/s.
        assert_eq!(milli_rad_per_s(131), 17);
        assert_eq!(milli_rad_per_s(i16::MAX), 4362);
    }
}
