//! `reports/REPORT.md`: the charts with captions, what was computed and how,
//! recommended configurations per scenario, and common advice checked. It
//! is built from the sweep's files alone, so `quorum-model plot` can
//! rebuild it.

use super::atomic::write_atomic;
use super::charts::{draw_all, SummaryRecord, SweepData};
use crate::failure::FailureModel;
use std::fmt::Write as _;
use std::path::Path;

/// Draws the charts into `dir/charts` and writes `dir/REPORT.md`.
pub fn write_report(data: &SweepData, dir: &Path) -> Result<(), String> {
    let charts = draw_all(data, &dir.join("charts"))?;
    let text = render(data, &charts);
    write_atomic(&dir.join("REPORT.md"), text.as_bytes())
        .map_err(|e| format!("{}: {e}", dir.display()))
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or("n/a".into(), |x| format!("{x:.digits$}"))
}

fn prob(p: f64) -> String {
    if p == 1.0 {
        "1".into()
    } else if p > 0.999 {
        format!("{p:.6}")
    } else {
        format!("{p:.4}")
    }
}

fn consistency(r: &SummaryRecord) -> String {
    match (
        r.p_consistent_t0,
        r.p_consistent_t0_ci_low,
        r.p_consistent_t0_ci_high,
    ) {
        _ if r.strict => "1 (exact)".into(),
        (Some(p), Some(lo), Some(hi)) if hi > 0.9995 => format!("{p:.6} [{lo:.6}, {hi:.6}]"),
        (Some(p), Some(lo), Some(hi)) => format!("{p:.4} [{lo:.4}, {hi:.4}]"),
        _ => "n/a".into(),
    }
}

/// Marks a "never" and points to the note at the end of the report that
/// says what it means (written whenever the mark appears).
const NEVER_MARK: &str = " (note 1)";

/// The note a "never" points to.
const NEVER_NOTE: &str = "1. **never**: more than 0.1% of reads never see the write, so the time for 99.9% to see it does not exist. With failures drawn independently at the write and at the read, a replica that was down during the write (and so never received it) can be up and answer the read; the t-visibility curve then levels off below 99.9%. Such a configuration is never recommended above. With failures that last in time (a repair model) the same replica is still down for a read milliseconds later, and hints or anti-entropy bound how long a returning replica stays stale: see \"t-visibility under 1% failures\" below.";

fn visibility(r: &SummaryRecord) -> String {
    match r.t_visibility_p999_ms {
        _ if r.strict => "0 (exact)".into(),
        Some(t) if t <= 0.0 => "0 (99.9% at once)".into(),
        Some(t) => format!("{t:.2} ms"),
        None => format!("never{NEVER_MARK}"),
    }
}

fn latency_sum(r: &SummaryRecord) -> f64 {
    r.read_latency_p999_ms.unwrap_or(f64::INFINITY)
        + r.write_latency_p999_ms.unwrap_or(f64::INFINITY)
}

/// Tolerates one replica down for reads and for writes.
fn tolerates_one(r: &SummaryRecord) -> bool {
    r.r < r.n && r.w < r.n
}

/// The recommendations, stated criteria first.
fn recommend(
    data: &SweepData,
    scenario: &str,
    failure: &str,
) -> (Option<SummaryRecord>, Option<SummaryRecord>) {
    let rows: Vec<&SummaryRecord> = data
        .summary
        .iter()
        .filter(|r| r.scenario == scenario && r.failure == failure && tolerates_one(r))
        .collect();
    let strict = rows.iter().filter(|r| r.strict).min_by(|a, b| {
        a.n.cmp(&b.n)
            .then(latency_sum(a).total_cmp(&latency_sum(b)))
    });
    // A partial quorum is recommended only if 99.9% of reads do see the
    // write at some point: one whose visibility is "never" is excluded.
    let partial: Vec<&&SummaryRecord> = rows
        .iter()
        .filter(|r| !r.strict && r.n <= 5 && r.t_visibility_p999_ms.is_some())
        .collect();
    let good: Vec<&&&SummaryRecord> = partial
        .iter()
        .filter(|r| r.p_consistent_t0.unwrap_or(0.0) >= 0.95)
        .collect();
    let best = if good.is_empty() {
        partial
            .iter()
            .max_by(|a, b| {
                a.p_consistent_t0
                    .unwrap_or(0.0)
                    .total_cmp(&b.p_consistent_t0.unwrap_or(0.0))
            })
            .map(|r| (**r).clone())
    } else {
        good.iter()
            .min_by(|a, b| {
                latency_sum(a)
                    .total_cmp(&latency_sum(b))
                    .then(a.n.cmp(&b.n))
            })
            .map(|r| (***r).clone())
    };
    (strict.map(|r| (*r).clone()), best)
}

