//! Files are written whole or not at all: into a temporary file beside the
//! target, then renamed over it. Opening the temporary file first also tells
//! whether the target is writable before any work is done.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file to be written later, already known to be writable.
#[derive(Debug)]
pub struct PendingFile {
    target: PathBuf,
    temp: PathBuf,
    file: Option<io::BufWriter<File>>,
}

impl PendingFile {
    /// Creates the temporary file next to `target` (fails if the directory
    /// does not exist or is not writable).
    pub fn create(target: &Path) -> io::Result<Self> {
        if target.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "is a directory",
            ));
        }
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let temp = dir.join(format!(
            ".{}.tmp-{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = File::create(&temp)?;
        Ok(PendingFile {
            target: target.to_path_buf(),
            temp,
            file: Some(io::BufWriter::with_capacity(1 << 20, file)),
        })
    }

    /// Appends `bytes` (the file stays pending: nothing is visible at the
    /// target until [`PendingFile::finish`]). Large outputs are written this
    /// way, piece by piece, so that they need not be held in memory.
    pub fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file
            .as_mut()
            .expect("not yet committed")
            .write_all(bytes)
    }

    /// Syncs what was appended and renames the file into place.
    pub fn finish(self) -> io::Result<()> {
        self.commit(&[])
    }

    /// Writes `contents` and renames the file into place.
    pub fn commit(mut self, contents: &[u8]) -> io::Result<()> {
        let mut file = self.file.take().expect("committed once");
        let written = file
            .write_all(contents)
            .and_then(|_| file.flush())
            .and_then(|_| file.get_ref().sync_all());
        drop(file);
        let result = written.and_then(|_| fs::rename(&self.temp, &self.target));
        if result.is_err() {
            let _ = fs::remove_file(&self.temp);
        }
        result
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        // Not committed: leave nothing behind.
        if self.file.is_some() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Writes `contents` to `target` atomically.
pub fn write_atomic(target: &Path, contents: &[u8]) -> io::Result<()> {
    PendingFile::create(target)?.commit(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_cleans_up() {
        let dir = std::env::temp_dir().join(format!("qm-atomic-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let target = dir.join("out.csv");
        write_atomic(&target, b"a,b\n").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"a,b\n");
        // An abandoned pending file leaves the old contents and no temp.
        drop(PendingFile::create(&target).unwrap());
        assert_eq!(fs::read(&target).unwrap(), b"a,b\n");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        assert!(PendingFile::create(Path::new("/nonexistent-dir/x.csv")).is_err());
        assert!(PendingFile::create(&dir).is_err());
    }
}
