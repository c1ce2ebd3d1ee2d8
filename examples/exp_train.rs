use hyperbits::encode::{Level, Projection, Record};
use hyperbits::{BinaryVector, Codebook, IntegerVector};
use std::time::Instant;
const W: usize = 64;
type V = BinaryVector<W>;

fn load(p: &str) -> (Vec<Vec<f32>>, Vec<usize>) {
    let s = std::fs::read_to_string(p).unwrap();
    let mut xs = vec![];
    let mut ys = vec![];
    for l in s.lines().skip(1) {
        let v: Vec<f32> = l.split(',').map(|c| c.parse().unwrap()).collect();
        ys.push(v[0] as usize);
        xs.push(v[1..].to_vec());
    }
    (xs, ys)
}

fn train(
    xtr: &[V],
    ytr: &[usize],
    xte: &[V],
    yte: &[usize],
    epochs: usize,
    margin: i32,
    lr: i32,
) -> (f64, f64) {
    let c = 10;
    let mut acc = vec![[0i32; 32 * W]; c];
    let add = |a: &mut [i32; 32 * W], x: &V, w: i32| {
        for (j, a) in a.iter_mut().enumerate() {
            let b = (x.as_words()[j / 32] >> (j % 32)) & 1;
            *a += if b == 1 { -w } else { w };
        }
    };
    for (x, &y) in xtr.iter().zip(ytr) {
        add(&mut acc[y], x, 1);
    }
    let binar = |acc: &Vec<[i32; 32 * W]>| -> Vec<V> {
        acc.iter()
            .map(|a| {
                let mut v = V::zero();
                for j in 0..32 * W {
                    if a[j] < 0 {
                        v.set_bit(j, true).unwrap();
                    }
                }
                v
            })
            .collect()
    };
    let mut protos = binar(&acc);
    let eval = |protos: &Vec<V>, xs: &[V], ys: &[usize]| -> f64 {
        let mut ok = 0;
        for (x, &y) in xs.iter().zip(ys) {
            let p = (0..c).min_by_key(|&k| protos[k].hamming(x)).unwrap();
            if p == y {
                ok += 1;
            }
        }
        ok as f64 / xs.len() as f64
    };
    let mut order: Vec<usize> = (0..xtr.len()).collect();
    let mut rng = 12345u64;
    for _ in 0..epochs {
        for i in (1..order.len()).rev() {
            rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1);
            let j = (rng >> 33) as usize % (i + 1);
            order.swap(i, j);
        }
        for &i in &order {
            let x = &xtr[i];
            let y = ytr[i];
            let dt = protos[y].hamming(x) as i32;
            let (bo, dbo) = (0..c)
                .filter(|&k| k != y)
                .map(|k| (k, protos[k].hamming(x) as i32))
                .min_by_key(|t| t.1)
                .unwrap();
            if dbo - dt <= margin {
                add(&mut acc[y], x, lr);
                add(&mut acc[bo], x, -lr);
            }
        }
        protos = binar(&acc);
    }
    (eval(&protos, xtr, ytr), eval(&protos, xte, yte))
}

fn main() {
    let (xtr, ytr) = load("../shared/data/digits/train.csv");
    let (xte, yte) = load("../shared/data/digits/test.csv");
    let f = xtr[0].len();
    let mins: Vec<f32> = (0..f)
        .map(|j| xtr.iter().map(|x| x[j]).fold(f32::INFINITY, f32::min))
        .collect();
    let maxs: Vec<f32> = (0..f)
        .map(|j| xtr.iter().map(|x| x[j]).fold(f32::NEG_INFINITY, f32::max))
        .collect();
    let means: Vec<f32> = (0..f)
        .map(|j| xtr.iter().map(|x| x[j]).sum::<f32>() / xtr.len() as f32)
        .collect();
    let sds: Vec<f32> = (0..f)
        .map(|j| {
            (xtr.iter().map(|x| (x[j] - means[j]).powi(2)).sum::<f32>() / xtr.len() as f32)
                .sqrt()
                .max(1e-6)
        })
        .collect();
    let scale = |x: &Vec<f32>| -> Vec<f32> {
        x.iter()
            .enumerate()
            .map(|(j, v)| {
                if maxs[j] > mins[j] {
                    ((v - mins[j]) / (maxs[j] - mins[j])).clamp(0.0, 1.0)
                } else {
                    0.0
                }
            })
            .collect()
    };
    let z = |x: &Vec<f32>| -> Vec<f32> {
        x.iter()
            .enumerate()
            .map(|(j, v)| (v - means[j]) / sds[j])
            .collect()
    };
    let args: Vec<String> = std::env::args().collect();
    let enc = args.get(1).map(|s| s.as_str()).unwrap_or("rec");
    let levels: u16 = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(16);
    let t0 = Instant::now();
    let (etr, ete): (Vec<V>, Vec<V>) = match enc {
        "rec" => {
            let r = Record::new(1, Level::new(2, levels).unwrap());
            let l = Level::new(2, levels).unwrap();
            let e = |x: &Vec<f32>| -> V {
                let q: Vec<u16> = scale(x).iter().map(|&v| l.quantize(v, 0.0, 1.0)).collect();
                r.encode_levels(&q, 0).unwrap()
            };
            (xtr.iter().map(e).collect(), xte.iter().map(e).collect())
        }
        "projz" => {
            let p = Projection::new(3);
            (
                xtr.iter().map(|x| p.encode(&z(x)).unwrap()).collect(),
                xte.iter().map(|x| p.encode(&z(x)).unwrap()).collect(),
            )
        }
        "projc" => {
            let p = Projection::new(3);
            let m: Vec<f32> = (0..f)
                .map(|j| xtr.iter().map(|x| scale(x)[j]).sum::<f32>() / xtr.len() as f32)
                .collect();
            let e = |x: &Vec<f32>| -> V {
                let s = scale(x);
                let c: Vec<f32> = s.iter().zip(&m).map(|(a, b)| a - b).collect();
                p.encode(&c).unwrap()
            };
            (xtr.iter().map(e).collect(), xte.iter().map(e).collect())
        }
        _ => panic!(),
    };
    println!("encode {:?}", t0.elapsed());
    for (epochs, margin, lr) in [
        (0, 0, 1),
        (20, 0, 1),
        (30, 0, 4),
        (30, 50, 4),
        (30, 100, 4),
        (30, 200, 8),
        (50, 100, 2),
        (60, 150, 4),
    ] {
        let t = Instant::now();
        let (a, b) = train(&etr, &ytr, &ete, &yte, epochs, margin, lr);
        println!("{enc} L={levels} epochs {epochs} margin {margin} lr {lr}: train {a:.4} test {b:.4} ({:?})", t.elapsed());
    }
    let _ = (Codebook::new(0), IntegerVector::<i8, 1>::zero());
}