fn render(data: &SweepData, charts: &[(String, String)]) -> String {
    let mut md = String::new();
    let m = data.manifest.as_ref();
    let _ = writeln!(md, "# quorum-model report\n");
    let _ = writeln!(
        md,
        "Written by `quorum-model sweep` (version {}). Every figure below is either **exact** (closed form, or numerical integration to a stated tolerance) or a **Monte Carlo estimate** with its 95% interval. Redraw with `quorum-model plot`.\n",
        m.map_or("unknown".into(), |m| m.version.clone())
    );
    if let Some(m) = m {
        let half = 1.959_963_984_540_054 * (0.25 / m.trials as f64).sqrt();
        let _ = writeln!(md, "## What was computed\n");
        let _ = writeln!(
            md,
            "- Grid: n = 1..{}, every 1 <= r, w <= n, failure levels {} (`iid(p_fail=P)`: each replica down independently), {} configurations in all.",
            m.n_max,
            m.failures.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", "),
            data.summary.len()
        );
        let _ = writeln!(
            md,
            "- Exact: availability (threshold formula, unavailability summed directly), k-staleness `C(n-w, r)/C(n, r)`, read and write latency mean and percentiles (order statistics over the convolved round trips; relative tolerance 1e-9).",
        );
        let _ = writeln!(
            md,
            "- Monte Carlo (WARS, PBS VLDB 2012): P(consistent at t = 0) and the time for 99.9% of reads to see a write, {} trials per (scenario, failure level, n), master seed {}. The 95% half-width of a probability is at most {:.5}. Strict quorums (r + w > n) are never stale: reported exactly, no trials.",
            m.trials, m.seed, half
        );
        let _ = writeln!(md, "\n### Scenarios (delays in ms; W write delivery, A ack, R read request, S read response)\n");
        let _ = writeln!(
            md,
            "| scenario | W | A | R | S | remote hop |\n|---|---|---|---|---|---|"
        );
        for s in &m.scenarios {
            let hop = if s.remote_one_way_ms > 0.0 {
                format!("+{} ms each way to non-local replicas", s.remote_one_way_ms)
            } else {
                "none".into()
            };
            let _ = writeln!(
                md,
                "| {} | `{}` | `{}` | `{}` | `{}` | {} |",
                s.name, s.w, s.a, s.r, s.s, hop
            );
        }
        md.push('\n');
    }
    let _ = writeln!(md, "## Charts\n");
    for (stem, caption) in charts {
        let _ = writeln!(
            md,
            "![{stem}](charts/{stem}.png)\n\n{caption} ([SVG](charts/{stem}.svg))\n"
        );
    }
    // Recommend at the highest independent level (else the first level).
    let rec = data
        .worst_iid_failure()
        .map(|(_, spec)| spec)
        .unwrap_or_else(|| data.base_failure());
    let _ = writeln!(md, "## Recommended configurations\n");
    let _ = writeln!(
        md,
        "At failure level `{}` (the sweep's highest independent level), among configurations that keep reads and writes available with one replica down (r < n and w < n):\n\n- **cheapest strict**: the fewest replicas with r + w > n, then the lowest p99.9 read + p99.9 write latency;\n- **best partial**: among r + w <= n with n <= 5 whose reads all but 0.1% eventually see the write (a finite 99.9% visibility time), the lowest p99.9 read + write latency with P(consistent at t = 0) >= 0.95 (if none reaches 0.95, the most consistent).\n",
        rec
    );
    let _ = writeln!(
        md,
        "| scenario | choice | n | r | w | read availability | write availability | p99.9 read | p99.9 write | P(consistent at t = 0) [95% CI] | 99.9% visible after |\n|---|---|---|---|---|---|---|---|---|---|---|"
    );
    for s in data.scenarios() {
        let (strict, partial) = recommend(data, &s, &rec);
        for (label, row) in [("cheapest strict", strict), ("best partial", partial)] {
            match row {
                Some(r) => {
                    let _ = writeln!(
                        md,
                        "| {s} | {label} | {} | {} | {} | {} | {} | {} ms | {} ms | {} | {} |",
                        r.n,
                        r.r,
                        r.w,
                        prob(r.read_availability),
                        prob(r.write_availability),
                        opt(r.read_latency_p999_ms, 2),
                        opt(r.write_latency_p999_ms, 2),
                        consistency(&r),
                        visibility(&r)
                    );
                }
                None => {
                    let why = if label == "best partial" {
                        "none in the grid (no partial quorum with n <= 5 tolerating one replica down lets 99.9% of reads see the write)"
                    } else {
                        "none in the grid"
                    };
                    let _ = writeln!(md, "| {s} | {label} | {why} | | | | | | | | |");
                }
            }
        }
    }
    md.push('\n');
    failure_levels(&mut md, data);
    if data.rules.is_empty() {
        let _ = writeln!(md, "## Rules of thumb, checked (N = 10)\n\nNot evaluated: `rules_of_thumb.csv` holds no rows (the sweep's base failure level is a per-node list of fewer than 10 replicas, or the file is missing).\n");
    } else {
        let _ = writeln!(md, "## Rules of thumb, checked (N = 10)\n");
        let _ = writeln!(
            md,
            "Quorum best-practice guides recommend read sets of 30% and write sets of 60% of the nodes, or 40% and 60%, and call them strongly consistent; others split the nodes into disjoint read and write halves. At N = 10 none of these is strict (r + w <= n), so a read can miss the latest write. The exact column is PBS's bound (the read quorum misses the write quorum; it ignores propagation to other replicas); the simulated columns include propagation (failures `{}`).\n",
            data.rules.first().map_or("n/a".into(), |r| r.failure.clone())
        );
        let _ = writeln!(
            md,
            "| scenario | advice | n, r, w | strict? | P(read misses the write quorum), exact | P(consistent at t = 0) [95% CI], simulated | 99.9% visible after, simulated |\n|---|---|---|---|---|---|---|"
        );
        for r in &data.rules {
            let advice = quorum_model_rules()
                .iter()
                .find(|x| (x.1, x.2, x.3) == (r.n, r.r, r.w))
                .map_or("", |x| x.0);
            let _ = writeln!(
                md,
                "| {} | {advice} | {}, {}, {} | {} | {:.5} | {} | {} |",
                r.scenario,
                r.n,
                r.r,
                r.w,
                if r.strict { "yes" } else { "no" },
                r.p_stale_k1,
                consistency(r),
                visibility(r)
            );
        }
        md.push('\n');
    }
    levels_section(&mut md, data);
    healing_section(&mut md, data);
    retry_section(&mut md, data);
    // Every mark above has its note here, and no note is without a mark.
    if md.contains(NEVER_MARK) {
        let _ = writeln!(md, "## Notes\n\n{NEVER_NOTE}\n");
    }
    md
}

