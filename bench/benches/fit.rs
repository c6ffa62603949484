//! Time to fit every family to 10^6 samples (issue 16: under a second),
//! from the raw values: checking and sorting them, the ten
//! maximum-likelihood fits (the plain, Pareto, mixture and shifted
//! families), and each fit's Kolmogorov–Smirnov and Anderson–Darling
//! distances. Also the lnkd-disk mixture's samples, whose fit is the
//! slowest (its expectation–maximisation polishes on every sample).
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
    g.bench_function("1e6 lognormal samples, every family", |b| {
        b.iter(|| {
            let s = Samples::new(black_box(xs.clone())).expect("samples");
            fit_samples(&s, &Family::ALL).expect("fits")
        })
    });
    let law: Dist = "mix(0.38: pareto(xm=1.05,alpha=1.51), 0.62: exp(rate=0.183))"
        .parse()
        .expect("a law");
    let xs: Vec<f64> = (0..1_000_000).map(|_| law.sample(&mut rng)).collect();
    g.bench_function("1e6 lnkd-disk samples, every family", |b| {
        b.iter(|| {
            let s = Samples::new(black_box(xs.clone())).expect("samples");
            fit_samples(&s, &Family::ALL).expect("fits")
        })
    });
    g.finish();
}

criterion_group!(benches, fit);
criterion_main!(benches);
