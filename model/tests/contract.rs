//! The command line's contract, held against generated input (issue 11):
//! whatever a user types, `quorum-model` answers with exit 0 and output
//! whose every number is finite (a value that does not exist is `null`, and
//! a note on stderr names it), or refuses with exit 2 and one line on
//! stderr, or (plan only) exit 1 for "nothing meets the SLOs". It never
//! panics, never aborts, never prints NaN, and never runs past its budget.
//!
//! The generators mix sane inputs (so the exact and Monte Carlo paths run)
//! with hostile ones: numbers across the whole double range, negative
//! counts, NaN and text where numbers go, deep nesting, empty and malformed
//! sample files, unknown keys. Cases and seed are fixed for CI; run longer
//! with, for example:
//!
//! ```sh
//! QM_FUZZ_CASES=5000 QM_FUZZ_SEED=7 cargo test --release -p quorum-model --test contract
//! ```

mod common;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use quorum_model::dist::{spec, Delay};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Generous against a busy CI machine: the documented budgets are 2 s for
/// exact evaluation and 5 s for an answer; this only catches hangs.
const BUDGET: Duration = Duration::from_secs(30);

fn cases(default: u32) -> u32 {
    std::env::var("QM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn runner(cases: u32, salt: u8) -> TestRunner {
    let seed: u64 = std::env::var("QM_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(11);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8] = salt;
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 64,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// Text where a number goes: sane values, the edges of the double range,
/// signs, and things that are not numbers at all.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0.05f64..20.0).prop_map(|x| format!("{x}")),
        3 => (-330i32..330, 1u8..10).prop_map(|(e, m)| format!("{m}e{e}")),
        1 => (-330i32..330, 1u8..10).prop_map(|(e, m)| format!("-{m}e{e}")),
        2 => prop::sample::select(vec![
            "0", "-0", "1", "-1", "NaN", "inf", "-inf", "1e308", "1.7976931348623157e308",
            "5e-324", "", "abc", "1,5", "0x10", "18446744073709551615", "1e-320", "0.5.5",
        ])
        .prop_map(str::to_string),
    ]
}

/// A probability-like number: mostly in [0, 1], sometimes not.
fn probability() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0.0f64..0.3).prop_map(|x| format!("{x}")),
        1 => number(),
    ]
}

/// A count: mostly small, sometimes zero, negative, fractional or huge.
fn count() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (1usize..6).prop_map(|n| n.to_string()),
        1 => prop::sample::select(vec!["0", "-1", "2.5", "1e3", "18446744073709551615", "x", "-0"])
            .prop_map(str::to_string),
    ]
}

/// Sample files: ordinary, empty, malformed, negative, huge.
fn sample_files(dir: &Path) -> Vec<PathBuf> {
    let write = |name: &str, body: String| {
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    };
    vec![
        write(
            "ok.txt",
            (1..200).map(|i| format!("{}\n", 0.1 * i as f64)).collect(),
        ),
        write(
            "wide.txt",
            (1..6000)
                .map(|i| format!("{}\n", 1e-3 * 1.003f64.powi(i)))
                .collect(),
        ),
        write("empty.txt", String::new()),
        write("comment.txt", "# nothing\n\n".into()),
        write("bad.txt", "1\nfast\n".into()),
        write("neg.txt", "1\n-3\n".into()),
        write("huge.txt", "1\n1e300\n".into()),
        write("one.txt", "4.2\n".into()),
        dir.join("missing.txt"),
    ]
}

/// A delay spec inside the documented domain (so the exact path runs on
/// it): narrow, wide and ordinary laws, sums and mixtures of them.
fn sane_delay() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (-3.0f64..3.0).prop_map(|e| format!("exp(mean={})", 10f64.powf(e))),
        (-2.0f64..2.0, 0.3f64..50.0)
            .prop_map(|(e, a)| format!("pareto(xm={},alpha={a})", 10f64.powf(e))),
        (-3.0f64..4.0, -4.0f64..0.5)
            .prop_map(|(m, e)| format!("lognormal(mu={m},sigma={})", 10f64.powf(e))),
        (-0.9f64..3.9, -1.0f64..2.0).prop_map(|(e, l)| format!(
            "weibull(shape={},scale={})",
            10f64.powf(e),
            10f64.powf(l)
        )),
        (-0.9f64..3.9, -2.0f64..1.0).prop_map(|(e, t)| {
            let k = 10f64.powf(e);
            format!("gamma(shape={k},scale={})", 10f64.powf(t) / k.sqrt())
        }),
        (0.0f64..100.0).prop_map(|c| format!("const({c})")),
        (0.1f64..10.0, 1.0001f64..3.0)
            .prop_map(|(a, r)| format!("percentiles(p50={a},p99={})", a * r)),
    ];
    leaf.prop_recursive(3, 6, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} + {b}")),
            (0.05f64..0.95, inner.clone(), inner)
                .prop_map(|(w, a, b)| format!("mix({w}: {a}, {}: {b})", 1.0 - w)),
        ]
    })
}

