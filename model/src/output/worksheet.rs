//! The capacity-planning worksheet (`plan --worksheet FILE.md`): a document
//! a reviewer who has never seen the tool can follow from the question to
//! the answer. Inputs, assumptions, the formulas with their sources, the
//! chosen configuration with each SLO's value and margin, the runner-up,
//! what binds, how the answer moves if failures or load double, and the
//! ranked list with the Pareto front.

use crate::dist::presets::Topology;
use crate::failure::FailureModel;
use crate::named::Namer;
use crate::plan::explain::{explain, show_value};
use crate::plan::slo::{Slo, Status};
use crate::plan::{Candidate, Plan, PlanInput, Sensitivity};
use crate::Fanout;
use std::fmt::Write as _;

/// What the worksheet is written from.
pub struct WorksheetInput<'a> {
    pub input: &'a PlanInput,
    pub plan: &'a Plan,
    pub sensitivity: &'a Sensitivity,
    /// The command line that produced it, for reproduction.
    pub command: String,
    /// How that command names the inputs (`--slo-read-p99-ms`).
    pub name: Namer<'a>,
}

fn cfg(c: &Candidate) -> String {
    if c.row.has_datacenters() {
        return format!(
            "{}, writes {}, reads {}",
            crate::topology::datacenters_part(&c.row.topology),
            c.row.write_cl,
            c.row.read_cl
        );
    }
    let (n, r, w) = c.config();
    format!("n = {n}, r = {r}, w = {w}")
}

fn nodes(c: &Candidate) -> String {
    format!(
        "{} node{}, cost {}",
        c.capacity.nodes,
        if c.capacity.nodes == 1 { "" } else { "s" },
        c.capacity.cost
    )
}

fn availability(a: f64, u: f64) -> String {
    if u <= 0.0 {
        "1 (no failures)".into()
    } else {
        format!("{a:.8} ({:.2} nines)", -u.log10())
    }
}

fn margin(slo: &Slo, m: Option<f64>) -> String {
    match (slo, m) {
        (_, None) => "n/a".into(),
        (Slo::ReadAvailability(a) | Slo::WriteAvailability(a), Some(m)) => {
            // Also in nines: how many more than the target's.
            let have = 1.0 - (a + m);
            if have <= 0.0 {
                format!("{m:+.2e} (unbounded nines)")
            } else {
                format!("{m:+.2e} ({:+.2} nines)", -have.log10() + (1.0 - a).log10())
            }
        }
        (Slo::ReadLatency { .. } | Slo::WriteLatency { .. }, Some(m)) => format!("{m:+.2} ms"),
        (Slo::Strict, Some(m)) => format!("{m:+}"),
        (_, Some(m)) => format!("{m:+.2e}"),
    }
}

fn value(c: &Candidate, i: usize) -> String {
    let k = &c.checks[i];
    let base = match k.slo {
        Slo::ReadAvailability(_) => {
            availability(c.row.read_availability, c.row.read_unavailability)
        }
        Slo::WriteAvailability(_) => {
            availability(c.row.write_availability, c.row.write_unavailability)
        }
        _ => show_value(&k.slo, k.value),
    };
    match (k.ci, c.row.strict, k.slo) {
        (Some((lo, hi)), _, _) => format!("{base} [95% CI {lo:.6}, {hi:.6}]"),
        (None, true, Slo::Consistency { .. }) => format!("{base} (exact: strict quorum)"),
        _ => base,
    }
}

fn status(s: Status) -> &'static str {
    match s {
        Status::Meets => "meets",
        Status::Uncertain => "UNCERTAIN (interval straddles the target)",
        Status::Fails => "fails",
    }
}

/// The SLO table of one candidate.
fn slo_table(md: &mut String, c: &Candidate) {
    let _ = writeln!(
        md,
        "| SLO | target met? | value | margin |\n|---|---|---|---|"
    );
    for (i, k) in c.checks.iter().enumerate() {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            k.slo,
            status(k.status),
            value(c, i),
            margin(&k.slo, k.margin)
        );
    }
    md.push('\n');
}

