//! Files burnrate writes for the user (the HTML review, dispute packets, chart images): private
//! to their owner (mode 0600), like the ledger they are taken from. A file that already exists
//! (a 0-byte file the user made, last month's export) is made private as it is overwritten.

use std::io::Write as _;
use std::path::Path;

/// Writes `bytes` to `path`, creating or replacing it, readable and writable by its owner only.
///
/// # Errors
/// When the file cannot be created or written.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The mode above applies only to a file this call creates.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_pre_created_readable_file_becomes_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("review.html");
        std::fs::write(&path, b"").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&path, b"<html>").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            (mode, std::fs::read(&path).unwrap()),
            (0o600, b"<html>".to_vec())
        );
    }
}
