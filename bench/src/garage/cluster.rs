//! A Garage cluster on loopback: `n` nodes, each with its own ports and
//! directories, each node's advertised RPC address its delaying
//! [`Proxy`], one zone per node, a bucket and a key. Dropping the cluster
//! kills every node and removes its directories, also when a run fails;
//! the nodes are asked to die with this process (`PR_SET_PDEATHSIG`), and
//! Ctrl-C stops a run through [`interrupted`].

use super::proxy::{Proxy, Shaping};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The bucket every run uses.
pub const BUCKET: &str = "quorum-bench";
/// The S3 region Garage is configured with (the K2V signature's region).
pub const REGION: &str = "garage";

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether Ctrl-C (SIGINT) or SIGTERM has arrived since
/// [`catch_interrupts`].
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// From now on Ctrl-C and SIGTERM set [`interrupted`] instead of killing
/// the process, so that runs stop and tear their cluster down.
pub fn catch_interrupts() {
    // SAFETY: the handler only stores to an atomic, which is
    // async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
}

/// A Garage consistency mode and the quorums it sets for a replication
/// factor `n` (garage_rpc/replication_mode.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Consistent,
    Degraded,
    Dangerous,
}

impl Mode {
    pub const NAMES: &'static str = "consistent, degraded, dangerous";

    pub fn name(self) -> &'static str {
        match self {
            Mode::Consistent => "consistent",
            Mode::Degraded => "degraded",
            Mode::Dangerous => "dangerous",
        }
    }

    /// `(r, w)` for replication factor `n`: consistent reads ceil(n/2) and
    /// writes n + 1 - that; degraded reads 1 with the same writes;
    /// dangerous reads and writes 1.
    pub fn quorums(self, n: usize) -> (usize, usize) {
        let r_consistent = n.div_ceil(2);
        let w_consistent = n + 1 - r_consistent;
        match self {
            Mode::Consistent => (r_consistent, w_consistent),
            Mode::Degraded => (1, w_consistent),
            Mode::Dangerous => (1, 1),
        }
    }
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "consistent" => Ok(Mode::Consistent),
            "degraded" => Ok(Mode::Degraded),
            "dangerous" => Ok(Mode::Dangerous),
            _ => Err(format!("must be one of {}", Mode::NAMES)),
        }
    }
}

/// One node.
struct Node {
    dir: PathBuf,
    config: PathBuf,
    k2v_port: u16,
    proxy: Proxy,
    child: Option<Child>,
    id: String,
}

/// A running cluster.
pub struct Cluster {
    binary: PathBuf,
    root: PathBuf,
    nodes: Vec<Node>,
    pub key_id: String,
    pub secret: String,
    pub shaping: Arc<Shaping>,
    keep: bool,
    /// When the layout was applied: every node then runs a full
    /// anti-entropy sync and its next one 10 minutes later
    /// (garage_table/sync.rs: a layout change triggers a sync and resets
    /// the timer).
    pub layout_applied: Instant,
}

/// A loopback port for a Garage listener, free when checked.
///
/// Not one from `bind(0)`: that comes from the kernel's ephemeral range
/// (32768-60999 on Linux), which outgoing connections also draw from, so
/// between releasing the check's socket and Garage's bind, one of our
/// clients' connections could take it (on a busy machine, a node then
/// never answers). These ports lie below that range, each handed out once
/// per process, from an offset that depends on the process id so that
/// test binaries running side by side start far apart.
fn free_port() -> std::io::Result<u16> {
    const LOW: u32 = 20_000;
    const SPAN: u32 = 12_000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let offset = std::process::id().wrapping_mul(2_654_435_761) % SPAN;
    for _ in 0..SPAN {
        let k = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = (LOW + (offset + k) % SPAN) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn spawn(binary: &Path, config: &Path, dir: &Path) -> Result<Child, String> {
    let log = |name: &str| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(name))
            .map_err(|e| format!("{}: {e}", dir.join(name).display()))
    };
    let mut cmd = Command::new(binary);
    cmd.arg("-c")
        .arg(config)
        .arg("server")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(log("stdout.log")?)
        .stderr(log("stderr.log")?);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl is async-signal-safe; the node dies with us.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
    }
    cmd.spawn()
        .map_err(|e| format!("could not start {}: {e}", binary.display()))
}

