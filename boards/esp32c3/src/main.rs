//! hyperbits on an ESP32-C3 (RISC-V): every 100 ms, read a frame of 64 values from an I2C 8×8
//! sensor (an AMG8833 thermal array on GPIO4/GPIO5), classify it with the model blob in flash,
//! log the class with defmt (over the USB serial port, decoded by espflash) and light an LED on
//! GPIO7 while the class is 0.
//!
//! The blob is the digits demo model of `boards/qemu/data`; train one on your sensor's frames
//! with `hyperbits train frames.csv --out model.hbm` and point `MODEL` at it.
#![no_std]
#![no_main]

use esp_backtrace as _;
use esp_hal::delay::Delay;
use esp_hal::gpio::{Level, Output, OutputConfig};
use esp_hal::i2c::master::{Config as I2cConfig, I2c};
use esp_hal::time::Rate;
use esp_println as _;
use hyperbits::classify::Classifier;
use hyperbits_boards::{classify_forever, ClassLed, I2cRegisters};

esp_bootloader_esp_idf::esp_app_desc!();

static MODEL: &[u8] = hyperbits::include_model!("../../qemu/data/digits.hbm");

#[esp_hal::main]
fn main() -> ! {
    let p = esp_hal::init(esp_hal::Config::default());
    let i2c = match I2c::new(
        p.I2C0,
        I2cConfig::default().with_frequency(Rate::from_khz(400)),
    ) {
        Ok(i2c) => i2c.with_sda(p.GPIO4).with_scl(p.GPIO5),
        Err(_) => defmt::panic!("I2C configuration rejected"),
    };
    let mut led = ClassLed::new(
        Output::new(p.GPIO7, Level::Low, OutputConfig::default()),
        0,
        false,
    );
    let delay = Delay::new();

    let classifier = match Classifier::<64>::from_bytes(MODEL) {
        Ok(c) => c,
        Err(e) => defmt::panic!("model rejected: {}", e),
    };
    defmt::info!(
        "model: {} classes, {} features",
        classifier.classes(),
        classifier.features()
    );
    let mut sensor = match I2cRegisters::new(i2c, 0x69, 0x80, 12, 0.25) {
        Ok(s) => s,
        Err(e) => defmt::panic!("sensor settings rejected: {}", e),
    };
    classify_forever::<_, _, 64, 64>(&mut sensor, &classifier, &mut led, || {
        delay.delay_millis(100)
    })
}
