//! hyperbits on a Raspberry Pi Pico (RP2040, Cortex-M0+): every 100 ms, read a frame of 64
//! values from an I2C 8×8 sensor (an AMG8833 thermal array on GP16/GP17), classify it with the
//! model blob in flash, log the class over defmt/RTT and light the on-board LED (GP25) while
//! the class is 0.
//!
//! The blob is the digits demo model of `boards/qemu/data`; train one on your sensor's frames
//! with `hyperbits train frames.csv --out model.hbm` and point `MODEL` at it.
#![no_std]
#![no_main]

use defmt_rtt as _;
use fugit::RateExtU32;
use hyperbits::classify::Classifier;
use hyperbits_boards::{classify_forever, ClassLed, I2cRegisters};
use panic_probe as _;
use rp_pico::entry;
use rp_pico::hal::{self, gpio::FunctionI2C, pac, Clock};

static MODEL: &[u8] = hyperbits::include_model!("../../qemu/data/digits.hbm");

#[entry]
fn main() -> ! {
    let (Some(mut pac), Some(core)) = (pac::Peripherals::take(), pac::CorePeripherals::take())
    else {
        defmt::panic!("peripherals taken twice");
    };
    let mut watchdog = hal::Watchdog::new(pac.WATCHDOG);
    let Ok(clocks) = hal::clocks::init_clocks_and_plls(
        rp_pico::XOSC_CRYSTAL_FREQ,
        pac.XOSC,
        pac.CLOCKS,
        pac.PLL_SYS,
        pac.PLL_USB,
        &mut pac.RESETS,
        &mut watchdog,
    ) else {
        defmt::panic!("clocks did not start");
    };
    let sio = hal::Sio::new(pac.SIO);
    let pins = rp_pico::Pins::new(
        pac.IO_BANK0,
        pac.PADS_BANK0,
        sio.gpio_bank0,
        &mut pac.RESETS,
    );
    let sda: hal::gpio::Pin<_, FunctionI2C, _> = pins.gpio16.reconfigure();
    let scl: hal::gpio::Pin<_, FunctionI2C, _> = pins.gpio17.reconfigure();
    let i2c = hal::I2C::i2c0(
        pac.I2C0,
        sda,
        scl,
        400.kHz(),
        &mut pac.RESETS,
        &clocks.peripheral_clock,
    );
    let mut led = ClassLed::new(pins.led.into_push_pull_output(), 0, false);
    let mut delay = cortex_m::delay::Delay::new(core.SYST, clocks.system_clock.freq().to_Hz());

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
