//! The human-readable report of `eval`: units on every figure, and a column
//! that says which numbers are exact and which are estimates.

use super::Export;
use crate::dist::presets::Topology;
use crate::eval::SummaryRow;
use crate::scenario::Scenario;
use std::io::{self, Write};

/// A table for people, with the scenario it describes.
pub struct Table<'a> {
    pub scenario: &'a Scenario,
}

/// Four significant digits, or the reason there is no number.
fn ms(v: Option<f64>) -> String {
    match v {
        Some(x) => format!("{} ms", sig(x, 4)),
        None => "-".into(),
    }
}

fn sig(x: f64, digits: usize) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let mag = x.abs().log10().floor() as i32;
    if !(-4..6).contains(&mag) {
        return format!("{:.*e}", digits - 1, x);
    }
    let decimals = (digits as i32 - 1 - mag).max(0) as usize;
    format!("{x:.decimals$}")
}

/// Probabilities near 1 print with enough digits to show the nines.
fn prob(p: f64) -> String {
    if p == 1.0 || p == 0.0 {
        return format!("{p}");
    }
    let q = 1.0 - p;
    if q > 0.0 && q < 0.01 {
        let nines = (-q.log10()).floor() as usize;
        return format!("{p:.*}", (nines + 3).min(15));
    }
    sig(p, 6)
}

fn unavail(p: f64) -> String {
    if p == 0.0 {
        "0".into()
    } else {
        format!("{p:.4e}")
    }
}

impl Export for Table<'_> {
    fn export(&self, rows: &[SummaryRow], out: &mut dyn Write) -> io::Result<()> {
        for row in rows {
            self.one(row, out)?;
        }
        Ok(())
    }
}

impl Table<'_> {
    fn one(&self, row: &SummaryRow, out: &mut dyn Write) -> io::Result<()> {
        let s = self.scenario;
        let dcs = row.has_datacenters();
        let strict = match (row.strict, dcs) {
            (true, false) => "strict: r + w > n",
            (false, false) => "partial: r + w <= n",
            (true, true) => "strict: every read set meets every write set",
            (false, true) => "partial: a read set can miss a write set",
        };
        if dcs {
            writeln!(
                out,
                "{}  n = {}, writes {} from {}, reads {} from {}  ({strict})",
                s.name, row.n, row.write_cl, row.write_dc, row.read_cl, row.read_dc
            )?;
            writeln!(out, "  topology  {}", row.topology)?;
        } else {
            writeln!(
                out,
                "{}  n = {}, r = {}, w = {}  ({strict})",
                s.name, row.n, row.r, row.w
            )?;
        }
        writeln!(out, "  delays  W = {}", s.wars.w)?;
        writeln!(out, "          A = {}", s.wars.a)?;
        writeln!(out, "          R = {}", s.wars.r)?;
        writeln!(out, "          S = {}", s.wars.s)?;
        if let Topology::Wan { remote_one_way_ms } = s.wars.topology {
            writeln!(out, "          + {remote_one_way_ms} ms each way to every non-local replica (one local replica, chosen at random)")?;
        }
        if dcs {
            if let crate::failure::FailureModel::Domains(d) = &s.failure {
                writeln!(out, "  failures  each datacenter down with probability {}; nodes in up datacenters down with probability {}", d.p_domain, d.p_fail)?;
            } else {
                writeln!(out, "  failures  {}", s.failure)?;
            }
        } else {
            writeln!(out, "  failures  {}", s.failure)?;
        }
        if let Some(t) = row.timeout_ms {
            writeln!(
                out,
                "  timeout   {t} ms (an operation slower than this fails)"
            )?;
        }
        writeln!(out)?;
        writeln!(out, "  {:<24}{:>18}{:>18}   how", "", "read", "write")?;
        let line = |out: &mut dyn Write, label: &str, r: String, w: String, how: &str| {
            writeln!(out, "  {label:<24}{r:>18}{w:>18}   {how}")
        };
        let avail_how = if row.timeout_ms.is_some() {
            "exact (within the timeout)"
        } else {
            "exact"
        };
        line(
            out,
            "availability",
            prob(row.read_availability),
            prob(row.write_availability),
            avail_how,
        )?;
        line(
            out,
            "unavailability",
            unavail(row.read_unavailability),
            unavail(row.write_unavailability),
            avail_how,
        )?;
        let nines = |v: Option<f64>| v.map_or("infinite".into(), |x| format!("{x:.2}"));
        line(
            out,
            "nines",
            nines(row.read_nines),
            nines(row.write_nines),
            avail_how,
        )?;
        let binned = row.notes.iter().any(|n| n.contains(" bins "));
        let approximate = row.notes.iter().any(|n| n.starts_with("approximate:"));
        let integ = if approximate {
            "approximate (see the note)"
        } else if binned {
            "exact for the binned delays (see the note)"
        } else {
            crate::closed::latency::HOW_EXACT
        };
        line(
            out,
            "latency mean",
            ms(row.read_latency_mean_ms),
            ms(row.write_latency_mean_ms),
            integ,
        )?;
        line(
            out,
            "latency p50",
            ms(row.read_latency_p50_ms),
            ms(row.write_latency_p50_ms),
            integ,
        )?;
        line(
            out,
            "latency p99",
            ms(row.read_latency_p99_ms),
            ms(row.write_latency_p99_ms),
            integ,
        )?;
        line(
            out,
            "latency p99.9",
            ms(row.read_latency_p999_ms),
            ms(row.write_latency_p999_ms),
            integ,
        )?;
        writeln!(out)?;
        writeln!(
            out,
            "  P(read misses the last write) = {}   exact: {}, ignores delays",
            sig_or_zero(row.p_stale_k1),
            if dcs {
                "P(a random read set misses a random write set) (PBS k-staleness per level)"
            } else {
                "C(n-w, r)/C(n, r) (PBS k-staleness)"
            }
        )?;
        if row.k != 1 {
            writeln!(
                out,
                "  P(read misses all of the last {} writes) = {}   exact: p^k, an upper bound (ignores propagation)",
                row.k,
                sig_or_zero(row.p_stale_k)
            )?;
        }
        if row.strict {
            writeln!(
                out,
                "  P(read right after commit sees the write) = 1   exact: {}",
                if dcs {
                    "every read set meets every write set"
                } else {
                    "strict quorums always intersect"
                }
            )?;
        } else if let (Some(trials), Some(seed)) = (row.trials, row.seed) {
            let mc = format!("Monte Carlo, {trials} trials, seed {seed}, 95% interval");
            if let (Some(p), Some(lo), Some(hi)) = (
                row.p_consistent_t0,
                row.p_consistent_t0_ci_low,
                row.p_consistent_t0_ci_high,
            ) {
                writeln!(out, "  P(read right after commit sees the write) = {p:.4} [{lo:.4}, {hi:.4}]   {mc}")?;
            }
            if let (Some(t), Some(p), Some(lo), Some(hi)) = (
                row.consistency_t_ms,
                row.p_consistent_t,
                row.p_consistent_t_ci_low,
                row.p_consistent_t_ci_high,
            ) {
                writeln!(out, "  P(read {t} ms after commit sees the write) = {p:.4} [{lo:.4}, {hi:.4}]   {mc}")?;
            }
            match (
                row.t_visibility_p999_ms,
                row.t_visibility_p999_ms_ci_low,
                row.t_visibility_p999_ms_ci_high,
            ) {
                (Some(t), Some(lo), hi) => {
                    let hi = hi.map_or("never".into(), sig_or_zero);
                    writeln!(
                        out,
                        "  time after commit for 99.9% of reads to see it = {} ms [{}, {hi}]   {mc}",
                        sig_or_zero(t),
                        sig_or_zero(lo)
                    )?;
                }
                _ => writeln!(
                    out,
                    "  time after commit for 99.9% of reads to see it: never (see note)"
                )?,
            }
            if let (Some(p), Some(lo), Some(hi)) = (
                row.p_within_k_t0,
                row.p_within_k_t0_ci_low,
                row.p_within_k_t0_ci_high,
            ) {
                writeln!(
                    out,
                    "  P(read right after commit returns one of the last {} writes) = {p:.4} [{lo:.4}, {hi:.4}]   {mc}",
                    row.k
                )?;
            }
        }
        self.healing(row, out)?;
        // The nines' notes are in the table already ("infinite").
        let latency_notes: Vec<&String> = row
            .notes
            .iter()
            .filter(|n| !n.starts_with("read_nines") && !n.starts_with("write_nines"))
            .filter(|n| !n.starts_with("p_consistent_t0 = 1"))
            .collect();
        if !latency_notes.is_empty() {
            writeln!(out)?;
            for n in latency_notes {
                writeln!(out, "  note: {n}")?;
            }
        }
        Ok(())
    }
}

