//! A small client of Garage's K2V API: `InsertItem` and `ReadItem` over
//! HTTP/1.1 with keep-alive on plain loopback TCP, each request signed
//! with AWS Signature V4 (service `k2v`) by the `aws-sigv4` crate.
//!
//! The K2V API (Garage's `doc/drafts/k2v-spec.md`): `PUT /BUCKET/PK?sort_key=SK`
//! inserts a value, superseding the values named by an
//! `X-Garage-Causality-Token` header (without one the new value is a
//! sibling of those stored); `GET` returns the value (200), none (404), or
//! several concurrent values (409 with `Accept: application/octet-stream`).

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime};

/// The causality token header.
pub const CAUSALITY: &str = "x-garage-causality-token";

/// Where and as whom to talk.
#[derive(Clone)]
pub struct Endpoint {
    pub port: u16,
    pub bucket: String,
    pub region: String,
    pub identity: Identity,
}

impl Endpoint {
    pub fn new(port: u16, bucket: &str, region: &str, key_id: &str, secret: &str) -> Self {
        Endpoint {
            port,
            bucket: bucket.into(),
            region: region.into(),
            identity: Credentials::new(key_id, secret, None, None, "quorum-bench").into(),
        }
    }
}

/// What a read found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// One value, and the causality token covering it.
    Value(Vec<u8>, String),
    /// Nothing stored.
    Missing,
    /// Several concurrent values (siblings: writes whose causality token
    /// did not cover each other), and the token covering them all.
    Conflict(Vec<Vec<u8>>, String),
}

/// An HTTP answer: status, lower-cased headers, body.
type Response = (u16, Vec<(String, String)>, Vec<u8>);

/// One keep-alive connection to one node's K2V port.
pub struct Client {
    ep: Endpoint,
    conn: Option<BufReader<TcpStream>>,
    timeout: Duration,
}

impl Client {
    pub fn new(ep: Endpoint, timeout: Duration) -> Self {
        Client {
            ep,
            conn: None,
            timeout,
        }
    }

    /// `InsertItem`.
    pub fn insert(
        &mut self,
        pk: &str,
        sk: &str,
        value: &[u8],
        token: Option<&str>,
    ) -> Result<(), String> {
        let extra: Vec<(&str, &str)> = token.map(|t| (CAUSALITY, t)).into_iter().collect();
        let (status, _, _) = self.request("PUT", pk, sk, value, &extra)?;
        match status {
            200 | 204 => Ok(()),
            s => Err(format!("InsertItem answered HTTP {s}")),
        }
    }