/// A delay spec: the families with generated parameters, sums, mixtures,
/// parentheses and garbage.
fn delay(files: Vec<PathBuf>) -> impl Strategy<Value = String> {
    let file = prop::sample::select(files).prop_map(|p| format!("empirical(file={})", p.display()));
    let leaf = prop_oneof![
        (number()).prop_map(|m| format!("exp(mean={m})")),
        (number()).prop_map(|r| format!("exp(rate={r})")),
        (number(), number()).prop_map(|(x, a)| format!("pareto(xm={x},alpha={a})")),
        (number(), number()).prop_map(|(m, s)| format!("lognormal(mu={m},sigma={s})")),
        (number(), number()).prop_map(|(k, l)| format!("weibull(shape={k},scale={l})")),
        (number(), number()).prop_map(|(k, t)| format!("gamma(shape={k},scale={t})")),
        (number(), number()).prop_map(|(k, r)| format!("gamma(shape={k},rate={r})")),
        (number()).prop_map(|c| format!("const({c})")),
        (number(), number(), number())
            .prop_map(|(a, b, m)| format!("percentiles(min={m},p50={a},p99={b})")),
        (number(), number()).prop_map(|(a, b)| format!("percentiles(p50={a},p50={b})")),
        file,
        "\\PC{0,24}",
    ];
    leaf.prop_recursive(4, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} + {b}")),
            (probability(), inner.clone(), inner.clone())
                .prop_map(|(w, a, b)| format!("mix({w}: {a}, 0.5: {b})")),
            (0.05f64..0.95, inner.clone(), inner.clone())
                .prop_map(|(w, a, b)| format!("mix({w}: {a}, {}: {b})", 1.0 - w)),
            inner.prop_map(|a| format!("({a})")),
        ]
    })
}

/// Keys of `eval --format json` that, when null, a note must name.
const NULL_NEEDS_A_NOTE: [&str; 17] = [
    "p_fail",
    "p_consistent_t0",
    "p_consistent_t0_ci_low",
    "p_consistent_t0_ci_high",
    "t_visibility_p999_ms",
    "read_latency_mean_ms",
    "read_latency_p50_ms",
    "read_latency_p99_ms",
    "read_latency_p999_ms",
    "write_latency_mean_ms",
    "write_latency_p50_ms",
    "write_latency_p99_ms",
    "write_latency_p999_ms",
    "trials",
    "seed",
    "read_nines",
    "write_nines",
];

/// Runs the binary under the budget and checks the contract.
fn check(args: &[String], plan: bool) -> Result<(), TestCaseError> {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_quorum-model"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    // Drain both pipes while waiting, so a large output cannot block it.
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out_pipe, &mut s).ok();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err_pipe, &mut s).ok();
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        if start.elapsed() > BUDGET {
            child.kill().ok();
            child.wait().ok();
            return Err(TestCaseError::fail(format!(
                "no answer within {BUDGET:?}: {args:?}"
            )));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = out_reader.join().unwrap();
    let stderr = err_reader.join().unwrap();
    if std::env::var("QM_FUZZ_LOG").is_ok() {
        eprintln!(
            "[{:?} {:.2}s] {} | {}",
            status.code(),
            start.elapsed().as_secs_f64(),
            args.join(" ").chars().take(1500).collect::<String>(),
            stderr
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(160)
                .collect::<String>()
        );
    }
    let shown = || format!("{args:?}\nexit {status}\nstdout: {stdout}\nstderr: {stderr}");
    prop_assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "a panic: {}",
        shown()
    );
    match status.code() {
        Some(0) => {
            for bad in ["NaN", "inf"] {
                prop_assert!(!stdout.contains(bad), "'{bad}' in the output: {}", shown());
            }
            let v: serde_json::Value = serde_json::from_str(&stdout)
                .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {}", shown())))?;
            if let serde_json::Value::Object(map) = &v {
                for key in NULL_NEEDS_A_NOTE {
                    if map.get(key).is_some_and(|x| x.is_null()) {
                        let base = key.trim_end_matches("_ci_low").trim_end_matches("_ci_high");
                        prop_assert!(
                            stderr.contains(key) || stderr.contains(base),
                            "{key} is null with no note naming it: {}",
                            shown()
                        );
                    }
                }
            }
            for line in stderr.lines() {
                prop_assert!(
                    line.starts_with("note: "),
                    "stderr line that is not a note: {}",
                    shown()
                );
            }
        }
        Some(1) if plan => {
            prop_assert!(!stderr.is_empty(), "exit 1 without a reason: {}", shown());
        }
        Some(2) => {
            let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
            prop_assert!(
                lines.len() == 1 && lines[0].starts_with("error: "),
                "a refusal must be one line starting with 'error: ': {}",
                shown()
            );
            prop_assert!(stdout.is_empty(), "a refusal wrote to stdout: {}", shown());
        }
        _ => {
            return Err(TestCaseError::fail(format!(
                "exit status outside the contract: {}",
                shown()
            )))
        }
    }
    Ok(())
}