impl Table<'_> {
    /// The healing mechanisms and what they buy, when there is anything to
    /// say: failures in time (a model with durations) or a mechanism on.
    fn healing(&self, row: &SummaryRow, out: &mut dyn Write) -> io::Result<()> {
        let timeline = matches!(self.scenario.failure, crate::FailureModel::Repair(_));
        let any = !row.hint_window.is_empty()
            || !row.anti_entropy_interval.is_empty()
            || row.read_repair != "none";
        if !(timeline || any) {
            return Ok(());
        }
        writeln!(out)?;
        let mut on = Vec::new();
        if !row.hint_window.is_empty() {
            on.push(format!(
                "hints kept {} (replay {}){}",
                row.hint_window,
                row.hint_replay_delay,
                if row.sloppy_quorum {
                    ", sloppy quorum"
                } else {
                    ""
                }
            ));
        }
        if !row.anti_entropy_interval.is_empty() {
            on.push(format!("anti-entropy every {}", row.anti_entropy_interval));
        }
        if row.read_repair != "none" {
            on.push(format!("read repair {}", row.read_repair));
        }
        let on = if on.is_empty() {
            "none".to_string()
        } else {
            on.join(", ")
        };
        writeln!(out, "  healing  {on}")?;
        if timeline {
            let mc = row
                .trials
                .map(|t| format!("Monte Carlo in time, {t} trials, log grid"))
                .unwrap_or_else(|| "exact: strict quorums".into());
            for (label, v) in [
                ("99.9%", row.t_visibility_failures_p999_ms),
                ("99.99%", row.t_visibility_failures_p9999_ms),
            ] {
                let shown = v.map_or("never (see note)".into(), crate::duration::human);
                writeln!(
                    out,
                    "  time after commit for {label} of reads to see it, failures in time = {shown}   {mc}"
                )?;
            }
        }
        if let Some(rate) = row.read_repair_rate {
            writeln!(
                out,
                "  P(a read right after commit repairs a replica) = {}   Monte Carlo",
                sig_or_zero(rate)
            )?;
        }
        Ok(())
    }
}

fn sig_or_zero(p: f64) -> String {
    if p == 0.0 {
        "0".into()
    } else {
        sig(p, 4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits() {
        assert_eq!(sig(1.82407, 4), "1.824");
        assert_eq!(sig(123.456, 4), "123.5");
        assert_eq!(sig(1.884e-6, 4), "1.884e-6");
        assert_eq!(prob(0.999702), "0.999702");
        assert_eq!(prob(0.5), "0.500000");
    }
}
