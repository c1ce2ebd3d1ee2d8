//! Activity recognition on an nRF52840 DK: an MPU-6050 on I2C (P0.26 SDA, P0.27 SCL) sampled
//! at 25 Hz, each sample pushed into the HAR window classifier (64 samples = 2.56 s, a
//! decision every 32 samples), each decision logged over defmt/RTT with its margin and
//! calibrated probability, LED1 (P0.13, active low) lit while the decision is "walking".
//!
//! The model is `boards/qemu/data/har.hbm` (trained on a waist-worn phone, so wear the board
//! at the waist, x axis down as the phone's was; retrain on your own windows with
//! `hyperbits train windows.csv --channels 6 --vectors 0,3` for another placement). The
//! sensor paces the loop: the firmware polls its data-ready flag, so samples come at the
//! sensor's 25 Hz whatever the time a decision takes.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use defmt_rtt as _;
use embedded_hal::delay::DelayNs;
use hyperbits::series::{Stream, WindowClassifier};
use hyperbits_boards::imu::{stream_and_show, Mpu6050};
use hyperbits_boards::ClassLed;
use nrf52840_hal::{self as hal, gpio::Level, pac, twim};
use panic_probe as _;

static MODEL: &[u8] = hyperbits::include_model!("../../../qemu/data/har.hbm");

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
    let mut delay = hal::Delay::new(core.SYST);
    let clf = match WindowClassifier::<64, 1>::from_bytes(MODEL) {
        Ok(c) => c,
        Err(e) => defmt::panic!("model rejected: {}", e),
    };
    let walking = (0..clf.classes())
        .find(|&c| clf.label(c) == Ok("walking"))
        .unwrap_or(0);
    let mut led = ClassLed::new(
        port0.p0_13.into_push_pull_output(Level::High),
        walking,
        true,
    );
    let mut imu = match Mpu6050::new(i2c, 0x68, 25) {
        Ok(imu) => imu,
        Err(_) => defmt::panic!("no MPU-6050 at 0x68"),
    };
    let w = clf.window();
    defmt::info!(
        "window: {} samples x {} channels, a decision every {} samples",
        w.length(),
        w.channels(),
        w.hop()
    );
    let mut stream = Stream::<512, 64>::new();
    let mut sample = [0i16; 6];
    loop {
        match imu.data_ready() {
            Ok(true) => {
                let _ = stream_and_show(&mut imu, &clf, &mut stream, &mut sample, &mut led);
            }
            Ok(false) => delay.delay_us(500),
            Err(_) => {
                defmt::warn!("bus error; starting the window again");
                stream.reset();
                delay.delay_ms(10);
            }
        }
    }
}