/// `eval` flags: a configuration, maybe delays, maybe a failure model.
fn eval_args(files: Vec<PathBuf>) -> impl Strategy<Value = Vec<String>> {
    let failure = prop_oneof![
        3 => Just(vec![]),
        2 => probability().prop_map(|p| vec!["--p-fail".into(), p]),
        1 => (number(), number(), prop::option::of(count())).prop_map(|(f, r, c)| {
            let mut v = vec!["--mttf-hours".into(), f, "--mttr-hours".into(), r];
            if let Some(c) = c {
                v.extend(["--repair-crews".into(), c]);
            }
            v
        }),
        1 => (count(), probability(), probability(), prop::bool::ANY).prop_map(|(d, pd, p, packed)| {
            vec![
                "--domains".into(), d, "--p-domain".into(), pd, "--p-fail".into(), p,
                "--placement".into(), if packed { "packed" } else { "spread" }.into(),
            ]
        }),
        1 => prop::collection::vec(probability(), 0..5)
            .prop_map(|ps| vec!["--p-fail-per-node".into(), ps.join(",")]),
    ];
    let delays = prop_oneof![
        2 => Just(vec![]),
        4 => sane_delay().prop_map(|d| vec!["--delay".into(), d]),
        2 => (sane_delay(), sane_delay()).prop_map(|(w, r)| vec!["--w-delay".into(), w, "--r-delay".into(), r]),
        3 => delay(files.clone()).prop_map(|d| vec!["--delay".into(), d]),
        1 => (delay(files.clone()), delay(files)).prop_map(|(w, s)| {
            vec!["--w-delay".into(), w, "--s-delay".into(), s]
        }),
        1 => prop::sample::select(vec!["lnkd-ssd", "lnkd-disk", "ymmr", "wan", "nope"])
            .prop_map(|p| vec!["--preset".into(), p.into()]),
    ];
    let extras = prop::collection::vec(
        prop_oneof![
            number().prop_map(|t| vec!["--timeout-ms".into(), t]),
            count().prop_map(|k| vec!["--k".into(), k]),
            number().prop_map(|t| vec!["--consistency-at-ms".into(), t]),
            prop::sample::select(vec!["all", "quorum", "both"])
                .prop_map(|f| vec!["--read-fanout".into(), f.into()]),
            count().prop_map(|t| vec!["--trials".into(), t]),
        ],
        0..3,
    );
    let config = prop_oneof![
        4 => (1usize..7).prop_flat_map(|n| (Just(n), 1..=n, 1..=n))
            .prop_map(|(n, r, w)| (n.to_string(), r.to_string(), w.to_string())),
        1 => (count(), count(), count()),
    ];
    (config, delays, failure, extras).prop_map(|((n, r, w), delays, failure, extras)| {
        let mut v: Vec<String> = vec![
            "eval".into(),
            "--n".into(),
            n,
            "--r".into(),
            r,
            "--w".into(),
            w,
        ];
        v.extend(delays);
        v.extend(failure);
        // Few trials, so that a case costs milliseconds (an explicit
        // --trials later on the line wins: clap keeps the last).
        v.extend(["--trials".into(), "3000".into()]);
        for e in extras {
            v.extend(e);
        }
        v.extend(["--format".into(), "json".into()]);
        v
    })
}

#[test]
fn eval_keeps_the_contract_on_generated_flags() {
    let dir = common::temp("contract", "eval");
    let files = sample_files(&dir);
    let mut runner = runner(cases(160), 1);
    runner
        .run(&eval_args(files), |args| check(&args, false))
        .unwrap();
}

