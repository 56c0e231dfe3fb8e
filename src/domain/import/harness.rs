//! One entry point that reads any bytes as a file someone imports, for the fuzz target
//! (`fuzz/`) and for the test that replays the fuzz corpus on every `cargo test`.
//!
//! The first byte chooses what the user said (detection, or `--as` one of the formats, and a
//! date order); the rest is the file. It exercises format detection, encoding, delimiter and
//! decimal sniffing, every row parser, the record guard and secret masking, and checks the
//! promises a user relies on: no panic, every rejected row names its line.

use super::{DateOrder, FileOptions, formats, parse_bytes, read_header};
use crate::domain::secrets;

/// Imports `data` in memory as described above.
///
/// # Panics
/// When a promise is broken: that is what the fuzzer looks for.
pub fn import_bytes(data: &[u8]) {
    let (choice, bytes) = data.split_first().map_or((0, data), |(c, rest)| (*c, rest));
    let mut options = FileOptions::default();
    if choice & 0x80 != 0 {
        let all = formats::all();
        options.format = all
            .get(usize::from(choice & 0x1f) % all.len().max(1))
            .map(|f| f.id().to_string());
    }
    options.date_order = match (choice >> 5) & 0x3 {
        1 => Some(DateOrder::DayFirst),
        2 => Some(DateOrder::MonthFirst),
        _ => None,
    };
    let owned = bytes.to_vec();
    let open = move || -> std::io::Result<Box<dyn std::io::Read + Send>> {
        Ok(Box::new(std::io::Cursor::new(owned.clone())))
    };
    let _ = read_header(&open);
    let Ok(parsed) = parse_bytes(bytes, &options) else {
        return;
    };
    for rejected in &parsed.rejected {
        assert!(
            rejected.line >= 1,
            "a rejected row without its line: {rejected:?}"
        );
    }
    for mut record in parsed.records {
        let _ = record.natural_key();
        secrets::mask_record(&mut record);
        for text in secrets::text_fields_mut(&mut record) {
            assert!(secrets::mask(text).is_none(), "masking left a key: {text}");
        }
    }
}
