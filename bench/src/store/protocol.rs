//! The wire format: length-prefixed binary frames over TCP.
//!
//! ```text
//! frame    := len:u32 body            (little endian; len = body length)
//! request  := op:u64 kind:u8 key:u64 version:u64 vlen:u32 value[vlen]
//!             kind 1 = write (version, value), 2 = read (version 0, no value),
//!             3 = digest (anti-entropy: every key the replica holds)
//! response := op:u64 kind:u8 key:u64 version:u64 vlen:u32 value[vlen]
//!             kind 1 = write ack, 2 = read result (version 0: key unknown),
//!             3 = digest: value = (key:u64 version:u64 vlen:u32 value)*
//! ```
//!
//! Requests and responses share one layout; `op` matches a response to its
//! request, so many operations can be in flight on one connection.

use std::io::{self, Read, Write};

pub const WRITE: u8 = 1;
pub const READ: u8 = 2;
pub const DIGEST: u8 = 3;

/// A digest's entries, `(key, version, value)`, encoded.
pub fn encode_digest(entries: &[(u64, u64, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v, value) in entries {
        out.extend_from_slice(&k.to_le_bytes());
        out.extend_from_slice(&v.to_le_bytes());
        out.extend_from_slice(&(value.len() as u32).to_le_bytes());
        out.extend_from_slice(value);
    }
    out
}

/// A digest's entries, decoded (a truncated tail is dropped).
pub fn decode_digest(mut bytes: &[u8]) -> Vec<(u64, u64, Vec<u8>)> {
    let mut out = Vec::new();
    while bytes.len() >= 20 {
        let k = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
        let v = u64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes"));
        let len = u32::from_le_bytes(bytes[16..20].try_into().expect("4 bytes")) as usize;
        if bytes.len() < 20 + len {
            break;
        }
        out.push((k, v, bytes[20..20 + len].to_vec()));
        bytes = &bytes[20 + len..];
    }
    out
}
/// Largest frame accepted (values are small in every workload here).
pub const MAX_FRAME: usize = 1 << 20;

/// One request or response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub op: u64,
    pub kind: u8,
    pub key: u64,
    pub version: u64,
    pub value: Vec<u8>,
}

impl Frame {
    /// Encodes the frame with its length prefix.
    pub fn encode(&self) -> Vec<u8> {
        let body_len = 8 + 1 + 8 + 8 + 4 + self.value.len();
        let mut out = Vec::with_capacity(4 + body_len);
        out.extend_from_slice(&(body_len as u32).to_le_bytes());
        out.extend_from_slice(&self.op.to_le_bytes());
        out.push(self.kind);
        out.extend_from_slice(&self.key.to_le_bytes());
        out.extend_from_slice(&self.version.to_le_bytes());
        out.extend_from_slice(&(self.value.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.value);
        out
    }

    /// Writes the frame.
    pub fn write_to(&self, w: &mut impl Write) -> io::Result<()> {
        w.write_all(&self.encode())
    }

    /// Reads one frame; `Ok(None)` at a clean end of stream.
    pub fn read_from(r: &mut impl Read) -> io::Result<Option<Frame>> {
        let mut len = [0u8; 4];
        match r.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        let len = u32::from_le_bytes(len) as usize;
        if !(29..=MAX_FRAME).contains(&len) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("bad frame length {len}"),
            ));
        }
        let mut body = vec![0u8; len];
        r.read_exact(&mut body)?;
        let u64_at = |i: usize| u64::from_le_bytes(body[i..i + 8].try_into().expect("8 bytes"));
        let vlen = u32::from_le_bytes(body[25..29].try_into().expect("4 bytes")) as usize;
        if 29 + vlen != len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "value length disagrees with frame length",
            ));
        }
        Ok(Some(Frame {
            op: u64_at(0),
            kind: body[8],
            key: u64_at(9),
            version: u64_at(17),
            value: body[29..].to_vec(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let f = Frame {
            op: 7,
            kind: WRITE,
            key: 42,
            version: 9,
            value: b"hello".to_vec(),
        };
        let bytes = f.encode();
        let mut cursor = std::io::Cursor::new(bytes.clone());
        assert_eq!(Frame::read_from(&mut cursor).unwrap(), Some(f));
        assert_eq!(Frame::read_from(&mut cursor).unwrap(), None);
        // A truncated frame is an error, not a silent end.
        let mut short = std::io::Cursor::new(bytes[..bytes.len() - 1].to_vec());
        assert!(Frame::read_from(&mut short).is_err());
    }

    #[test]
    fn refuses_absurd_lengths() {
        let mut c = std::io::Cursor::new(vec![0xff, 0xff, 0xff, 0x7f, 0, 0]);
        assert!(Frame::read_from(&mut c).is_err());
    }
}
