//! Splitting a mailbox file into messages, streamed, in bounded memory.
//!
//! A message starts at a `From ` line that is at the start of the file or follows a blank
//! line, **and** reads as a separator: `From <sender> <date>` with a date in the asctime shape
//! (`Mon Nov  6 04:42:58 2017`), Google Takeout's (`Mon Nov 06 04:42:58 +0000 2017`) or
//! Thunderbird's (`From - Sat Apr 12 15:59:28 2025`). Any other `From ` line is body text (mbox
//! writers that forgot to quote it split messages wrongly otherwise). Body lines quoted as
//! `>From ` (mboxrd, `>>From ` too) lose one `>`. CRLF and LF files read alike.
//!
//! Only the header block of each message is kept until [`super::mail::is_candidate`] has
//! judged it; the bodies of other messages are skipped line by line without being stored, and
//! a candidate larger than [`super::MAX_MESSAGE_BYTES`] is skipped as too large. No line is
//! kept whole beyond a few kilobytes unless it belongs to a candidate, so a multi-gigabyte
//! mailbox streams in a few megabytes.

use std::io::{self, BufRead};

use super::MAX_MESSAGE_BYTES;
use super::mail::is_candidate;

/// How much of a line is looked at before deciding where it goes.
const LINE_HEAD_BYTES: usize = 1024;
/// The largest header block judged; beyond it the message is judged on what was read.
const MAX_HEADER_BYTES: usize = 256 * 1024;

/// One message of a mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MboxItem {
    /// A message whose headers speak of billing: its bytes, separator line removed.
    Candidate { line: u64, message: Vec<u8> },
    /// A message whose headers say it is not about billing: counted, not kept.
    Skipped { line: u64 },
    /// A candidate larger than [`MAX_MESSAGE_BYTES`]: skipped.
    TooLarge { line: u64 },
}

/// Streams the messages of a mailbox.
pub struct MboxReader<R: BufRead> {
    reader: R,
    /// The head of the current line, and whether the whole line is in it.
    head: Vec<u8>,
    head_complete: bool,
    line_no: u64,
    /// Bytes read so far, for progress.
    pub bytes_read: u64,
    /// The line number of a separator already read, which starts the next message.
    next_start: Option<u64>,
    started: bool,
    done: bool,
}