/// A time for people, or why there is none.
fn failures_time(v: Option<f64>) -> String {
    v.map_or("never".into(), crate::duration::human)
}

/// t-visibility under 1% failures in time with no mechanism, hints,
/// anti-entropy and both (`healing.csv`).
fn healing_section(md: &mut String, data: &SweepData) {
    if data.healing.is_empty() {
        return;
    }
    let first = &data.healing[0];
    let hints = data
        .healing
        .iter()
        .find(|r| !r.hint_window.is_empty())
        .map_or("-".into(), |r| r.hint_window.clone());
    let ae = data
        .healing
        .iter()
        .find(|r| !r.anti_entropy_interval.is_empty())
        .map_or("-".into(), |r| r.anti_entropy_interval.clone());
    let _ = writeln!(
        md,
        "## t-visibility under 1% failures: none, hints, anti-entropy, both
"
    );
    let _ = writeln!(
        md,
        "Nodes fail and are repaired in time (MTTF {} h, MTTR {} h: 1% down), in scenario `{}`'s legs; a read t after the commit meets the replicas up at that moment, and a replica that was down when the write arrived has it only once a mechanism delivers it: hints (kept {hints}) replay it when it returns within the window, anti-entropy (every {ae}) at the first round after it returns. Without either a returning replica answers stale for good, so the time for 99.9% of reads to see the write does not exist. Simulated in time ({} trials, a log grid of t from 1 µs to hours; see `model/src/mc/timeline.rs`).\n",
        crate::mechanisms::REPAIR.mttf_hours,
        crate::mechanisms::REPAIR.mttr_hours,
        first.scenario,
        first.trials.unwrap_or(0)
    );
    let _ = writeln!(
        md,
        "| n, r, w | mechanisms | 99.9% of reads see the write after | 99.99% after |\n|---|---|---|---|"
    );
    for r in &data.healing {
        let mut on = crate::heal::label_of(&r.hint_window, &r.anti_entropy_interval);
        if !r.read_repair.is_empty() && r.read_repair != "none" {
            on += &format!(", read repair {}", r.read_repair);
        }
        let _ = writeln!(
            md,
            "| {}, {}, {} | {on} | {} | {} |",
            r.n,
            r.r,
            r.w,
            failures_time(r.t_visibility_failures_p999_ms),
            failures_time(r.t_visibility_failures_p9999_ms)
        );
    }
    md.push('\n');
}

