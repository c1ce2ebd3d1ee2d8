//! Ensembles end to end: K members trained on the host, one blob, the device's vote and
//! confidence equal to the host's, a classifier blob as an ensemble of one, and corrupt or
//! inconsistent blobs rejected without panics.

use hyperbits::ensemble::{Ensemble, EnsembleRepr};
use hyperbits::model::{crc32, AlignedBlob};
use hyperbits::train::ensemble::member_seed;
use hyperbits::train::{train, train_ensemble, Dataset, Options};
use hyperbits::{words, Error};

const W: usize = words(1024);

/// Overlapping classes in six features (errors to vote about).
fn overlapping(seed: u64, n: usize, names: [&str; 3]) -> Dataset {
    let mut x = seed;
    let mut rnd = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((x >> 11) as f64 / (1u64 << 53) as f64) as f32
    };
    let mut rows = vec![];
    let mut labels = vec![];
    for i in 0..n {
        let c = i % 3;
        rows.push(
            (0..6)
                .map(|j| rnd() + if j == c { 0.5 } else { 0.0 })
                .collect(),
        );
        labels.push(c);
    }
    Dataset::new(&rows, &labels, names.map(String::from).to_vec()).unwrap()
}

#[test]
fn the_device_votes_as_the_host_and_member_zero_is_the_plain_model() {
    let (tr, te) = (
        overlapping(1, 240, ["a", "b", "c"]),
        overlapping(2, 300, ["a", "b", "c"]),
    );
    let options = Options {
        seed: 5,
        ..Options::default()
    };
    let ensemble = train_ensemble::<W>(&tr, &options, 3).unwrap();
    assert_eq!(ensemble.members.len(), 3);
    assert_eq!(
        ensemble.members[0].to_blob().unwrap(),
        train::<W>(&tr, &options).unwrap().to_blob().unwrap()
    );
    let member2 = Options {
        seed: member_seed(5, 2),
        ..options
    };
    assert_eq!(
        ensemble.members[2].to_blob().unwrap(),
        train::<W>(&tr, &member2).unwrap().to_blob().unwrap()
    );
    let blob = AlignedBlob::new(&ensemble.to_blob().unwrap());
    let device = Ensemble::<W, 4>::from_bytes(blob.as_bytes()).unwrap();
    assert_eq!(
        (device.members().len(), device.classes(), device.features()),
        (3, 3, 6)
    );
    assert_eq!(device.label(2).unwrap(), "c");
    let mut distances = [0u32; 3];
    for i in 0..te.len() {
        let host = ensemble.predict_with_confidence(te.row(i)).unwrap();
        assert_eq!(
            device.predict_with_confidence(te.row(i)).unwrap(),
            host,
            "row {i}"
        );
        device.distances(te.row(i), &mut distances).unwrap();
        assert_eq!(distances[host.prediction.class], host.prediction.distance);
        assert!(distances.iter().all(|&d| d >= host.prediction.distance));
    }
    // Three members do at least about as well as one here.
    let (one, three) = (
        ensemble.members[0].accuracy(&te).unwrap(),
        ensemble.accuracy(&te).unwrap(),
    );
    assert!(three >= one - 0.03, "ensemble {three} vs member {one}");
    // Room for fewer members than the blob holds: refused.
    assert_eq!(
        Ensemble::<W, 2>::from_bytes(blob.as_bytes()).unwrap_err(),
        Error::TooManyInputs { given: 3, max: 2 }
    );
}

#[test]
fn a_classifier_blob_is_an_ensemble_of_one() {
    let (tr, te) = (
        overlapping(3, 150, ["a", "b", "c"]),
        overlapping(4, 60, ["a", "b", "c"]),
    );
    let model = train::<W>(&tr, &Options::default()).unwrap();
    let blob = AlignedBlob::new(&model.to_blob().unwrap());
    let one = Ensemble::<W, 1>::from_bytes(blob.as_bytes()).unwrap();
    for i in 0..te.len() {
        assert_eq!(
            one.predict_with_confidence(te.row(i)).unwrap(),
            model.predict_with_confidence(te.row(i)).unwrap()
        );
    }
    assert_eq!(
        hyperbits::ensemble::dimension(
            &hyperbits::model::Model::new_checked(blob.as_bytes()).unwrap()
        ),
        Ok(1024)
    );
}

#[test]
fn inconsistent_and_corrupt_ensembles_are_refused() {
    let a = train::<W>(&overlapping(5, 90, ["a", "b", "c"]), &Options::default()).unwrap();
    let b = train::<W>(&overlapping(5, 90, ["a", "b", "z"]), &Options::default()).unwrap();
    let (ba, bb) = (a.to_blob().unwrap(), b.to_blob().unwrap());
    let mixed = EnsembleRepr {
        members: &[&ba, &bb],
        confidence: None,
    }
    .to_blob()
    .unwrap();
    assert!(matches!(
        Ensemble::<W, 4>::from_bytes(AlignedBlob::new(&mixed).as_bytes()),
        Err(Error::Format(_))
    ));
    assert!(EnsembleRepr {
        members: &[],
        confidence: None
    }
    .to_blob()
    .is_err());
    let good = EnsembleRepr {
        members: &[&ba, &ba],
        confidence: a.confidence.as_deref(),
    }
    .to_blob()
    .unwrap();
    let features = [0.5f32; 6];
    assert!(Ensemble::<W, 4>::from_bytes(AlignedBlob::new(&good).as_bytes()).is_ok());
    for bit in (0..good.len() * 8).step_by(7) {
        let mut c = good.clone();
        c[bit / 8] ^= 1 << (bit % 8);
        assert!(Ensemble::<W, 4>::from_bytes(AlignedBlob::new(&c).as_bytes()).is_err());
    }
    // Corruptions with a valid checksum reach the ensemble's own checks: no panic.
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..3000 {
        let mut c = good.clone();
        for _ in 0..1 + x % 3 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let at = (x % (c.len() as u64 - 4)) as usize;
            c[at] = (x >> 32) as u8;
        }
        let n = c.len();
        let crc = crc32(&c[..n - 4]);
        c[n - 4..].copy_from_slice(&crc.to_le_bytes());
        if let Ok(e) = Ensemble::<W, 4>::from_bytes(AlignedBlob::new(&c).as_bytes()) {
            let _ = e.predict(&features);
            let _ = e.predict_with_confidence(&features);
        }
    }
}
