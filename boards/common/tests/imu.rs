//! The MPU-6050 driver and the streaming round against a mocked I2C bus: the HAR stream of
//! boards/qemu/data, served as raw sensor registers, gives the host's decisions.

use embedded_hal_mock::eh1::digital::{Mock as PinMock, State, Transaction as PinTx};
use embedded_hal_mock::eh1::i2c::{Mock as I2cMock, Transaction};
use hyperbits::series::{Stream, WindowClassifier};
use hyperbits_boards::imu::{stream_and_show, ImuError, Mpu6050, SampleSensor};
use hyperbits_boards::ClassLed;

static MODEL: &[u8] = hyperbits::include_model!("../../qemu/data/har.hbm");
static STREAM: &[u8] = include_bytes!("../../qemu/data/har-stream.bin");

fn u32_at(at: usize) -> usize {
    u32::from_le_bytes(STREAM[at..at + 4].try_into().unwrap()) as usize
}

/// The host's class, margin and probability.
type Expected = (usize, u32, u32);

/// The samples (six values each) and the host's decisions.
fn har() -> (Vec<[i16; 6]>, Vec<Expected>) {
    let n = u32_at(0);
    let samples = (0..n)
        .map(|i| {
            core::array::from_fn(|c| {
                let at = 8 + 12 * i + 2 * c;
                i16::from_le_bytes([STREAM[at], STREAM[at + 1]])
            })
        })
        .collect();
    let at = 8 + 12 * n;
    let decisions = (0..u32_at(at))
        .map(|k| {
            let w = |j: usize| u32_at(at + 4 + 12 * k + 4 * j);
            (w(0), w(1) as u32, w(2) as u32)
        })
        .collect();
    (samples, decisions)
}

/// The register bytes an MPU-6050 shows for a sample in milli-g and milli-rad/s: the
/// smallest raw counts the driver converts back to exactly those values.
fn registers(s: &[i16; 6]) -> Vec<u8> {
    let raw = |v: i16, per: i32, unit: i32| -> i16 {
        // ceil(v · per / unit): the driver's floor(raw · unit / per) is then v.
        let n = i32::from(v) * per;
        (n.div_euclid(unit) + i32::from(n.rem_euclid(unit) != 0)) as i16
    };
    let mut b = Vec::new();
    for &v in &s[..3] {
        b.extend_from_slice(&raw(v, 16384, 1000).to_be_bytes());
    }
    b.extend_from_slice(&[0x12, 0x34]); // temperature, ignored
    for &v in &s[3..] {
        b.extend_from_slice(&raw(v, 32768, 4363).to_be_bytes());
    }
    b
}

fn setup(address: u8) -> Vec<Transaction> {
    vec![
        Transaction::write_read(address, vec![0x75], vec![0x68]),
        Transaction::write(address, vec![0x6B, 0x01]),
        Transaction::write(address, vec![0x1A, 0x03]),
        Transaction::write(address, vec![0x19, 39]), // 1 kHz / 40 = 25 Hz
        Transaction::write(address, vec![0x1B, 0x00]),
        Transaction::write(address, vec![0x1C, 0x00]),
        Transaction::write(address, vec![0x38, 0x01]),
    ]
}

#[test]
fn har_samples_from_the_bus_stream_to_the_hosts_decisions() {
    let (samples, expected) = har();
    let mut transactions = setup(0x68);
    for s in &samples {
        transactions.push(Transaction::write_read(0x68, vec![0x3B], registers(s)));
    }
    let mut imu = Mpu6050::new(I2cMock::new(&transactions), 0x68, 25).unwrap();
    let clf = WindowClassifier::<64, 1>::from_bytes(MODEL).unwrap();
    let mut stream = Stream::<512, 64>::new();
    // LED for class 5 (walking), active high: set on each decision.
    let pin_states: Vec<PinTx> = expected
        .iter()
        .map(|d| PinTx::set(if d.0 == 5 { State::High } else { State::Low }))
        .collect();
    let mut led = ClassLed::new(PinMock::new(&pin_states), 5, false);
    let mut sample = [0i16; 6];
    let mut got = Vec::new();
    for s in &samples {
        if let Some(d) =
            stream_and_show(&mut imu, &clf, &mut stream, &mut sample, &mut led).unwrap()
        {
            got.push((d.prediction.class, d.margin, d.probability.unwrap()));
        }
        assert_eq!(&sample, s);
    }
    assert_eq!(got, expected);
    imu.release().done();
    led.release().done();
}

#[test]
fn a_wrong_device_and_bad_settings_are_errors() {
    let mut bus = I2cMock::new(&[Transaction::write_read(0x68, vec![0x75], vec![0x70])]);
    assert!(matches!(
        Mpu6050::new(bus.clone(), 0x68, 25),
        Err(ImuError::NotFound(0x70))
    ));
    bus.done();
    let mut idle = I2cMock::new(&[]);
    assert!(matches!(
        Mpu6050::new(idle.clone(), 0x68, 2000),
        Err(ImuError::Invalid)
    ));
    idle.done();
    let mut imu = Mpu6050::new(I2cMock::new(&setup(0x69)), 0x69, 25).unwrap();
    assert!(matches!(
        imu.read_sample(&mut [0; 5]),
        Err(ImuError::Invalid)
    ));
    imu.release().done();
}