/// The worksheet's Markdown.
pub fn worksheet(ws: &WorksheetInput) -> String {
    let (input, plan) = (ws.input, ws.plan);
    let mut md = String::new();
    let _ = writeln!(md, "# Capacity-planning worksheet\n");
    let _ = writeln!(
        md,
        "Written by `quorum-model plan` (version {}). Every number below is computed by the tool; running the same command again reproduces this file byte for byte (the Monte Carlo is seeded).\n\n```\n{}\n```\n",
        env!("CARGO_PKG_VERSION"),
        ws.command
    );

    let _ = writeln!(
        md,
        "**Answer:** {}\n",
        match plan.best() {
            Some(b) => format!(
                "{} on {} ({}). Details in section 5.",
                cfg(b),
                nodes(b),
                if b.row.strict {
                    "a strict quorum"
                } else {
                    "a partial quorum"
                }
            ),
            None => "no configuration meets every objective; section 5 says which objective binds and what relaxing each would give.".into(),
        }
    );
    let _ = writeln!(md, "## 1. The question\n");
    let _ = writeln!(
        md,
        "A replicated store keeps **n** copies (replicas) of every item. A write is acknowledged once **w** replicas have stored it; a read returns once **r** replicas have answered, and returns the newest version among them. Larger r and w make reads more likely to see the latest write (with r + w > n, a *strict* quorum, every read overlaps every acknowledged write) but make operations slower and less available, and more replicas cost more machines. This worksheet finds the cheapest (n, r, w), and the number of machines, that meets the objectives below.\n"
    );

    let _ = writeln!(md, "## 2. Inputs\n");
    let _ = writeln!(md, "### Service-level objectives\n");
    if input.slos.is_empty() {
        let _ = writeln!(
            md,
            "None given: every configuration qualifies and the cheapest wins.\n"
        );
    } else {
        let _ = writeln!(md, "| objective | option |\n|---|---|");
        for s in &input.slos {
            let _ = writeln!(md, "| {s} | `{}` |", (ws.name)(s.field()));
        }
        md.push('\n');
    }
    let _ = writeln!(md, "### Workload and machines\n");
    let w = &input.workload;
    let node = &input.node;
    let _ = writeln!(
        md,
        "| input | value |\n|---|---|\n| reads per second | {} |\n| writes per second | {} |\n| data (one copy) | {} GB |\n| replica operations per second one node serves | {} |\n| disk per node | {} |\n| target utilization (throughput and disk) | {} |\n| cost per node | {} |\n| read fan-out | {} |\n",
        w.reads_per_s,
        w.writes_per_s,
        w.data_gb,
        node.ops_per_s.map_or("not given (throughput not sized)".into(), |v| v.to_string()),
        node.disk_gb.map_or("not given (storage not sized)".into(), |v| format!("{v} GB")),
        node.target_utilization,
        node.cost_per_node,
        match input.fanout {
            Fanout::All => "all n replicas (the coordinator waits for the first r)",
            Fanout::Quorum => "r replicas (the coordinator waits for all r)",
            Fanout::Closest => "the r closest replicas (the coordinator waits for all r)",
        }
    );
    let _ = writeln!(md, "### Environment\n");
    let s = &input.scenario;
    let _ = writeln!(
        md,
        "- Delays (`{}`: {}), one-way, in ms: write delivery W = `{}`, write ack A = `{}`, read request R = `{}`, read response S = `{}`.",
        s.name, s.description, s.wars.w, s.wars.a, s.wars.r, s.wars.s
    );
    if let Topology::Wan { remote_one_way_ms } = s.wars.topology {
        let _ = writeln!(
            md,
            "- Wide area: each replica in its own datacenter, {remote_one_way_ms} ms added to every one-way message to a replica outside the coordinator's."
        );
    }
    let _ = writeln!(md, "- Failures: {}.", s.failure);
    let _ = writeln!(
        md,
        "- Search: every n from 1 to {} and every 1 <= r, w <= n ({} configurations). {}\n",
        input.max_n,
        plan.candidates.len(),
        if input
            .slos
            .iter()
            .any(|s| matches!(s, Slo::Consistency { .. }))
        {
            format!(
                "Consistency is simulated with {} trials per n, seed {}.",
                input.trials, input.seed
            )
        } else {
            "Nothing needed simulating (no consistency objective).".into()
        }
    );

    let _ = writeln!(md, "## 3. Assumptions\n");
    let _ = writeln!(md, "- Each replica of an item lives on a different machine; items are spread evenly over the cluster (consistent hashing), so a cluster larger than n still gives every item n replicas.");
    let _ = writeln!(md, "- Message delays are independent across messages and replicas and follow the distributions above (the WARS model of PBS).");
    let _ = writeln!(md, "- A replica that is down neither acknowledges writes nor answers reads; an operation that cannot gather its quorum fails (no hinted handoff, no sloppy quorums). Latency figures are for operations that succeed.");
    match &s.failure {
        FailureModel::Repair(_) | FailureModel::Domains(_) => {
            let _ = writeln!(md, "- Failures are correlated (shared repair crews make them cluster; a domain outage takes all its replicas): availability and latency mix exactly over which replicas are up, and the consistency simulation draws the same correlated outages.");
        }
        _ => {}
    }
    if input.fanout != Fanout::All {
        let _ = writeln!(md, "- Quorum fan-out: the coordinator knows which replicas are up (a failure detector) and sends each read to r of them picked at random, then waits for all r. Availability is therefore unchanged, read latency is the slowest of r replies, and the consistency simulation uses r random live replicas rather than the r fastest.");
    }
    let _ = writeln!(md, "- Load: every write is applied by all n replicas; every read costs one operation on each replica it is sent to. Machines run at no more than the target utilization.\n");

    let _ = writeln!(md, "## 4. How each figure is computed\n");
    let _ = writeln!(md, "- **Availability** of a k-of-n quorum with independent failures: P(at least k of n up) = sum over j >= k of C(n, j) (1-p)^j p^(n-j) (the threshold formula for quorum systems; Naor and Wool, *The load, capacity and availability of quorum systems*, SIAM J. Computing 1998). The unavailability is summed directly in log space, so small values keep their digits. With repair: the birth-death Markov chain on the number of failed nodes (failure rate (n-j)/MTTF, repair min(j, crews)/MTTR), its stationary distribution. With failure domains: the up-count distribution convolved over domains.");
    let _ = writeln!(md, "- **Latency**: the k-th fastest of n responses (order statistics; David and Nagaraja, *Order Statistics*, 2003) over the round trip W + A (writes, k = w) or R + S (reads, k = r), with the round trip's distribution obtained by numerical convolution. Exact to about 1e-9 relative.");
    let _ = writeln!(md, "- **Consistency**: P(a read issued T ms after the write commits returns it), by Monte Carlo of the WARS model (Bailis et al., *Probabilistically Bounded Staleness for Practical Partial Quorums*, VLDB 2012, section 4), with a 95% Wilson score interval (Wilson 1927). Strict quorums (r + w > n) are consistent with probability 1, exactly. A configuration meets a consistency objective only if the interval's lower end clears it; one whose interval straddles the target is flagged *uncertain* and never chosen.");
    let _ = writeln!(md, "- **Machines**: replica operations per second = writes/s x n + reads/s x (n, or r with quorum fan-out); nodes = max(n, ceil(replica ops/s / (node ops/s x utilization)), ceil(data x n / (node disk x utilization))); cost = nodes x cost per node.");
    let _ = writeln!(md, "- **Margin**: how far a figure is inside its objective, in the objective's units: value - target for *at least* objectives (availability, consistency), target - value for *at most* ones (latency). Positive means met.");
    let _ = writeln!(md, "- **Ranking**: configurations meeting every objective, by cost, then fewer replicas, then lower p99 read + p99 write latency.\n");

    match plan.best() {
        Some(best) => answer(&mut md, ws, best),
        None => infeasible(&mut md, ws),
    }

    let _ = writeln!(md, "## 8. If failures or load double\n");
    let sens = ws.sensitivity;
    let _ = writeln!(md, "| case | choice | machines |\n|---|---|---|");
    let line = |p: &Plan| match p.best() {
        Some(b) => (cfg(b), nodes(b)),
        None => {
            let e = explain(p);
            let binding: Vec<String> = e
                .relaxations
                .iter()
                .filter(|r| r.admitted > 0)
                .map(|r| r.slo.to_string())
                .collect();
            (
                "nothing meets the objectives".into(),
                if binding.is_empty() {
                    "-".into()
                } else {
                    format!("binding: {}", binding.join("; "))
                },
            )
        }
    };
    for (case, p) in [
        ("as planned".to_string(), plan),
        (
            format!("failures doubled (`{}`)", sens.failures_doubled.spec()),
            &sens.with_failures_doubled,
        ),
        (
            "load doubled (reads, writes and data x 2)".to_string(),
            &sens.with_load_doubled,
        ),
    ] {
        let (c, m) = line(p);
        let _ = writeln!(md, "| {case} | {c} | {m} |");
    }
    md.push('\n');

    let _ = writeln!(md, "## 9. Ranked list and Pareto front\n");
    let _ = writeln!(md, "The first 10 qualifying configurations (all {} are in `{} json`). A configuration is on the Pareto front (marked *) when no other qualifying one is at least as good in cost, p99 read latency, p99 write latency, staleness and unavailability, and better in one.\n", plan.ranked().count(), (ws.name)("format"));
    let _ = writeln!(
        md,
        "| # | n | r | w | machines | cost | read nines | write nines | read p99 | write p99 | P(stale read) | status | front |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    let nines = |u: f64| {
        if u <= 0.0 {
            "no failures".to_string()
        } else {
            format!("{:.2}", -u.log10())
        }
    };
    for (i, c) in plan.ranked().take(10).enumerate() {
        let (n, r, w) = c.config();
        let _ = writeln!(
            md,
            "| {} | {n} | {r} | {w} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            i + 1,
            c.capacity.nodes,
            c.capacity.cost,
            nines(c.row.read_unavailability),
            nines(c.row.write_unavailability),
            c.row
                .read_latency_p99_ms
                .map_or("n/a".into(), |v| format!("{v:.2} ms")),
            c.row
                .write_latency_p99_ms
                .map_or("n/a".into(), |v| format!("{v:.2} ms")),
            if c.staleness() == 0.0 {
                "0".to_string()
            } else {
                format!("{:.2e}", c.staleness())
            },
            match c.status {
                Status::Meets => "meets",
                Status::Uncertain => "uncertain",
                Status::Fails => "fails",
            },
            if c.pareto { "*" } else { "" }
        );
    }
    let front: Vec<String> = plan
        .ranked()
        .filter(|c| c.pareto)
        .map(|c| {
            if c.row.has_datacenters() {
                return format!("({})", cfg(c));
            }
            let (n, r, w) = c.config();
            format!("({n}, {r}, {w})")
        })
        .collect();
    let _ = writeln!(
        md,
        "\nPareto front, (n, r, w) in rank order: {}.\n\nP(stale read) is 1 - P(consistent at T) where a consistency objective was simulated, else PBS's exact chance that the read quorum misses the write quorum, C(n-w, r)/C(n, r).",
        if front.is_empty() { "empty".into() } else { front.join(", ") }
    );
    md
}

