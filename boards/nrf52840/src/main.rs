//! hyperbits on an nRF52840 DK: every 100 ms, read a frame of 64 values from an I2C 8×8 sensor
//! (an AMG8833 thermal array on P0.26/P0.27), classify it, log the class over defmt/RTT and
//! light LED1 (P0.13, active low) while the class is 0.
//!
//! It also learns on the device. Button 1 (P0.11) adds a class made of the next 8 frames;
//! button 2 (P0.12) pulls class 0 towards the next 8 frames. After each lesson the model is
//! saved to the last 16 KiB of flash (two slots of [`ModelStore`], so a power cut during the
//! save keeps the previous model) and is the one loaded at the next boot; with nothing saved
//! the firmware starts from the blob built in (the digits demo model of `boards/qemu/data`;
//! train one on your sensor's frames with `hyperbits train` and point `MODEL` at it).
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use defmt_rtt as _;
use embedded_hal::delay::DelayNs;
use embedded_hal::digital::InputPin;
use hyperbits::classify::Classifier;
use hyperbits::learn::Learner;
use hyperbits::persist::ModelStore;
use hyperbits_boards::{learn_frames, save_learner, ClassLed, I2cRegisters, Lesson, Sensor};
use nrf52840_hal::{self as hal, gpio::Level, nvmc::Nvmc, pac, twim};
use panic_probe as _;

static MODEL: &[u8] = hyperbits::include_model!("../../qemu/data/digits.hbm");

/// Model storage: the 16 KiB that `memory.x` leaves out of FLASH, two slots of 8 KiB.
const STORAGE_START: usize = 0x000F_C000;
const STORAGE_LEN: usize = 16 * 1024;
const SLOT: u32 = 8 * 1024;
/// Classes the learner holds (the demo model has 10).
const CLASSES: usize = 16;
/// Frames per lesson.
const FRAMES: usize = 8;
/// Labels of the classes button 1 adds (the learner has room for six more).
const LABELS: [&str; CLASSES - 10] = ["user-a", "user-b", "user-c", "user-d", "user-e", "user-f"];

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
    let mut add_button = port0.p0_11.into_pullup_input();
    let mut correct_button = port0.p0_12.into_pullup_input();
    let mut delay = hal::Delay::new(core.SYST);

    // SAFETY: memory.x ends FLASH at STORAGE_START, so the linker puts nothing in these 16 KiB
    // of flash; `main` runs once, so this is the only reference to them, and `Nvmc` is the
    // only writer.
    let storage = unsafe { core::slice::from_raw_parts_mut(STORAGE_START as *mut u8, STORAGE_LEN) };
    let mut store = match ModelStore::new(Nvmc::new(p.NVMC, storage), 0, SLOT) {
        Ok(s) => s,
        Err(e) => defmt::panic!("storage: {}", e),
    };
    let Some(saved) = cortex_m::singleton!(: [u32; 2048] = [0; 2048]) else {
        defmt::panic!("buffer taken twice");
    };
    let saved: &'static mut [u8] = bytemuck::cast_slice_mut(saved);
    let base = match store.load(saved).and_then(Classifier::<64>::from_bytes) {
        Ok(c) => {
            defmt::info!("model loaded from flash");
            c
        }
        Err(_) => match Classifier::<64>::from_bytes(MODEL) {
            Ok(c) => c,
            Err(e) => defmt::panic!("model rejected: {}", e),
        },
    };
    let mut learner = match Learner::<64, CLASSES>::new(base) {
        Ok(l) => l,
        Err(e) => defmt::panic!("learner: {}", e),
    };
    defmt::info!(
        "model: {} classes, {} features",
        learner.classes(),
        learner.base().features()
    );
    let mut sensor = match I2cRegisters::new(i2c, 0x69, 0x80, 12, 0.25) {
        Ok(s) => s,
        Err(e) => defmt::panic!("sensor settings rejected: {}", e),
    };
    let mut frame = [0f32; 64];
    let mut blob = [0u8; SLOT as usize - 16];
    loop {
        let lesson = if add_button.is_low().unwrap_or(false) {
            let next = learner.classes().saturating_sub(10);
            LABELS.get(next).map(|&label| Lesson::NewClass(label))
        } else if correct_button.is_low().unwrap_or(false) {
            Some(Lesson::Correct { class: 0, prior: 4 })
        } else {
            None
        };
        if let Some(lesson) = lesson {
            match learn_frames::<_, 64, CLASSES, FRAMES>(
                &mut sensor,
                &mut learner,
                &mut frame,
                lesson,
            ) {
                Ok(class) => match save_learner(&learner, &mut store, &mut blob) {
                    Ok(len) => defmt::info!("learned class {}; saved {} bytes", class, len),
                    Err(e) => defmt::warn!("learned class {}; not saved: {}", class, e),
                },
                Err(_) => defmt::warn!("lesson failed"),
            }
        }
        match sensor.read(&mut frame).map(|()| learner.predict(&frame)) {
            Ok(Ok(p)) => {
                defmt::info!(
                    "class {} {} ({} bits away)",
                    p.class,
                    learner.label(p.class).unwrap_or("?"),
                    p.distance
                );
                let _ = led.show(&p);
            }
            Ok(Err(e)) => defmt::warn!("frame rejected: {}", e),
            Err(_) => defmt::warn!("no frame from the sensor"),
        }
        delay.delay_ms(100);
    }
}