    /// `ReadItem`: monotonic (Garage's default: when the `r` answers
    /// differ, the coordinator writes the merged value back to every
    /// replica before answering) unless `non_monotonic`.
    pub fn read(&mut self, pk: &str, sk: &str, non_monotonic: bool) -> Result<Found, String> {
        // One value comes as bytes, several as a JSON array.
        let mut headers = vec![("accept", "application/octet-stream, application/json")];
        if non_monotonic {
            headers.push(("x-garage-non-monotonic-read", "true"));
        }
        let (status, headers, body) = self.request("GET", pk, sk, &[], &headers)?;
        let token = || {
            headers
                .iter()
                .find(|(k, _)| k == CAUSALITY)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let json = headers
            .iter()
            .any(|(k, v)| k == "content-type" && v.contains("json"));
        match status {
            200 if json => {
                let values: Vec<Option<String>> = serde_json::from_slice(&body).map_err(|e| {
                    format!("ReadItem: a JSON answer that is not a list of values: {e}")
                })?;
                let values = values
                    .into_iter()
                    .flatten()
                    .map(|v| base64_decode(&v))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(match values.len() {
                    0 => Found::Missing,
                    1 => Found::Value(values.into_iter().next().expect("one"), token()),
                    _ => Found::Conflict(values, token()),
                })
            }
            200 => Ok(Found::Value(body, token())),
            204 | 404 => Ok(Found::Missing),
            409 => Ok(Found::Conflict(Vec::new(), token())),
            s => Err(format!(
                "ReadItem answered HTTP {s}: {}",
                String::from_utf8_lossy(&body).trim()
            )),
        }
    }

    fn request(
        &mut self,
        method: &str,
        pk: &str,
        sk: &str,
        body: &[u8],
        extra: &[(&str, &str)],
    ) -> Result<Response, String> {
        // One retry on a fresh connection: a kept-alive one may have been
        // closed by the server between requests.
        let reused = self.conn.is_some();
        match self.try_request(method, pk, sk, body, extra) {
            Err(_) if reused => {
                self.conn = None;
                self.try_request(method, pk, sk, body, extra)
            }
            other => other,
        }
    }

    fn try_request(
        &mut self,
        method: &str,
        pk: &str,
        sk: &str,
        body: &[u8],
        extra: &[(&str, &str)],
    ) -> Result<Response, String> {
        let host = format!("127.0.0.1:{}", self.ep.port);
        let path = format!("/{}/{}?sort_key={}", self.ep.bucket, pk, sk);
        let uri = format!("http://{host}{path}");
        let mut headers: Vec<(String, String)> = vec![("host".into(), host.clone())];
        headers.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut settings = SigningSettings::default();
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        let params = v4::SigningParams::builder()
            .identity(&self.ep.identity)
            .region(&self.ep.region)
            .name("k2v")
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .map_err(|e| format!("signing: {e}"))?
            .into();
        let signable = SignableRequest::new(
            method,
            &uri,
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(body),
        )
        .map_err(|e| format!("signing: {e}"))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| format!("signing: {e}"))?
            .into_parts();
        let mut head = format!("{method} {path} HTTP/1.1\r\n");
        for (k, v) in headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain(instructions.headers())
        {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
        if self.conn.is_none() {
            let s = TcpStream::connect(&host).map_err(|e| format!("connect {host}: {e}"))?;
            s.set_nodelay(true).ok();
            s.set_read_timeout(Some(self.timeout)).ok();
            s.set_write_timeout(Some(self.timeout)).ok();
            self.conn = Some(BufReader::new(s));
        }
        let conn = self.conn.as_mut().expect("connected");
        let mut out = head.into_bytes();
        out.extend_from_slice(body);
        conn.get_mut()
            .write_all(&out)
            .map_err(|e| format!("send to {host}: {e}"))?;
        let result = read_response(conn, method == "HEAD");
        if result.is_err() {
            self.conn = None;
        }
        result
    }
}

/// Status, lower-cased headers and body of one HTTP/1.1 response.
fn read_response(conn: &mut BufReader<TcpStream>, head_only: bool) -> Result<Response, String> {
    let mut line = String::new();
    conn.read_line(&mut line)
        .map_err(|e| format!("read: {e}"))?;
    if line.is_empty() {
        return Err("connection closed".into());
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {line:?}"))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        conn.read_line(&mut line)
            .map_err(|e| format!("read: {e}"))?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut body = Vec::new();
    if head_only || status == 204 || status == 304 {
        return Ok((status, headers, body));
    }
    if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        loop {
            line.clear();
            conn.read_line(&mut line)
                .map_err(|e| format!("read: {e}"))?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16)
                .map_err(|_| format!("bad chunk size {line:?}"))?;
            let mut chunk = vec![0u8; size + 2];
            conn.read_exact(&mut chunk)
                .map_err(|e| format!("read: {e}"))?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(len) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(len, 0);
        conn.read_exact(&mut body)
            .map_err(|e| format!("read: {e}"))?;
    }
    Ok((status, headers, body))
}

/// Standard base64 (RFC 4648, with padding), as Garage's JSON answers
/// carry values.
pub fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some((c - b'A') as u32),
            b'a'..=b'z' => Some((c - b'a') as u32 + 26),
            b'0'..=b'9' => Some((c - b'0') as u32 + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let bytes: Vec<u8> = text.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = value(c).ok_or_else(|| format!("not base64: {text:?}"))?;
            acc |= v << (18 - 6 * i);
        }
        let take = match chunk.len() {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => return Err(format!("not base64: {text:?}")),
        };
        out.extend_from_slice(&acc.to_be_bytes()[1..1 + take]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_what_the_standard_encodes() {
        // RFC 4648 section 10's test vectors.
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_decode(coded).unwrap(), plain.as_bytes(), "{coded}");
        }
        assert!(base64_decode("Zm9v!").is_err());
        assert!(base64_decode("Z").is_err());
    }

    /// A server that answers each request with the next canned answer and
    /// records the requests' heads.
    fn server(answers: Vec<&'static str>) -> (u16, std::sync::mpsc::Receiver<String>) {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let (s, _) = l.accept().unwrap();
            let mut r = BufReader::new(s);
            for a in answers {
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    r.read_line(&mut line).unwrap();
                    if line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length: "))
                    .map_or(0, |v| v.trim().parse().unwrap());
                let mut body = vec![0u8; len];
                r.read_exact(&mut body).unwrap();
                tx.send(head).unwrap();
                r.get_mut().write_all(a.as_bytes()).unwrap();
            }
        });
        (port, rx)
    }

    #[test]
    fn answers_are_parsed_and_requests_signed() {
        let (port, heads) = server(vec![
            "HTTP/1.1 204 No Content\r\n\r\n",
            "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\nx-garage-causality-token: tok1\r\ncontent-length: 2\r\n\r\n42",
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-garage-causality-token: tok2\r\ntransfer-encoding: chunked\r\n\r\n7\r\n[\"Mw==\"\r\na\r\n, \"NDI=\"]\n\r\n0\r\n\r\n",
            "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\n\r\nbusy",
        ]);
        let ep = Endpoint::new(port, "b", "garage", "GK0000", "secret");
        let mut c = Client::new(ep, Duration::from_secs(5));
        c.insert("p", "k", b"42", Some("tok0")).unwrap();
        let head = heads.recv().unwrap();
        assert!(head.starts_with("PUT /b/p?sort_key=k HTTP/1.1"), "{head}");
        assert!(head.contains("x-garage-causality-token: tok0"), "{head}");
        assert!(
            head.contains("authorization: AWS4-HMAC-SHA256 Credential=GK0000/"),
            "{head}"
        );
        assert!(head.contains("/garage/k2v/aws4_request"), "{head}");
        assert!(head.contains("x-amz-content-sha256: "), "{head}");
        assert_eq!(
            c.read("p", "k", false).unwrap(),
            Found::Value(b"42".to_vec(), "tok1".into())
        );
        assert!(!heads.recv().unwrap().contains("non-monotonic"));
        assert_eq!(
            c.read("p", "k", true).unwrap(),
            Found::Conflict(vec![b"3".to_vec(), b"42".to_vec()], "tok2".into())
        );
        assert!(heads
            .recv()
            .unwrap()
            .contains("x-garage-non-monotonic-read: true"));
        assert_eq!(c.read("p", "k", false).unwrap(), Found::Missing);
        let e = c.read("p", "k", false).unwrap_err();
        assert!(e.contains("503") && e.contains("busy"), "{e}");
    }
}
