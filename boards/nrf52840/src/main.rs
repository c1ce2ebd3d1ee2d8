//! hyperbits on an nRF52840 DK: every 100 ms, read a frame of 64 values from an I2C 8×8 sensor
//! (an AMG8833 thermal array on P0.26/P0.27), classify it with the model blob in flash, log the
//! class over defmt/RTT and light LED1 (P0.13, active low) while the class is 0.
//!
//! The blob is the digits demo model of `boards/qemu/data`; train one on your sensor's frames
//! with `hyperbits train frames.csv --out model.hbm` and point `MODEL` at it.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use defmt_rtt as _;
use embedded_hal::delay::DelayNs;
use hyperbits::classify::Classifier;
use hyperbits_boards::{classify_frame, ClassLed, I2cRegisters};
use nrf52840_hal::{self as hal, gpio::Level, pac, twim};
use panic_probe as _;

static MODEL: &[u8] = hyperbits::include_model!("../../qemu/data/digits.hbm");

#[entry]
fn main() -> ! {
    let (Some(p), Some(core)) = (pac::Peripherals::take(), pac::CorePeripherals::take()) else {
        defmt::panic!("peripherals taken twice");
    };
    let port0 = hal::gpio::p0::Parts::new(p.P0);
    let pins = twim::Pins {
        scl: port0.p0_27.into_floating_input().degrade(),
        sda: port0.p0_26.into_floating_input().degrade(),
    };
    let i2c = hal::Twim::new(p.TWIM0, pins, twim::Frequency::K400);
    let mut led = ClassLed::new(port0.p0_13.into_push_pull_output(Level::High), 0, true);
    let mut delay = hal::Delay::new(core.SYST);

    let classifier = match Classifier::<64>::from_bytes(MODEL) {
        Ok(c) => c,
        Err(e) => defmt::panic!("model rejected: {}", e),
    };
    defmt::info!(
        "model: {} classes, {} features",
        classifier.classes(),
        classifier.features()
    );
    let mut sensor = I2cRegisters::new(i2c, 0x69, 0x80, 12, 0.25);
    let mut frame = [0f32; 64];
    loop {
        match classify_frame(&mut sensor, &classifier, &mut frame) {
            Ok(p) => {
                defmt::info!("class {} ({} bits away)", p.class, p.distance);
                let _ = led.show(&p);
            }
            Err(_) => defmt::warn!("no frame from the sensor"),
        }
        delay.delay_ms(100);
    }
}
