//! Every format is found by its header alone, and no two formats claim one file: each CSV under
//! `tests/fixtures/` (the hostile corpus in `bad/` aside) is claimed by exactly one format, the
//! one the importer then reads it as. The real-shaped samples in `../shared/samples/` (when that
//! folder is there) are held to the same rule, except the files that are not a user's own
//! records (the bank layouts burnrate does not know, which the user maps, and a merchant's Stripe
//! payment reports), which no format may claim.

use std::path::{Path, PathBuf};

use burnrate::domain::import::{self, FileOptions, formats};

fn csv_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "bad") {
                continue;
            }
            csv_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("csv"))
        {
            out.push(path);
        }
    }
}

/// The ids of every format whose detection claims the file's header.
fn claimants(path: &Path) -> Vec<&'static str> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let open = move || -> std::io::Result<Box<dyn std::io::Read + Send>> {
        Ok(Box::new(std::io::Cursor::new(bytes.clone())))
    };
    let Ok((header, _)) = import::read_header(&open) else {
        return Vec::new();
    };
    formats::all()
        .iter()
        .filter(|f| f.detect(&header))
        .map(|f| f.id())
        .collect()
}

/// The format the importer picks for the file.
fn detected_as(path: &Path) -> &'static str {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let open = move || -> std::io::Result<Box<dyn std::io::Read + Send>> {
        Ok(Box::new(std::io::Cursor::new(bytes.clone())))
    };
    let (header, _) =
        import::read_header(&open).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    import::detect_format(&header, &FileOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .id()
}

#[test]
fn each_fixture_is_claimed_by_exactly_one_format() {
    let mut files = Vec::new();
    csv_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        &mut files,
    );
    assert!(files.len() > 30, "fixtures not found: {files:?}");
    let mut wrong = Vec::new();
    for path in &files {
        let claimed = claimants(path);
        if claimed.len() != 1 {
            wrong.push(format!("{}: {claimed:?}", path.display()));
            continue;
        }
        assert_eq!(detected_as(path), claimed[0], "{}", path.display());
    }
    assert!(
        wrong.is_empty(),
        "claimed by none or several formats:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn each_known_sample_is_claimed_by_exactly_one_format() {
    let Some(root) = crate::samples::root() else {
        return;
    };
    let mut files = Vec::new();
    csv_files(&root, &mut files);
    let mut wrong = Vec::new();
    for path in &files {
        let claimed = claimants(path);
        let not_ours = path
            .parent()
            .is_some_and(|p| p.ends_with("generic-bank-variants") || p.ends_with("stripe"));
        let want = usize::from(!not_ours);
        if claimed.len() != want {
            wrong.push(format!("{}: {claimed:?}", path.display()));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_readme_names_every_format_id() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let missing: Vec<&str> = formats::all()
        .iter()
        .map(|f| f.id())
        .filter(|id| !readme.contains(&format!("`{id}`")))
        .collect();
    assert!(missing.is_empty(), "README.md does not name {missing:?}");
}
