//! Files that are not CSV exports, told from their first bytes: a PDF statement renamed to
//! `.csv`, a spreadsheet, an archive, an image, a saved web page, an OFX bank file or JSON. The
//! importer says what the file is and where the CSV export is found, instead of "no header row".
//!
//! Only signatures that no CSV file starts with are used, so a real export is never refused.

/// A kind of file that is not a CSV export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotCsv {
    Pdf,
    Workbook,
    OldWorkbook,
    Gzip,
    Image,
    WebPage,
    Ofx,
    Json,
}

impl NotCsv {
    /// What the file is, for people ("a PDF document").
    pub fn what(self) -> &'static str {
        match self {
            NotCsv::Pdf => "a PDF document",
            NotCsv::Workbook => "an Excel workbook (.xlsx) or a ZIP archive",
            NotCsv::OldWorkbook => "an Excel workbook in the old .xls format",
            NotCsv::Gzip => "a compressed (gzip) file",
            NotCsv::Image => "an image",
            NotCsv::WebPage => "a web page saved from the browser",
            NotCsv::Ofx => "an OFX/QFX bank file (the Quicken or Money download)",
            NotCsv::Json => "a JSON file",
        }
    }

    /// Where the CSV export is, or how to turn the file into one.
    pub fn advice(self) -> &'static str {
        match self {
            NotCsv::Pdf | NotCsv::Image | NotCsv::WebPage | NotCsv::Json => {
                "download the CSV export instead: providers offer it on their usage page (OpenAI: Usage, Export, CSV; Anthropic Console: Usage or Cost, Export), banks and card issuers under Statements or Transactions, Download, CSV"
            }
            NotCsv::Workbook => {
                "open it in a spreadsheet and save it as CSV (File, Save As, CSV), or unzip it and import the CSV inside"
            }
            NotCsv::OldWorkbook => {
                "open it in a spreadsheet and save it as CSV (File, Save As, CSV)"
            }
            NotCsv::Gzip => "decompress it and import the CSV inside",
            NotCsv::Ofx => {
                "download the same statement as CSV instead (the bank offers CSV next to OFX/QFX)"
            }
        }
    }

    /// The kind of a file from its first bytes (up to a few kilobytes), or `None` for a file
    /// that may be CSV text.
    pub fn sniff(head: &[u8]) -> Option<NotCsv> {
        let starts = |magic: &[u8]| head.starts_with(magic);
        // A PDF may have a few bytes of junk before its marker.
        if head
            .get(..head.len().min(1024))
            .is_some_and(|h| h.windows(5).any(|w| w == b"%PDF-"))
        {
            return Some(NotCsv::Pdf);
        }
        if starts(b"PK\x03\x04") {
            return Some(NotCsv::Workbook);
        }
        if starts(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
            return Some(NotCsv::OldWorkbook);
        }
        if starts(b"\x1F\x8B") {
            return Some(NotCsv::Gzip);
        }
        if starts(b"\x89PNG") || starts(b"\xFF\xD8\xFF") || starts(b"GIF8") {
            return Some(NotCsv::Image);
        }
        let text = String::from_utf8_lossy(head.get(..head.len().min(512)).unwrap_or_default());
        let text = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
        let lower = text
            .get(..text.len().min(64))
            .unwrap_or_default()
            .to_ascii_lowercase();
        if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
            return Some(NotCsv::WebPage);
        }
        if lower.starts_with("ofxheader:") || lower.starts_with("<ofx>") || text.contains("<OFX>") {
            return Some(NotCsv::Ofx);
        }
        if (text.starts_with('{') && text.contains('"') && text.contains(':'))
            || text.starts_with("[{")
        {
            return Some(NotCsv::Json);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_files_that_are_not_csv_from_their_first_bytes() {
        let cases: &[(&[u8], Option<NotCsv>)] = &[
            (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", Some(NotCsv::Pdf)),
            (b"\n\n%PDF-1.4\n", Some(NotCsv::Pdf)),
            (b"PK\x03\x04\x14\0\x06\0", Some(NotCsv::Workbook)),
            (
                b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0",
                Some(NotCsv::OldWorkbook),
            ),
            (b"\x1F\x8B\x08\0", Some(NotCsv::Gzip)),
            (b"\x89PNG\r\n\x1a\n", Some(NotCsv::Image)),
            (b"\xEF\xBB\xBF<!DOCTYPE html><html>", Some(NotCsv::WebPage)),
            (b"OFXHEADER:100\nDATA:OFXSGML\n", Some(NotCsv::Ofx)),
            (b"{\"object\":\"page\",\"data\":[]}", Some(NotCsv::Json)),
            (b"Date,Description,Amount\n01/02/2026,OPENAI,5.00\n", None),
            (b"\"Date\",\"Payee\",\"Amount (EUR)\"\n", None),
            (b"start_time,end_time\n1,2\n", None),
            (b"", None),
        ];
        for (head, want) in cases {
            assert_eq!(
                NotCsv::sniff(head),
                *want,
                "{:?}",
                String::from_utf8_lossy(head)
            );
        }
    }
}