/// Scenario files: sections and keys, some unknown, values of every kind.
fn scenario_text(files: Vec<PathBuf>) -> impl Strategy<Value = String> {
    let value = prop_oneof![
        number(),
        delay(files.clone()).prop_map(|d| format!("\"{}\"", d.replace('"', "'"))),
        Just("true".to_string()),
        Just("[0.01, 0.02, 0.03]".to_string()),
        Just("\"wan\"".to_string()),
    ];
    let key = prop::sample::select(vec![
        "all",
        "w",
        "a",
        "r",
        "s",
        "kind",
        "remote_one_way_ms",
        "p_fail",
        "p_fail_per_node",
        "mttf_hours",
        "mttr_hours",
        "repair_crews",
        "domains",
        "p_domain",
        "placement",
        "bogus",
    ]);
    let section = prop::sample::select(vec!["delays", "topology", "failure", "nonsense"]);
    (
        prop::option::of(prop::sample::select(vec!["lnkd-ssd", "wan", "nope"])),
        prop::collection::vec((section, prop::collection::vec((key, value), 0..4)), 0..4),
    )
        .prop_map(|(preset, sections)| {
            let mut t = String::from("name = \"fuzz\"\n");
            if let Some(p) = preset {
                t.push_str(&format!("preset = \"{p}\"\n"));
            }
            let mut seen = std::collections::HashSet::new();
            for (sec, kvs) in sections {
                if !seen.insert(sec) {
                    continue;
                }
                t.push_str(&format!("[{sec}]\n"));
                let mut keys = std::collections::HashSet::new();
                for (k, v) in kvs {
                    if keys.insert(k) {
                        t.push_str(&format!("{k} = {v}\n"));
                    }
                }
            }
            t
        })
}

#[test]
fn scenario_files_keep_the_contract() {
    let dir = common::temp("contract", "scenario");
    let files = sample_files(&dir);
    let mut runner = runner(cases(80), 2);
    let path = dir.join("fuzz.toml");
    runner
        .run(&scenario_text(files), |text| {
            std::fs::write(&path, &text).unwrap();
            let args: Vec<String> = [
                "eval",
                "--scenario",
                path.to_str().unwrap(),
                "--n",
                "3",
                "--r",
                "1",
                "--w",
                "1",
                "--trials",
                "3000",
                "--format",
                "json",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            check(&args, false).map_err(|e| TestCaseError::fail(format!("{e}\nscenario:\n{text}")))
        })
        .unwrap();
}

/// `plan` with generated SLOs and workloads.
fn plan_args() -> impl Strategy<Value = Vec<String>> {
    let slo = prop_oneof![
        probability().prop_map(|a| vec!["--slo-read-availability".into(), a]),
        number().prop_map(|x| vec!["--slo-write-p99-ms".into(), x]),
        (probability(), number())
            .prop_map(|(p, t)| vec!["--slo-consistency".into(), format!("{p}@{t}ms")]),
        number().prop_map(|x| vec!["--reads-per-s".into(), x]),
        number().prop_map(|x| vec!["--writes-per-s".into(), x]),
        number().prop_map(|x| vec!["--data-gb".into(), x]),
        number().prop_map(|x| vec!["--node-ops-per-s".into(), x]),
        number().prop_map(|x| vec!["--node-disk-gb".into(), x]),
        number().prop_map(|x| vec!["--cost-per-node".into(), x]),
        number().prop_map(|x| vec!["--target-utilization".into(), x]),
        count().prop_map(|x| vec!["--max-n".into(), x]),
    ];
    prop::collection::vec(slo, 0..5).prop_map(|slos| {
        let mut v: Vec<String> = [
            "plan", "--max-n", "4", "--trials", "3000", "--format", "json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for s in slos {
            v.extend(s);
        }
        v
    })
}

#[test]
fn plan_keeps_the_contract() {
    let mut runner = runner(cases(60), 3);
    runner.run(&plan_args(), |args| check(&args, true)).unwrap();
}

/// The spec parser in process, on many more cases: it never panics, and a
/// law it accepts answers with probabilities in [0, 1] that add to one,
/// finite quantiles and no NaN anywhere.
#[test]
fn the_spec_parser_never_panics_and_accepted_laws_are_sane() {
    let dir = common::temp("contract", "spec");
    let files = sample_files(&dir);
    let mut runner = runner(cases(400), 4);
    runner
        .run(&delay(files), |text| {
            let Ok(d) = spec::parse(&text, None) else {
                return Ok(());
            };
            let (lo, _) = d.support();
            prop_assert!(
                lo.is_finite() && lo >= 0.0,
                "{text}: support starts at {lo}"
            );
            for p in [1e-9, 0.01, 0.5, 0.99, 1.0 - 1e-9] {
                let q = d.quantile(p);
                prop_assert!(q.is_finite() && q >= lo, "{text}: quantile({p}) = {q}");
                let (c, s) = d.cdf_sf(q);
                prop_assert!(
                    (0.0..=1.0).contains(&c) && (0.0..=1.0).contains(&s),
                    "{text}: cdf {c}, sf {s} at {q}"
                );
                prop_assert!(
                    (c + s - 1.0).abs() < 1e-9,
                    "{text}: cdf + sf = {} at {q}",
                    c + s
                );
                prop_assert!(c >= p - 1e-7, "{text}: cdf(quantile({p})) = {c}");
            }
            let m = d.mean();
            prop_assert!(!m.is_nan() && m >= lo, "{text}: mean {m}");
            Ok(())
        })
        .unwrap();
}
