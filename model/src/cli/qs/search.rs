//! `quorum-model qs --search`: the best system of the families asked for
//! over the given nodes, best first.

use super::{node_specs, workload, QsArgs, QsFormat};
use crate::cli::Usage;
use crate::qs::strategy::Objective;
use serde::Serialize;

#[derive(Serialize)]
struct SearchReport {
    nodes: Vec<String>,
    families: Vec<&'static str>,
    optimize: Objective,
    /// Systems tried.
    tried: usize,
    /// Those meeting every limit, best first.
    candidates: Vec<crate::qs::search::Candidate>,
    /// Why the search is not exhaustive, if it is not.
    notes: Vec<String>,
}

pub(super) fn run(args: &QsArgs, families: &str) -> Result<(), Usage> {
    use crate::qs::search::{search, Family, Requirements};
    let families: Vec<Family> = families
        .split(',')
        .map(|f| f.parse::<Family>())
        .collect::<Result<_, _>>()
        .map_err(|e| Usage(format!("--search: {e}")))?;
    let names: Vec<String> = args
        .nodes
        .as_deref()
        .ok_or_else(|| {
            Usage("--nodes: the nodes to search over are required with --search (a,b,c,...)".into())
        })?
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    if let Some(bad) = names.iter().find(|n| {
        n.is_empty()
            || !n
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
    }) {
        return Err(Usage(format!(
            "--nodes: '{bad}' is not a node name (letters, digits, _, - and .)"
        )));
    }
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            return Err(Usage(format!("--nodes: {n} is named twice")));
        }
    }
    if names.len() > 20 {
        return Err(Usage(format!(
            "--nodes: at most 20 nodes are searched, got {}",
            names.len()
        )));
    }
    let nodes = node_specs(&names, args)?;
    let work = workload(args)?;
    let model = args.failure.model()?;
    let availability = match (args.min_availability, model) {
        (Some(a), Some(m)) if (0.0..=1.0).contains(&a) => Some((a, m)),
        (Some(a), Some(_)) => {
            return Err(Usage(format!(
                "--min-availability: must be in [0, 1], got {a}"
            )))
        }
        (Some(_), None) => {
            return Err(Usage(
                "--min-availability: needs a failure model (--p-fail, --failure, ...)".into(),
            ))
        }
        (None, _) => None,
    };
    let req = Requirements {
        availability,
        resilience: args.min_resilience,
    };
    let result = search(&names, &nodes, &families, &work, &req, args.seed);
    let (found, tried) = (result.candidates, result.tried);
    let note = result.nested_truncated.then(|| {
        format!(
            "the nested family stopped early, after {} expressions or {} quorums, whichever came first (its space grows as the nodes' partitions: 3216 systems for 6 nodes, 157536 for 8)",
            crate::qs::search::NESTED_BUDGET,
            crate::qs::search::NESTED_QUORUM_BUDGET
        )
    });
    if found.is_empty() {
        return Err(Usage(format!(
            "--search: none of the {tried} systems of {} meets the limits and requirements",
            families
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    match args.format {
        QsFormat::Json => {
            let report = SearchReport {
                nodes: names,
                families: families.iter().map(|f| f.name()).collect(),
                optimize: work.objective,
                tried,
                candidates: found,
                notes: note.into_iter().collect(),
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&report).map_err(|e| Usage(e.to_string()))?
            );
        }
        QsFormat::Table => {
            println!(
                "{} of {tried} systems meet the limits; best first by {}:",
                found.len(),
                match work.objective {
                    Objective::Load => "load",
                    Objective::Network => "network load",
                    Objective::Latency => "latency",
                }
            );
            const SHOWN: usize = 10;
            for (i, c) in found.iter().enumerate().take(SHOWN) {
                let avail = match (c.read_availability, c.write_availability) {
                    (Some(r), Some(w)) => format!("  availability {r:.6}/{w:.6}"),
                    _ => String::new(),
                };
                println!(
                    "{:>3}. {:<10} reads {}\n     load {:.6}  capacity {:.4}  network {:.3}  latency {:.4} ms  resilience {}{avail}",
                    i + 1,
                    c.family.name(),
                    c.reads,
                    c.strategy.load,
                    c.strategy.capacity,
                    c.strategy.network_load,
                    c.strategy.latency_ms,
                    c.resilience.map_or("?".to_string(), |r| r.to_string()),
                );
            }
            if found.len() > SHOWN {
                println!(
                    "  ... {} more (--format json lists every one)",
                    found.len() - SHOWN
                );
            }
            if let Some(n) = note {
                println!("note: {n}");
            }
        }
    }
    Ok(())
}
