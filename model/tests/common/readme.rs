//! The README's examples, run as a user would: every command of one binary
//! in the README's `sh` blocks, in a scratch copy of what they read, and a
//! check that the repository is left as it was. Shared by
//! `model/tests/readme.rs` (`quorum-model`) and `bench/tests/readme.rs`
//! (`quorum-bench`).
//!
//! A command is a line of a ```` ```sh ```` block that starts with the
//! binary's name or with `cargo run [--release] -p BINARY --`, joined with
//! its `\` continuation lines; a trailing `# comment` is dropped. A block
//! holding a template (a `$` or `{}` placeholder, as in the Slurm and GNU
//! parallel recipes) is a template as a whole and is not run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("a workspace member")
        .to_path_buf()
}

/// The arguments of every README command of `binary`, in order, without
/// repeats.
pub fn examples(binary: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut block: Option<Vec<String>> = None;
    for line in text.lines() {
        match (&mut block, line.trim_start()) {
            (None, "```sh") => block = Some(Vec::new()),
            (Some(lines), "```") => {
                let template = lines.iter().any(|l| l.contains('$') || l.contains("{}"));
                if !template {
                    for cmd in commands(lines) {
                        if let Some(args) = args_of(&cmd, binary) {
                            if !out.contains(&args) {
                                out.push(args);
                            }
                        }
                    }
                }
                block = None;
            }
            (Some(lines), _) => lines.push(line.to_string()),
            (None, _) => {}
        }
    }
    out
}

/// Lines with their `\` continuations joined.
fn commands(lines: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in lines {
        let l = line.trim();
        match l.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head.trim_end());
                current.push(' ');
            }
            None => {
                current.push_str(l);
                out.push(std::mem::take(&mut current));
            }
        }
    }
    out
}

/// Shell words of `line` (single and double quotes, a `#` comment), after
/// the binary: `None` if the line does not run `binary`.
fn args_of(line: &str, binary: &str) -> Option<Vec<String>> {
    let words = split(line);
    let rest = if words.first().map(String::as_str) == Some(binary) {
        &words[1..]
    } else if words.first().map(String::as_str) == Some("cargo")
        && words.get(1).map(String::as_str) == Some("run")
    {
        let sep = words.iter().position(|w| w == "--")?;
        let package = words.iter().position(|w| w == "-p")?;
        if words.get(package + 1).map(String::as_str) != Some(binary) {
            return None;
        }
        &words[sep + 1..]
    } else {
        return None;
    };
    Some(rest.to_vec())
}

fn split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '#') if !in_word => break,
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Every file of the repository outside `target/`, `.git/` and `fuzz/target`
/// with its size and modification time: what an example must not change.
pub fn snapshot() -> BTreeMap<PathBuf, (u64, Option<SystemTime>)> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<PathBuf, (u64, Option<SystemTime>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            if ["target", ".git", "fuzz/target", "fuzz/corpus"]
                .iter()
                .any(|skip| rel == Path::new(skip))
            {
                continue;
            }
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() {
                walk(&path, root, out);
            } else {
                out.insert(rel, (meta.len(), meta.modified().ok()));
            }
        }
    }
    let root = repo();
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    out
}

/// A scratch directory laid out like the repository where a user runs the
/// examples: the inputs they read (`model/scenarios`, `model/sweeps`) copied
/// in, and a `target/` (cargo made one when it built the binary).
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qm-readme-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["model/scenarios", "model/sweeps", "model/traces"] {
        copy_dir(&repo().join(sub), &dir.join(sub));
    }
    std::fs::create_dir_all(dir.join("target")).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Runs `exe` with each example's arguments in `dir`; returns, per example,
/// its arguments, exit code and stderr.
pub fn run_all(
    exe: &Path,
    dir: &Path,
    examples: &[Vec<String>],
) -> Vec<(Vec<String>, Option<i32>, String)> {
    examples
        .iter()
        .map(|args| {
            let out = Command::new(exe)
                .args(args)
                .current_dir(dir)
                .output()
                .expect("runs");
            (
                args.clone(),
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words() {
        assert_eq!(
            split("quorum-model eval --delay 'exp(mean=2)' --x \"a b\"  # note"),
            [
                "quorum-model",
                "eval",
                "--delay",
                "exp(mean=2)",
                "--x",
                "a b"
            ]
        );
        let lines = vec!["a \\".to_string(), "  b".to_string(), "c".to_string()];
        assert_eq!(commands(&lines), ["a b", "c"]);
        assert_eq!(
            args_of(
                "cargo run --release -p quorum-bench -- chaos --n 3",
                "quorum-bench"
            ),
            Some(vec!["chaos".to_string(), "--n".into(), "3".into()])
        );
        assert_eq!(
            args_of("cargo run -p quorum-model -- sweep", "quorum-bench"),
            None
        );
    }
}