fn answer(md: &mut String, ws: &WorksheetInput, best: &Candidate) {
    let (input, plan) = (ws.input, ws.plan);
    let _ = writeln!(md, "## 5. The answer\n");
    let _ = writeln!(
        md,
        "**{} on {}.** {}\n",
        cfg(best),
        nodes(best),
        if best.row.strict {
            "This is a strict quorum: every read sees every acknowledged write."
        } else {
            "This is a partial quorum (r + w <= n): a read can miss a recent write, with the probability below."
        }
    );
    if !best.checks.is_empty() {
        slo_table(md, best);
    }
    let cap = &best.capacity;
    let w = &input.workload;
    if w.reads_per_s == 0.0 && w.writes_per_s == 0.0 && w.data_gb == 0.0 {
        let _ = writeln!(md, "Sizing: no workload was given (`{}`, `{}`, `{}`), so the cluster is the n replicas' machines.\n", (ws.name)("reads_per_s"), (ws.name)("writes_per_s"), (ws.name)("data_gb"));
    } else {
        let _ = writeln!(
        md,
        "Sizing: {:.0} replica operations per second and {} GB stored. Throughput needs {} machine(s), storage {}, the replicas {}; the cluster size is set by **{}**{}{}.\n",
        cap.replica_ops_per_s,
        cap.stored_gb,
        cap.nodes_for_throughput,
        cap.nodes_for_storage,
        best.row.n,
        cap.bound_by,
        cap.ops_utilization
            .map_or(String::new(), |u| format!(", at {:.0}% of each machine's throughput", 100.0 * u)),
        cap.disk_utilization
            .map_or(String::new(), |u| format!(" and {:.0}% of its disk", 100.0 * u)),
    );
    }

    let _ = writeln!(md, "## 6. Runner-up\n");
    match plan.runner_up() {
        Some(second) => {
            let why = if second.capacity.cost > best.capacity.cost {
                format!(
                    "it costs more ({} against {})",
                    second.capacity.cost, best.capacity.cost
                )
            } else if second.row.n > best.row.n {
                "it costs the same but keeps more replicas".to_string()
            } else {
                format!(
                    "it costs the same with the same n, but its p99 read + write latency is higher ({:.2} ms against {:.2} ms)",
                    second.latency_sum(),
                    best.latency_sum()
                )
            };
            let _ = writeln!(
                md,
                "**{} on {}** also meets every objective; it ranks second because {}.\n",
                cfg(second),
                nodes(second),
                why
            );
            if !second.checks.is_empty() {
                slo_table(md, second);
            }
        }
        None => {
            let _ = writeln!(md, "No other configuration meets every objective.\n");
        }
    }

    let _ = writeln!(md, "## 7. What binds\n");
    // The tightest objective: smallest margin relative to its target.
    let tight = best
        .checks
        .iter()
        .filter_map(|k| {
            let m = k.margin?;
            let scale = match k.slo {
                Slo::ReadAvailability(a) | Slo::WriteAvailability(a) => 1.0 - a,
                Slo::ReadLatency { ms, .. } | Slo::WriteLatency { ms, .. } => ms,
                Slo::Consistency { p, .. } => (1.0 - p).max(1e-12),
                Slo::Strict => 1.0,
            };
            Some((m / scale, k))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((_, k)) = tight {
        let _ = writeln!(
            md,
            "- The tightest objective for the choice is **{}** (margin {}).",
            k.slo,
            margin(&k.slo, k.margin)
        );
    }
    let cheaper: Vec<&Candidate> = plan
        .candidates
        .iter()
        .filter(|c| c.status != Status::Meets && c.capacity.cost <= best.capacity.cost)
        .collect();
    if cheaper.is_empty() {
        let _ = writeln!(md, "- No configuration at the same or lower cost was ruled out: the choice is the cheapest possible.");
    } else {
        let _ = writeln!(
            md,
            "- {} configuration(s) cost no more than the choice but are ruled out:",
            cheaper.len()
        );
        for s in &input.slos {
            let failing = cheaper
                .iter()
                .filter(|c| {
                    c.checks
                        .iter()
                        .any(|k| k.slo == *s && k.status != Status::Meets)
                })
                .count();
            if failing > 0 {
                let _ = writeln!(md, "  - {failing} miss {s};");
            }
        }
        // The near misses: fewest objectives missed, then cheapest.
        let missed_count = |c: &Candidate| {
            c.checks
                .iter()
                .filter(|k| k.status != Status::Meets)
                .count()
        };
        let mut shown: Vec<&&Candidate> = cheaper.iter().collect();
        shown.sort_by(|a, b| {
            missed_count(a)
                .cmp(&missed_count(b))
                .then_with(|| a.by_cost(b))
        });
        let _ = writeln!(
            md,
            "  - the nearest misses (fewest objectives missed, then cheapest):"
        );
        for c in shown.iter().take(5) {
            let missed: Vec<String> = c
                .checks
                .iter()
                .filter(|k| k.status != Status::Meets)
                .map(|k| format!("{} ({})", k.slo, show_value(&k.slo, k.value)))
                .collect();
            let _ = writeln!(md, "    - {}: misses {}", cfg(c), missed.join("; "));
        }
    }
    let no_load = w.reads_per_s == 0.0 && w.writes_per_s == 0.0 && w.data_gb == 0.0;
    let _ = writeln!(
        md,
        "- The number of machines is set by {}.\n",
        match cap.bound_by {
            "replicas" if no_load => "the replication factor (no workload was given)",
            "replicas" => "the replication factor itself (the load fits on n machines)",
            "throughput" => "throughput",
            _ => "storage",
        }
    );
}

fn infeasible(md: &mut String, ws: &WorksheetInput) {
    let (input, plan) = (ws.input, ws.plan);
    let _ = writeln!(md, "## 5. No configuration meets the objectives\n");
    let e = explain(plan);
    for line in e.lines(input.max_n, ws.name) {
        let _ = writeln!(md, "- {line}");
    }
    md.push('\n');
    if let Some(c) = &e.fewest_failures {
        let _ = writeln!(
            md,
            "The cheapest configuration missing the fewest objectives is {} on {}:\n",
            cfg(c),
            nodes(c)
        );
        slo_table(md, c);
    }
    let _ = writeln!(md, "## 6. Runner-up\n\nNone: nothing qualifies.\n");
    let _ = writeln!(md, "## 7. What binds\n\nSee section 5.\n");
}