/// Speculative retry: read p99 and extra load against the threshold
/// (`retry.csv`).
fn retry_section(md: &mut String, data: &SweepData) {
    if data.retry.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "## Speculative retry: read p99 and extra load against the threshold
"
    );
    let _ = writeln!(
        md,
        "Reads ask only r replicas picked at random and wait for all of them (as Cassandra does); with speculative retry, once the threshold passes without every answer the read also asks one more replica and completes with the first r. A percentile threshold (`99p`) is the read latency's own percentile without retry. The extra requests per read are the load a plan must carry (`quorum-model plan --speculative-retry`). Exact, in scenario `{}`'s legs, no failures.\n",
        data.retry[0].scenario
    );
    let _ = writeln!(
        md,
        "| n, r, w | retry | threshold | read p99 | extra requests per read |\n|---|---|---|---|---|"
    );
    for r in &data.retry {
        let _ = writeln!(
            md,
            "| {}, {}, {} | {} | {} | {} | {} |",
            r.n,
            r.r,
            r.w,
            r.speculative_retry,
            r.speculative_retry_ms
                .map_or("-".into(), |t| format!("{t:.2} ms")),
            opt(r.read_latency_p99_ms, 2) + " ms",
            r.speculative_retry_rate
                .map_or("0".into(), |x| format!("{x:.4}"))
        );
    }
    md.push('\n');
}

