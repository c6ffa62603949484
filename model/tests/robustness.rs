//! Issue 11's inputs, as a user typed them: each gets a right answer or a
//! one-line refusal with exit 2, and the numbers that used to be wrong are
//! held against computations that share nothing with the tool's
//! convolution and table machinery.

mod common;

use common::{json, run};
use statrs::distribution::{ContinuousCDF, Gamma};

fn num(v: &serde_json::Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is {:?}", v[key]))
}

#[test]
fn every_input_of_the_issue_answers_or_is_refused_in_one_line() {
    let nested = format!("{}exp(mean=1){}", "(".repeat(10_000), ")".repeat(10_000));
    let mixes = format!(
        "{}exp(mean=1){}",
        "mix(1: ".repeat(3_000),
        ")".repeat(3_000)
    );
    let many: Vec<String> = (1..=30).map(|i| format!("exp(mean={i})")).collect();
    let many = many.join(" + ");
    let delays: Vec<&str> = vec![
        "gamma(shape=100,scale=7)",
        "weibull(shape=3000,scale=1)",
        "lognormal(mu=0,sigma=0.001)",
        "exp(mean=1) + exp(mean=1) + exp(mean=1)",
        "exp(mean=1) + exp(mean=10)",
        "gamma(shape=0.1,scale=1.51)",
        "weibull(shape=0.1,scale=9.6)",
        "percentiles(p50=1,p99=1.0000000001)",
        "lognormal(mu=100,sigma=0.01)",
        "exp(mean=1e300)",
        "lognormal(mu=0,sigma=50)",
        "gamma(shape=1e-3,rate=1e-300)",
        "gamma(shape=2,rate=1e308)",
        "gamma(shape=0.00017,rate=25057.4)",
        "percentiles(min=1e308,p50=1.7976931348623157e308)",
        "const(1e308)",
        "pareto(xm=1.7976931348623157e308,alpha=8852)",
        "lognormal(mu=0,sigma=1e-300)",
        "weibull(shape=1e300,scale=1)",
        "percentiles(p50=1,p50=2)",
        &nested,
        &mixes,
        &many,
    ];
    let mut cases: Vec<Vec<&str>> = delays
        .iter()
        .map(|d| vec!["eval", "--n", "3", "--r", "2", "--w", "2", "--delay", d])
        .collect();
    cases.extend([
        vec!["eval", "--n", "3", "--r", "1", "--w", "1", "--k", "1000000"],
        vec!["eval", "--n", "100000", "--r", "1", "--w", "1"],
        vec![
            "eval",
            "--n",
            "3",
            "--r",
            "2",
            "--w",
            "2",
            "--domains",
            "18446744073709551615",
            "--p-domain",
            "0.1",
        ],
        vec![
            "eval", "--n", "3", "--r", "2", "--w", "2", "--p-fail", "-1e-320",
        ],
        vec![
            "eval",
            "--n",
            "3",
            "--r",
            "2",
            "--w",
            "2",
            "--p-fail-per-node",
            "-1,0,0",
        ],
        vec!["plan", "--reads-per-s", "1e300", "--node-ops-per-s", "1"],
        vec!["plan", "--cost-per-node", "1e300"],
    ]);
    for args in cases {
        let mut full = args.clone();
        full.extend(["--format", "json", "--trials", "20000"]);
        let out = run(&full);
        let err = String::from_utf8_lossy(&out.stderr);
        let shown: String = full.join(" ").chars().take(120).collect();
        match out.status.code() {
            Some(0) => {
                let text = String::from_utf8_lossy(&out.stdout);
                assert!(!text.contains("NaN"), "{shown}: {text}");
                serde_json::from_str::<serde_json::Value>(&text)
                    .unwrap_or_else(|e| panic!("{shown}: {e}"));
            }
            Some(2) => {
                assert_eq!(err.trim().lines().count(), 1, "{shown}: {err}");
                assert!(err.starts_with("error: "), "{shown}: {err}");
                assert!(
                    err.len() < 600,
                    "{shown}: a one-line error stays readable: {err}"
                );
            }
            other => panic!("{shown}: exit {other:?}: {err}"),
        }
    }
}

