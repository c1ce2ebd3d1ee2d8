//! hyperbits on an STM32F411: every 100 ms, read a frame of 64 values from an I2C 8×8 sensor
//! (an AMG8833 thermal array on PB8/PB9), classify it with the model blob in flash, log the
//! class over defmt/RTT and light the PC13 LED while the class is 0.
//!
//! The blob is the digits demo model of `boards/qemu/data`; train one on your sensor's frames
//! with `hyperbits train frames.csv --out model.hbm` and point `MODEL` at it.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use defmt_rtt as _;
use embedded_hal::delay::DelayNs;
use hyperbits::classify::Classifier;
use hyperbits_boards::{classify_forever, ClassLed, I2cRegisters};
use panic_probe as _;
use stm32f4xx_hal::{pac, prelude::*, rcc::Config};

static MODEL: &[u8] = hyperbits::include_model!("../../qemu/data/digits.hbm");

#[entry]
fn main() -> ! {
    let (Some(dp), Some(cp)) = (pac::Peripherals::take(), cortex_m::Peripherals::take()) else {
        defmt::panic!("peripherals taken twice");
    };
    let mut rcc = dp.RCC.freeze(Config::hsi().sysclk(48.MHz()));
    let gpiob = dp.GPIOB.split(&mut rcc);
    let scl = gpiob.pb8.internal_pull_up(true);
    let sda = gpiob.pb9.internal_pull_up(true);
    let i2c = dp.I2C1.i2c((scl, sda), 400.kHz(), &mut rcc);
    let gpioc = dp.GPIOC.split(&mut rcc);
    let mut led = ClassLed::new(gpioc.pc13.into_push_pull_output(), 0, true);
    let mut delay = cp.SYST.delay(&rcc.clocks);

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
    classify_forever::<_, _, 64, 64>(&mut sensor, &classifier, &mut led, || delay.delay_ms(100))
}