/// Every pair of consistency levels in each cluster of the comparison:
/// latencies, availability with datacenter outages, P(consistent) for a
/// read in the write's datacenter and in another, strictness marked.
fn levels_section(md: &mut String, data: &SweepData) {
    if data.levels.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "## Consistency levels across datacenters
"
    );
    let _ = writeln!(
        md,
        "Every pair of write and read levels among ONE, LOCAL_QUORUM, QUORUM, EACH_QUORUM and ALL, in scenario `{}`'s legs, the write coordinated in the first datacenter and the read there (same) or in the next one (other); each datacenter is down with probability {} and each node of an up one with {}. **strict** means no read set can miss a write set (set intersection, not r + w > n): then P(consistent) is exactly 1. Latency percentiles are exact; P(consistent at t = 0) is simulated (95% interval) where not strict. Availability is exact.\n",
        data.levels[0].scenario,
        crate::levels::DC_OUTAGE,
        crate::levels::NODE_DOWN
    );
    // A cluster's rows differ only in where the read runs.
    let key = |t: &str| {
        t.split(';')
            .filter(|item| !item.starts_with("read_dc="))
            .collect::<Vec<_>>()
            .join(";")
    };
    let mut topologies: Vec<String> = Vec::new();
    for r in &data.levels {
        if !topologies.contains(&key(&r.topology)) {
            topologies.push(key(&r.topology));
        }
    }
    for t in &topologies {
        let t = t.as_str();
        let rows: Vec<&SummaryRecord> = data
            .levels
            .iter()
            .filter(|r| key(&r.topology) == t)
            .collect();
        let same: Vec<&&SummaryRecord> = rows.iter().filter(|r| r.read_dc == r.write_dc).collect();
        let other = |w: &str, r: &str| {
            rows.iter()
                .find(|x| x.read_dc != x.write_dc && x.write_cl == w && x.read_cl == r)
        };
        let dcs = crate::topology::datacenters_part(t);
        let other_dc = rows
            .iter()
            .find(|r| r.read_dc != r.write_dc)
            .map_or(String::new(), |r| r.read_dc.clone());
        let _ = writeln!(
            md,
            "### `{dcs}`\n\n`{t}`; same: reads in {}, other: reads in {other_dc}.\n",
            rows.first().map_or("", |r| r.write_dc.as_str())
        );
        let _ = writeln!(
            md,
            "| write | read | strict (same / other) | write p99 | read p99 (same / other) | write availability | read availability | P(consistent at 0), same | P(consistent at 0), other |\n|---|---|---|---|---|---|---|---|---|"
        );
        let yes = |b: bool| if b { "**strict**" } else { "no" };
        let ms = |v: Option<f64>| v.map_or("n/a".into(), |x| format!("{x:.2} ms"));
        for r in same {
            let o = other(&r.write_cl, &r.read_cl);
            let _ = writeln!(
                md,
                "| {} | {} | {} / {} | {} | {} / {} | {} | {} | {} | {} |",
                r.write_cl,
                r.read_cl,
                yes(r.strict),
                o.map_or("n/a", |o| yes(o.strict)),
                ms(r.write_latency_p99_ms),
                ms(r.read_latency_p99_ms),
                o.map_or("n/a".into(), |o| ms(o.read_latency_p99_ms)),
                nines_cell(r.write_availability, r.write_unavailability),
                nines_cell(r.read_availability, r.read_unavailability),
                consistency(r),
                o.map_or("n/a".into(), |o| consistency(o)),
            );
        }
        md.push('\n');
    }
}

/// Majority-quorum availability at every failure level, for the first
/// scenario (availability does not depend on delays), when the sweep has
/// more than one kind of level or any correlated one.
fn failure_levels(md: &mut String, data: &SweepData) {
    let levels = data.levels();
    if levels.iter().all(|f| matches!(f, FailureModel::Iid(_))) {
        return;
    }
    let Some(first) = data.scenarios().into_iter().next() else {
        return;
    };
    let _ = writeln!(md, "## Failure models compared\n");
    let _ = writeln!(
        md,
        "Read availability of majority quorums (r = w = floor(n/2) + 1) at each failure level, exact. Repair levels give the repair chain's steady state (and the mean time to lose the quorum from all up is in `read_mttql_hours`); domain levels place replica i in domain i mod D (spread) or all in one (packed).\n"
    );
    let ns: Vec<usize> = [3, 5, 7]
        .into_iter()
        .filter(|n| data.summary.iter().any(|r| r.n == *n))
        .collect();
    let mut header = "| failure level |".to_string();
    let mut rule = "|---|".to_string();
    for n in &ns {
        let _ = write!(header, " n = {n} |");
        rule.push_str("---|");
    }
    let _ = writeln!(md, "{header}\n{rule}");
    for level in levels {
        let spec = level.spec();
        let mut line = format!("| `{spec}` |");
        for &n in &ns {
            let k = n / 2 + 1;
            let cell = data
                .summary
                .iter()
                .find(|r| {
                    r.scenario == first && r.failure == spec && r.n == n && r.r == k && r.w == k
                })
                .map_or("n/a".into(), |r| {
                    nines_cell(r.read_availability, r.read_unavailability)
                });
            let _ = write!(line, " {cell} |");
        }
        let _ = writeln!(md, "{line}");
    }
    md.push('\n');
}