impl Cluster {
    /// Starts `nodes` nodes with replication factor `n` in `mode`, connects
    /// them, applies a layout with one zone per node and creates the
    /// bucket and a key. The proxies start with their delays off.
    pub fn start(
        binary: &Path,
        nodes: usize,
        n: usize,
        mode: Mode,
        shaping: Arc<Shaping>,
        keep: bool,
    ) -> Result<Self, String> {
        let root = std::env::temp_dir().join(format!("quorum-bench-garage-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
        let mut cluster = Cluster {
            binary: binary.to_path_buf(),
            root: root.clone(),
            nodes: Vec::new(),
            key_id: String::new(),
            secret: String::new(),
            shaping: shaping.clone(),
            keep,
            layout_applied: Instant::now(),
        };
        let secret: String = (0..32)
            .map(|i| format!("{:02x}", (i * 37 + 11) as u8))
            .collect();
        for i in 0..nodes {
            let dir = root.join(format!("node{}", i + 1));
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let io = |e: std::io::Error| format!("no free loopback port: {e}");
            let (rpc, s3, k2v, admin) = (
                free_port().map_err(io)?,
                free_port().map_err(io)?,
                free_port().map_err(io)?,
                free_port().map_err(io)?,
            );
            let proxy = Proxy::start(rpc, shaping.clone()).map_err(io)?;
            let config = dir.join("garage.toml");
            let text = format!(
                r#"metadata_dir = "{d}/meta"
data_dir = "{d}/data"
db_engine = "lmdb"
replication_factor = {n}
consistency_mode = "{mode}"
rpc_bind_addr = "127.0.0.1:{rpc}"
rpc_public_addr = "127.0.0.1:{public}"
rpc_secret = "{secret}"

[s3_api]
s3_region = "{REGION}"
api_bind_addr = "127.0.0.1:{s3}"

[k2v_api]
api_bind_addr = "127.0.0.1:{k2v}"

[admin]
api_bind_addr = "127.0.0.1:{admin}"
"#,
                d = dir.display(),
                mode = mode.name(),
                public = proxy.port,
            );
            std::fs::write(&config, text).map_err(|e| format!("{}: {e}", config.display()))?;
            let child = spawn(binary, &config, &dir)?;
            cluster.nodes.push(Node {
                dir,
                config,
                k2v_port: k2v,
                proxy,
                child: Some(child),
                id: String::new(),
            });
        }
        for i in 0..nodes {
            cluster.nodes[i].id = cluster.wait_for_id(i)?;
        }
        for i in 1..nodes {
            let target = format!(
                "{}@127.0.0.1:{}",
                cluster.nodes[i].id, cluster.nodes[i].proxy.port
            );
            cluster.garage(0, &["node", "connect", &target])?;
        }
        for i in 0..nodes {
            let id = cluster.nodes[i].id.clone();
            let zone = format!("z{}", i + 1);
            cluster.garage(0, &["layout", "assign", "-z", &zone, "-c", "1G", &id])?;
        }
        cluster.garage(0, &["layout", "apply", "--version", "1"])?;
        cluster.layout_applied = Instant::now();
        let key = cluster.garage(0, &["json-api", "CreateKey", r#"{"name":"quorum-bench"}"#])?;
        let v: serde_json::Value = serde_json::from_str(&key)
            .map_err(|e| format!("garage json-api CreateKey: {e}: {key}"))?;
        cluster.key_id = v["accessKeyId"].as_str().unwrap_or_default().to_string();
        cluster.secret = v["secretAccessKey"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if cluster.key_id.is_empty() {
            return Err(format!("garage json-api CreateKey gave no key: {key}"));
        }
        cluster.garage(0, &["bucket", "create", BUCKET])?;
        let key_id = cluster.key_id.clone();
        cluster.garage(
            0,
            &[
                "bucket", "allow", "--read", "--write", "--owner", BUCKET, "--key", &key_id,
            ],
        )?;
        Ok(cluster)
    }

    /// Node `i`'s K2V port.
    pub fn k2v_port(&self, i: usize) -> u16 {
        self.nodes[i].k2v_port
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Where the nodes' directories and logs are.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn wait_for_id(&mut self, i: usize) -> Result<String, String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(c) = self.nodes[i].child.as_mut() {
                if let Ok(Some(status)) = c.try_wait() {
                    return Err(format!(
                        "garage node {} exited at start ({status}); see {}",
                        i + 1,
                        self.nodes[i].dir.join("stderr.log").display()
                    ));
                }
            }
            match self.garage(i, &["node", "id", "-q"]) {
                Ok(out) if out.len() >= 64 => return Ok(out[..64].to_string()),
                _ if Instant::now() > deadline || interrupted() => {
                    return Err(format!(
                        "garage node {} did not answer within 60 s; see {}",
                        i + 1,
                        self.nodes[i].dir.join("stderr.log").display()
                    ))
                }
                _ => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    }

    /// Runs `garage -c <node i's config> ARGS`, its stdout on success.
    pub fn garage(&self, i: usize, args: &[&str]) -> Result<String, String> {
        let out = Command::new(&self.binary)
            .arg("-c")
            .arg(&self.nodes[i].config)
            .args(args)
            .env("RUST_LOG", "error")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("could not run {}: {e}", self.binary.display()))?;
        if !out.status.success() {
            return Err(format!(
                "garage {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Stops node `i` (SIGKILL: a crash) and cuts its connections.
    pub fn stop(&mut self, i: usize) {
        if let Some(mut c) = self.nodes[i].child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        self.nodes[i].proxy.cut();
    }

    /// Restarts node `i` with its data.
    pub fn restart(&mut self, i: usize) -> Result<(), String> {
        let n = &self.nodes[i];
        let child = spawn(&self.binary, &n.config, &n.dir)?;
        self.nodes[i].child = Some(child);
        Ok(())
    }

    /// Whether node `i` is running.
    pub fn running(&mut self, i: usize) -> bool {
        self.nodes[i]
            .child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in 0..self.nodes.len() {
            self.stop(i);
        }
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}
