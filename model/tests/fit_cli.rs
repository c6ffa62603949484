//! `quorum-model fit`: refusals, each input kind on the shipped traces,
//! and the spec it prints working as a delay option.

mod common;
use common::{json, refused, run, temp};

fn repo(path: &str) -> String {
    format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn bad_input_is_refused_in_one_line() {
    let d = temp("fit", "bad");
    let file = |name: &str, text: &str| {
        let p = d.join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    refused(&["fit", &file("empty.txt", "")], "no samples");
    refused(&["fit", &file("neg.txt", "1\n2\n-3\n")], "line 3");
    refused(
        &["fit", &file("text.txt", "1\nfast\n")],
        "'fast' is not a number",
    );
    let prom = "x_seconds_bucket{le=\"0.1\"} 5\nx_seconds_bucket{le=\"0.2\"} 3\nx_seconds_bucket{le=\"+Inf\"} 9\n";
    refused(&["fit", &file("x.prom", prom)], "not cumulative");
    refused(
        &["fit", &file("ok.txt", "1\n2\n3\n"), "--family", "burr"],
        "exp, lognormal, gamma, weibull",
    );
    refused(
        &["fit", &file("ok2.txt", "1\n2\n"), "--unit", "min"],
        "us, ms, s",
    );
    refused(&["fit", "/nonexistent/trace.txt"], "cannot read");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn the_traces_are_read_and_fitted() {
    // Samples in µs: a log-normal of median 400 µs, sigma 0.6.
    let r = json(&[
        "fit",
        &repo("model/traces/read-latency-us.txt"),
        "--unit",
        "us",
        "--format",
        "json",
    ]);
    assert_eq!(r["input"], "samples");
    assert_eq!(r["observations"], 2000);
    let best = &r["candidates"][0];
    assert_eq!(best["family"], "lognormal");
    let mu = best["params"][0]["value"].as_f64().unwrap();
    let se = best["params"][0]["std_err"].as_f64().unwrap();
    assert!((mu - 0.4f64.ln()).abs() < 4.0 * se, "mu {mu} ± {se}");
    // Guessed as Prometheus, in seconds from the metric's name.
    let p = json(&[
        "fit",
        &repo("model/traces/rpc-histogram.prom"),
        "--format",
        "json",
    ]);
    assert_eq!(
        (p["input"].as_str(), p["unit"].as_str()),
        (Some("prometheus"), Some("s"))
    );
    assert_eq!(p["observations"], 10_000);
    // The nodetool table's write column: its median within 10%.
    let n = json(&[
        "fit",
        &repo("model/traces/proxyhistograms.txt"),
        "--column",
        "write",
        "--format",
        "json",
    ]);
    assert_eq!(n["input"], "nodetool");
    let p50 = n["candidates"][0]["quantiles"][0]["fitted"]
        .as_f64()
        .unwrap();
    assert!((p50 / 0.37902 - 1.0).abs() < 0.1, "{p50}");
}

#[test]
fn the_spec_on_stdout_is_a_delay_option() {
    let out = run(&[
        "fit",
        &repo("model/traces/read-latency-us.txt"),
        "--unit",
        "us",
    ]);
    assert!(out.status.success());
    let spec = String::from_utf8(out.stdout).unwrap();
    assert_eq!(spec.lines().count(), 1);
    let eval = |delay: &str| {
        json(&[
            "eval", "--n", "3", "--r", "2", "--w", "2", "--delay", delay, "--format", "json",
        ])
    };
    let fitted = eval(spec.trim());
    // The law the trace was drawn from predicts the same latencies.
    let truth = eval(&format!("lognormal(mu={},sigma=0.6)", 0.4f64.ln()));
    for key in ["read_latency_p50_ms", "read_latency_p99_ms"] {
        let (a, b) = (fitted[key].as_f64().unwrap(), truth[key].as_f64().unwrap());
        assert!(
            (a / b - 1.0).abs() < 0.05,
            "{key}: fitted {a}, true law {b}"
        );
    }
}

/// The HdrHistogram log (guessed from its content, in µs): 5 × 10^4 draws
/// of a log-normal shifted by 0.15 ms, as its first line says. The
/// shifted log-normal wins and its parameters are the truth's within four
/// standard errors; a tag the log lacks is refused.
#[test]
fn the_hdrhistogram_log_gives_its_shifted_law() {
    let path = repo("model/traces/write-latency.hlog");
    let first = std::fs::read_to_string(&path).unwrap();
    assert!(first.starts_with("#50000 draws of const(0.15) + lognormal(mu=-0.5,sigma=0.6)"));
    let r = json(&["fit", &path, "--format", "json"]);
    assert_eq!(
        (r["input"].as_str(), r["unit"].as_str()),
        (Some("hdr"), Some("us"))
    );
    assert_eq!(r["observations"], 50_000);
    let best = &r["candidates"][0];
    assert_eq!(best["family"], "shifted-lognormal");
    for (param, truth) in best["params"]
        .as_array()
        .unwrap()
        .iter()
        .zip([0.15, -0.5, 0.6])
    {
        let (v, se) = (
            param["value"].as_f64().unwrap(),
            param["std_err"].as_f64().unwrap(),
        );
        assert!((v - truth).abs() < 4.0 * se, "{param}: truth {truth}");
    }
    let tagged = json(&["fit", &path, "--column", "write", "--format", "json"]);
    assert_eq!(tagged["observations"], 50_000);
    refused(
        &["fit", &path, "--column", "read"],
        "no interval tagged 'read'; the log's tags: write",
    );
}

/// A scenario's `fit(file=...)` legs are the laws `quorum-model fit` prints
/// for the same files: eval on the scenario and eval on the printed specs
/// agree to the last digit.
#[test]
fn scenario_legs_fitted_at_load_time_are_fits_output() {
    let spec = |args: &[&str]| {
        let out = run(args);
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let w = spec(&["fit", &repo("model/traces/write-latency.hlog")]);
    let s = spec(&[
        "fit",
        &repo("model/traces/read-latency-us.txt"),
        "--unit",
        "us",
        "--family",
        "lognormal",
    ]);
    assert!(w.starts_with("const(") && w.contains("lognormal("), "{w}");
    let common = [
        "eval", "--n", "3", "--r", "1", "--w", "2", "--format", "json",
    ];
    let scenario = repo("model/scenarios/measured-traces.toml");
    let mut by_file = common.to_vec();
    by_file.extend(["--scenario", &scenario]);
    let mut by_spec = common.to_vec();
    by_spec.extend(["--delay", "exp(mean=0.3)", "--w-delay", &w, "--s-delay", &s]);
    let (a, b) = (json(&by_file), json(&by_spec));
    for key in [
        "write_latency_p50_ms",
        "write_latency_p99_ms",
        "read_latency_p99_ms",
        "p_consistent_t0",
    ] {
        assert_eq!(a[key], b[key], "{key}");
        assert!(a[key].as_f64().is_some(), "{key}: {}", a[key]);
    }
}

/// `--chart` draws the data's and the fits' survival to an SVG or a PNG;
/// another extension is refused before any work, and nothing is written.
#[test]
fn the_chart_shows_data_and_fits() {
    let d = temp("fit", "chart");
    let svg = d.join("fit.svg");
    let out = run(&[
        "fit",
        &repo("model/traces/write-latency.hlog"),
        "--chart",
        svg.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let text = std::fs::read_to_string(&svg).unwrap();
    for want in [
        "data (bucket edges)",
        "shifted-lognormal: BIC",
        "P(latency &gt; x)",
    ] {
        assert!(text.contains(want), "{want}");
    }
    let png = d.join("fit.png");
    let out = run(&[
        "fit",
        &repo("model/traces/read-latency-us.txt"),
        "--unit",
        "us",
        "--chart",
        png.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    let jpg = d.join("fit.jpg");
    refused(
        &[
            "fit",
            &repo("model/traces/read-latency-us.txt"),
            "--chart",
            jpg.to_str().unwrap(),
        ],
        "must end in .svg or .png",
    );
    assert!(!jpg.exists());
    let _ = std::fs::remove_dir_all(&d);
}
