//! The glue against mocked embedded-hal devices and the digits model of boards/qemu/data.

use embedded_hal_mock::eh1::digital::{Mock as PinMock, State, Transaction as PinTx};
use embedded_hal_mock::eh1::i2c::{Mock as I2cMock, Transaction};
use hyperbits::classify::Classifier;
use hyperbits_boards::{
    classify_and_show, classify_frame, ClassLed, I2cRegisters, Sensor, StreamError,
};

static MODEL: &[u8] = hyperbits::include_model!("../../qemu/data/digits.hbm");
static SAMPLE: &[u8] = include_bytes!("../../qemu/data/digits-sample.bin");

#[test]
fn register_arrays_are_read_in_chunks_and_sign_extended() {
    // 40 values: one transfer of 32 registers from 0x80, one of 8 from 0xC0.
    let mut first = vec![0u8; 64];
    first[0..2].copy_from_slice(&0x0FFFu16.to_le_bytes()); // 12-bit -1
    first[2..4].copy_from_slice(&0x0064u16.to_le_bytes()); // 100
    let second = [0x08u8, 0x00].repeat(8); // 8 each
    let mut sensor = I2cRegisters::new(
        I2cMock::new(&[
            Transaction::write_read(0x69, vec![0x80], first),
            Transaction::write_read(0x69, vec![0xC0], second),
        ]),
        0x69,
        0x80,
        12,
        0.25,
    )
    .unwrap();
    let mut frame = [0f32; 40];
    sensor.read(&mut frame).unwrap();
    assert_eq!(&frame[..3], &[-0.25, 25.0, 0.0]);
    assert!(frame[32..].iter().all(|&v| v == 2.0));
    sensor.release().done();
}

/// The bus transfers that serve the sample row's features as 16-bit registers from 0x80 (the
/// digits features are integers 0-16, read with scale 1): 32 registers, then 32 more.
fn sample_transfers() -> Vec<Transaction> {
    let regs: Vec<u8> = (0..64)
        .flat_map(|i| {
            let b = &SAMPLE[4 + 4 * i..8 + 4 * i];
            (f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u16).to_le_bytes()
        })
        .collect();
    vec![
        Transaction::write_read(0x69, vec![0x80], regs[..64].to_vec()),
        Transaction::write_read(0x69, vec![0xC0], regs[64..].to_vec()),
    ]
}

#[test]
fn a_frame_from_the_bus_is_classified_like_on_the_host() {
    let clf = Classifier::<64>::from_bytes(MODEL).unwrap();
    let host = usize::from(SAMPLE[0]);
    let mut sensor =
        I2cRegisters::new(I2cMock::new(&sample_transfers()), 0x69, 0x80, 16, 1.0).unwrap();
    let mut frame = [0f32; 64];
    let p = classify_frame(&mut sensor, &clf, &mut frame).unwrap();
    assert_eq!(p.class, host);
    sensor.release().done();

    let mut led = ClassLed::new(
        PinMock::new(&[PinTx::set(State::High), PinTx::set(State::Low)]),
        host,
        false,
    );
    led.show(&p).unwrap();
    led.show(&hyperbits::classify::Prediction {
        class: host + 1,
        distance: 0,
    })
    .unwrap();
    led.release().done();

    // A wrong frame size is a model error, not a panic.
    let mut short = I2cRegisters::new(
        I2cMock::new(&[Transaction::write_read(0x69, vec![0x80], vec![0; 20])]),
        0x69,
        0x80,
        16,
        1.0,
    )
    .unwrap();
    let mut frame = [0f32; 10];
    assert!(matches!(
        classify_frame(&mut short, &clf, &mut frame),
        Err(StreamError::Model(_))
    ));
    short.release().done();
}

#[test]
fn a_round_of_the_main_loop_shows_the_class_and_survives_a_bus_error() {
    use embedded_hal::i2c::ErrorKind;
    let clf = Classifier::<64>::from_bytes(MODEL).unwrap();
    let host = usize::from(SAMPLE[0]);
    // A good frame, then a bus error: the LED is set once (for the good frame) only.
    let mut transfers = sample_transfers();
    transfers
        .push(Transaction::write_read(0x69, vec![0x80], vec![0; 64]).with_error(ErrorKind::Other));
    let mut sensor = I2cRegisters::new(I2cMock::new(&transfers), 0x69, 0x80, 16, 1.0).unwrap();
    let mut led = ClassLed::new(PinMock::new(&[PinTx::set(State::High)]), host, false);
    let mut frame = [0f32; 64];
    let p = classify_and_show(&mut sensor, &clf, &mut frame, &mut led).unwrap();
    assert_eq!(p.class, host);
    assert!(matches!(
        classify_and_show(&mut sensor, &clf, &mut frame, &mut led),
        Err(StreamError::Sensor(_))
    ));
    sensor.release().done();
    led.release().done();
}

#[test]
fn bad_sensor_settings_and_frames_past_the_last_register_are_errors() {
    // D18: `bits` is refused, not clamped; a frame is not read around the end of the
    // register space.
    for bits in [0, 17] {
        let bus = I2cMock::new(&[]);
        assert!(I2cRegisters::new(bus.clone(), 0x69, 0x80, bits, 1.0).is_err());
        bus.clone().done();
    }
    let mut sensor = I2cRegisters::new(I2cMock::new(&[]), 0x69, 0x80, 16, 1.0).unwrap();
    assert_eq!(sensor.max_values(), 64);
    let mut frame = [0f32; 65];
    assert_eq!(
        sensor.read(&mut frame),
        Err(hyperbits_boards::RegisterError::FrameTooLong {
            values: 65,
            max: 64
        })
    );
    sensor.release().done();
}
