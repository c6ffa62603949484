//! Time to fit every family to 10^6 samples (issue 16: under a second),
//! from the raw values: checking and sorting them, the four
//! maximum-likelihood fits, and each fit's Kolmogorov–Smirnov distance.
//!
//! Run: `cargo bench -p quorum-bench --bench fit`

use criterion::{criterion_group, criterion_main, Criterion};
use quorum_model::fit::{fit_samples, Family, Samples};
use quorum_model::Dist;
use rand::SeedableRng;
use std::hint::black_box;

fn fit(c: &mut Criterion) {
    let law: Dist = "lognormal(mu=0.5,sigma=0.8)".parse().expect("a law");
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(16);
    let xs: Vec<f64> = (0..1_000_000).map(|_| law.sample(&mut rng)).collect();
    let mut g = c.benchmark_group("fit");
    g.sample_size(10);
    g.bench_function("1e6 samples, 4 families", |b| {
        b.iter(|| {
            let s = Samples::new(black_box(xs.clone())).expect("samples");
            fit_samples(&s, &Family::ALL).expect("fits")
        })
    });
    g.finish();
}

criterion_group!(benches, fit);
criterion_main!(benches);