impl<R: BufRead> MboxReader<R> {
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            head: Vec::with_capacity(LINE_HEAD_BYTES),
            head_complete: true,
            line_no: 0,
            bytes_read: 0,
            next_start: None,
            started: false,
            done: false,
        }
    }

    /// Reads the next line's head into `self.head` (at most [`LINE_HEAD_BYTES`]); `false` at
    /// the end of the file.
    fn read_head(&mut self) -> io::Result<bool> {
        self.head.clear();
        self.head_complete = false;
        let mut any = false;
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                self.head_complete = true;
                return Ok(any);
            }
            any = true;
            let room = LINE_HEAD_BYTES - self.head.len();
            let newline = buf.iter().position(|b| *b == b'\n');
            let take = newline.map_or(buf.len(), |i| i + 1).min(room);
            self.head
                .extend_from_slice(buf.get(..take).unwrap_or_default());
            self.reader.consume(take);
            self.bytes_read += take as u64;
            if newline.is_some_and(|i| i < take) {
                self.head_complete = true;
                self.line_no += 1;
                return Ok(true);
            }
            if self.head.len() >= LINE_HEAD_BYTES {
                return Ok(true);
            }
        }
    }

    /// Reads the rest of the current line, appending up to `budget` bytes of it to `sink`.
    /// Returns how many bytes it appended.
    fn finish_line(&mut self, mut sink: Option<&mut Vec<u8>>, budget: usize) -> io::Result<usize> {
        let mut appended = 0;
        while !self.head_complete {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                self.head_complete = true;
                break;
            }
            let newline = buf.iter().position(|b| *b == b'\n');
            let take = newline.map_or(buf.len(), |i| i + 1);
            if let Some(out) = sink.as_deref_mut() {
                let room = budget.saturating_sub(appended).min(take);
                out.extend_from_slice(buf.get(..room).unwrap_or_default());
                appended += room;
            }
            self.reader.consume(take);
            self.bytes_read += take as u64;
            if newline.is_some() {
                self.head_complete = true;
                self.line_no += 1;
            }
        }
        Ok(appended)
    }

    fn head_is_blank(&self) -> bool {
        matches!(self.head.as_slice(), b"\n" | b"\r\n")
    }

    /// Finds the first separator of the file.
    fn start(&mut self) -> io::Result<()> {
        self.started = true;
        let mut previous_blank = true;
        while self.read_head()? {
            if previous_blank && is_separator(&self.head) {
                self.next_start = Some(self.line_no);
                self.finish_line(None, 0)?;
                return Ok(());
            }
            previous_blank = self.head_is_blank();
            self.finish_line(None, 0)?;
        }
        self.done = true;
        Ok(())
    }

    fn next_message(&mut self) -> io::Result<Option<MboxItem>> {
        if !self.started {
            self.start()?;
        }
        let Some(line) = self.next_start.take() else {
            return Ok(None);
        };
        // Headers: up to the first blank line.
        let mut headers = Vec::new();
        let mut ended = true;
        while self.read_head()? {
            ended = false;
            if self.head_is_blank() {
                break;
            }
            let room = MAX_HEADER_BYTES.saturating_sub(headers.len());
            let take = self.head.len().min(room);
            headers.extend_from_slice(self.head.get(..take).unwrap_or_default());
            let budget = room - take;
            let sink = (budget > 0).then_some(&mut headers);
            self.finish_line(sink, budget)?;
            ended = true;
        }
        let candidate = is_candidate(&headers);
        let mut message = if candidate { headers } else { Vec::new() };
        let mut too_large = false;
        if candidate && !ended {
            message.extend_from_slice(&self.head);
        }
        // Body: up to the next separator.
        let mut previous_blank = self.head_is_blank();
        while !ended && self.read_head()? {
            if previous_blank && is_separator(&self.head) {
                self.next_start = Some(self.line_no);
                self.finish_line(None, 0)?;
                break;
            }
            previous_blank = self.head_is_blank();
            if candidate && !too_large {
                let unquoted = unquote(&self.head);
                if message.len() + unquoted.len() > MAX_MESSAGE_BYTES {
                    too_large = true;
                    message = Vec::new();
                    self.finish_line(None, 0)?;
                    continue;
                }
                message.extend_from_slice(unquoted);
                let budget = MAX_MESSAGE_BYTES - message.len();
                let appended = self.finish_line(Some(&mut message), budget)?;
                if appended == budget && !self.head_complete {
                    too_large = true;
                }
                if message.len() >= MAX_MESSAGE_BYTES {
                    too_large = true;
                    message = Vec::new();
                }
            } else {
                self.finish_line(None, 0)?;
            }
        }
        if self.next_start.is_none() {
            self.done = true;
        }
        Ok(Some(match (candidate, too_large) {
            (false, _) => MboxItem::Skipped { line },
            (true, true) => MboxItem::TooLarge { line },
            (true, false) => MboxItem::Candidate { line, message },
        }))
    }
}

impl<R: BufRead> Iterator for MboxReader<R> {
    type Item = io::Result<MboxItem>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done && self.next_start.is_none() {
            return None;
        }
        match self.next_message() {
            Ok(Some(item)) => Some(Ok(item)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                self.next_start = None;
                Some(Err(e))
            }
        }
    }
}