/// The `p`-quantile of the k-th of three iid round trips with CDF `f`, by
/// bisection on `P(k-th <= x)` from the binomial sum.
fn order_statistic_quantile(f: &dyn Fn(f64) -> f64, k: usize, p: f64, lo: f64, hi: f64) -> f64 {
    let at_least = |x: f64| {
        let g = f(x);
        (k..=3)
            .map(|j| {
                let c = [1.0, 3.0, 3.0, 1.0][j];
                c * g.powi(j as i32) * (1.0 - g).powi(3 - j as i32)
            })
            .sum::<f64>()
    };
    let (mut a, mut b) = (lo, hi);
    for _ in 0..200 {
        let m = 0.5 * (a + b);
        if at_least(m) < p {
            a = m;
        } else {
            b = m;
        }
    }
    0.5 * (a + b)
}

#[test]
fn narrow_and_summed_laws_print_the_right_numbers() {
    // Each round trip is Gamma(200, 7): its CDF from statrs directly.
    let g = Gamma::new(200.0, 1.0 / 7.0).unwrap();
    let v = json(&[
        "eval",
        "--n",
        "3",
        "--r",
        "2",
        "--w",
        "2",
        "--delay",
        "gamma(shape=100,scale=7)",
        "--format",
        "json",
    ]);
    for (key, p) in [("read_latency_p50_ms", 0.5), ("read_latency_p99_ms", 0.99)] {
        let want = order_statistic_quantile(&|x| g.cdf(x), 2, p, 0.0, 5000.0);
        let got = num(&v, key);
        assert!((got / want - 1.0).abs() < 1e-8, "{key}: {got} vs {want}");
    }
    // Three exp(mean=1) per leg: each round trip is Gamma(6, 1).
    let g6 = Gamma::new(6.0, 1.0).unwrap();
    let v = json(&[
        "eval",
        "--n",
        "3",
        "--r",
        "2",
        "--w",
        "2",
        "--delay",
        "exp(mean=1) + exp(mean=1) + exp(mean=1)",
        "--format",
        "json",
    ]);
    let want = order_statistic_quantile(&|x| g6.cdf(x), 2, 0.99, 0.0, 100.0);
    let got = num(&v, "write_latency_p99_ms");
    assert!((got / want - 1.0).abs() < 1e-8, "{got} vs {want}");
    // Weibull of shape 3000: each round trip is almost exactly 2 ms, the
    // first of three a little less (the issue saw 1.265).
    let v = json(&[
        "eval",
        "--n",
        "3",
        "--r",
        "1",
        "--w",
        "1",
        "--delay",
        "weibull(shape=3000,scale=1)",
        "--format",
        "json",
        "--trials",
        "20000",
    ]);
    let p50 = num(&v, "read_latency_p50_ms");
    assert!((1.998..2.0).contains(&p50), "{p50}");
}

#[test]
fn a_million_samples_answer_within_the_stated_bin_width() {
    // A deterministic sample: exp(N(0, 0.5)) from a fixed LCG and
    // Box-Muller.
    let m = 1_000_000;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let mut samples: Vec<f64> = (0..m)
        .map(|_| {
            let (u, v) = (next(), next());
            let z = (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos();
            (0.5 * z).exp()
        })
        .collect();
    let dir = common::temp("robustness", "empirical");
    let file = dir.join("latency.txt");
    let body: String = samples.iter().map(|x| format!("{x:.9}\n")).collect();
    std::fs::write(&file, body).unwrap();
    samples.sort_by(f64::total_cmp);
    let spec = format!("empirical(file={})", file.display());
    // R is the sample, S is nothing: a read of one replica takes the
    // sample's own time.
    let out = run(&[
        "eval",
        "--n",
        "1",
        "--r",
        "1",
        "--w",
        "1",
        "--r-delay",
        &spec,
        "--s-delay",
        "const(0)",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bins of relative width 0.20%"), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for (key, p) in [
        ("read_latency_p50_ms", 0.5),
        ("read_latency_p99_ms", 0.99),
        ("read_latency_p999_ms", 0.999),
    ] {
        let own = samples[((p * m as f64).ceil() as usize).clamp(1, m) - 1];
        let got = num(&v, key);
        assert!(
            (got / own - 1.0).abs() <= 0.002,
            "{key}: {got} vs the sample's own {own}"
        );
    }
    let mean = samples.iter().sum::<f64>() / m as f64;
    let got = num(&v, "read_latency_mean_ms");
    assert!((got / mean - 1.0).abs() < 1e-6, "mean {got} vs {mean}");
}

/// A closed pipe ends the process quietly (`quorum-model presets | head
/// -1`), not with a panic on the write.
#[cfg(unix)]
#[test]
fn a_closed_pipe_is_not_a_panic() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_quorum-model"))
        .arg("presets")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before the child writes everything.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}