/// `0.99970785 (3.53 nines)`; nines from the unavailability, which the
/// sweep computes directly.
fn nines_cell(a: f64, u: f64) -> String {
    if u <= 0.0 {
        return "1".into();
    }
    format!("{a:.8} ({:.2} nines)", -u.log10())
}

fn quorum_model_rules() -> &'static [(&'static str, usize, usize, usize)] {
    &crate::sweep::RULES_OF_THUMB
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: usize, r: usize, w: usize, p: f64, t: Option<f64>, lat: f64) -> SummaryRecord {
        SummaryRecord {
            scenario: "s".into(),
            n,
            r,
            w,
            strict: r + w > n,
            p_fail: Some(0.01),
            failure: "iid(p_fail=0.01)".into(),
            read_availability: 0.99,
            write_availability: 0.99,
            p_consistent_t0: Some(p),
            p_consistent_t0_ci_low: Some(p - 0.001),
            p_consistent_t0_ci_high: Some(p + 0.001),
            t_visibility_p999_ms: t,
            read_latency_p999_ms: Some(lat),
            write_latency_p999_ms: Some(lat),
            ..SummaryRecord::default()
        }
    }

    #[test]
    fn a_configuration_never_visible_is_not_recommended_and_never_has_its_note() {
        // (5, 1, 1) is the fastest and most consistent partial quorum but
        // some of its reads never see the write; (5, 2, 2) is recommended.
        let data = SweepData {
            summary: vec![
                row(5, 1, 1, 0.99, None, 1.0),
                row(5, 2, 2, 0.97, Some(12.0), 2.0),
                row(5, 3, 3, 1.0, Some(0.0), 3.0),
            ],
            ..SweepData::default()
        };
        let (_, partial) = recommend(&data, "s", "iid(p_fail=0.01)");
        let p = partial.unwrap();
        assert_eq!((p.n, p.r, p.w), (5, 2, 2));
        let md = render(&data, &[]);
        assert!(
            !md.contains("(note 1)") || md.contains("## Notes\n\n1. **never**"),
            "{md}"
        );
        // Only never-visible partial quorums: none recommended, and said why.
        let data = SweepData {
            summary: vec![
                row(5, 1, 1, 0.99, None, 1.0),
                row(5, 3, 3, 1.0, Some(0.0), 3.0),
            ],
            ..SweepData::default()
        };
        assert!(recommend(&data, "s", "iid(p_fail=0.01)").1.is_none());
        let md = render(&data, &[]);
        assert!(md.contains("no partial quorum with n <= 5"), "{md}");
    }

    #[test]
    fn every_note_mark_has_its_note() {
        let data = SweepData {
            summary: vec![row(3, 1, 1, 0.9, None, 1.0)],
            rules: vec![row(10, 3, 6, 0.9, None, 1.0)],
            ..SweepData::default()
        };
        let md = render(&data, &[]);
        assert!(md.contains("never (note 1)"), "{md}");
        assert!(
            md.contains("## Notes") && md.contains("1. **never**"),
            "{md}"
        );
        let clean = SweepData {
            summary: vec![row(3, 2, 2, 1.0, Some(0.0), 1.0)],
            ..SweepData::default()
        };
        assert!(!render(&clean, &[]).contains("## Notes"));
    }
}