/// `>From ` (and `>>From `) with one `>` removed; other lines as they are.
fn unquote(line: &[u8]) -> &[u8] {
    let quotes = line.iter().take_while(|b| **b == b'>').count();
    if quotes > 0
        && line
            .get(quotes..)
            .is_some_and(|rest| rest.starts_with(b"From "))
    {
        line.get(1..).unwrap_or(line)
    } else {
        line
    }
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Whether a line is a message separator: `From `, a sender token, then a date with a month
/// name, a time and a four-digit year.
pub fn is_separator(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let text = String::from_utf8_lossy(rest);
    let mut words = text.split_whitespace();
    let Some(sender) = words.next() else {
        return false;
    };
    if sender.is_empty() {
        return false;
    }
    let words: Vec<&str> = words.collect();
    let has_month = words.iter().any(|w| MONTHS.contains(w));
    let has_time = words.iter().any(|w| {
        let parts: Vec<&str> = w.split(':').collect();
        (2..=3).contains(&parts.len())
            && parts
                .iter()
                .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_digit()))
    });
    let has_year = words
        .iter()
        .any(|w| w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()));
    let day_or_weekday = words
        .iter()
        .any(|w| WEEKDAYS.contains(w) || (w.len() <= 2 && w.chars().all(|c| c.is_ascii_digit())));
    has_month && has_time && has_year && day_or_weekday
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str) -> Vec<MboxItem> {
        MboxReader::new(text.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .unwrap()
    }

    #[test]
    fn separators_in_every_shape() {
        let yes = [
            "From MAILER-DAEMON Mon Nov  6 04:42:58 2017\n",
            "From 1583290388308606088@xxx Mon Nov 06 04:42:58 +0000 2017\r\n",
            "From - Sat Apr 12 15:59:28 2025\n",
            "From - Sat Apr 12 2025 15:59:28\n",
            "From invoice+statements@mail.anthropic.com Sun Aug 16 10:02:11 2026\n",
        ];
        for line in yes {
            assert!(is_separator(line.as_bytes()), "{line}");
        }
        let no = [
            "From here on, the plan changes.\n",
            "From: Anthropic <x@y>\n",
            "From the desk of the CFO on Mon\n",
        ];
        for line in no {
            assert!(!is_separator(line.as_bytes()), "{line}");
        }
    }

    #[test]
    fn splits_only_on_real_separators_and_unquotes_from() {
        let mbox = "From 1@xxx Mon Nov 06 04:42:58 +0000 2017\r\n\
From: a@example.org\r\nSubject: Your receipt from Anthropic, PBC #1\r\n\r\nbody one\r\n>From here on\r\n\r\nFrom here on too\r\n\r\n\
From 2@xxx Tue Nov 07 04:42:58 +0000 2017\r\n\
From: mum@example.org\r\nSubject: lunch\r\n\r\nsee you\r\n\r\n\
From 3@xxx Wed Nov 08 04:42:58 +0000 2017\r\n\
From: b@example.org\r\nSubject: invoice\r\n\r\nlast\r\n";
        let got = items(mbox);
        assert_eq!(got.len(), 3, "{got:?}");
        let MboxItem::Candidate { line, message } = &got[0] else {
            panic!("{:?}", got[0])
        };
        assert_eq!(*line, 1);
        let text = String::from_utf8_lossy(message);
        assert!(
            text.contains("\r\nFrom here on\r\n\r\nFrom here on too\r\n"),
            "{text}"
        );
        assert!(!text.contains(">From"), "{text}");
        assert_eq!(got[1], MboxItem::Skipped { line: 10 });
        let MboxItem::Candidate { line, message } = &got[2] else {
            panic!("{:?}", got[2])
        };
        assert_eq!(*line, 16);
        assert!(String::from_utf8_lossy(message).ends_with("last\r\n"));
    }

    #[test]
    fn long_lines_of_skipped_messages_are_not_kept() {
        let long = "x".repeat(5 * LINE_HEAD_BYTES);
        let mbox = format!(
            "From a@b Mon Nov  6 04:42:58 2017\nSubject: photos\n\n{long}\n\nFrom a@b Mon Nov  6 04:43:58 2017\nSubject: Your receipt from X\n\n{long}\n"
        );
        let got = items(&mbox);
        assert_eq!(got[0], MboxItem::Skipped { line: 1 });
        let MboxItem::Candidate { message, .. } = &got[1] else {
            panic!()
        };
        assert!(String::from_utf8_lossy(message).contains(&long));
    }
}
