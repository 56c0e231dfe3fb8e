//! Cursor's dashboard usage export (`usage-events-YYYY-MM-DD.csv`), every header era: v1
//! (`Date,Model,Input (w/ Cache Write),...,Cost,Cost to you`), v2 (adds `Kind`, `Max Mode`), v3
//! (adds `Cloud Agent ID`, `Automation ID`), the team export (adds `User`) and the variant that
//! counts `Requests` instead of a `Cost`. One row is one request, dated in UTC to the
//! millisecond; it becomes one usage record with the row's total tokens.
//!
//! `Cost` is a number, `$0.32`, `EUR 3,50`, `Included` or `Free`. Included and free usage
//! (`Kind` or `Cost` saying so) is inside the plan: the tokens are kept and the cost billed is
//! zero, marked [`UsageCharge::Included`] so the ledger says "included", never a guessed price;
//! a value Cursor shows for an included request stays in the cost as written. Errored and aborted
//! requests cost nothing ([`UsageCharge::NotCharged`]); `User API Key` requests ran on the user's
//! own key and are billed by that provider ([`UsageCharge::Byok`], their value kept apart). There is no event id: the record's key is the
//! row's content (time, kind, model, token counts), and the store's occurrence index keeps two
//! identical requests apart, so a re-downloaded overlapping file adds nothing.
//!
//! The summary by model (`Model,Request Count,...,Cost ($)`) has no dates and cannot be placed in
//! time: it is refused with where to find the events export.

use super::dimensions;
use crate::domain::import::table::{BindError, FieldError, Header, Row};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};
use crate::domain::money::{Amount, Currency};
use crate::domain::records::{Record, UsageCharge, UsageGrain, UsageRecord};

/// The usage-events export.
pub struct Cursor;

const CACHE_WRITE: &[&str] = &["Input (w/ Cache Write)"];
const INPUT: &[&str] = &["Input (w/o Cache Write)"];
const OUTPUT: &[&str] = &["Output Tokens"];

impl Format for Cursor {
    fn id(&self) -> &'static str {
        "cursor"
    }
    fn name(&self) -> &'static str {
        "Cursor usage events"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Usage
    }
    fn signature(&self) -> &'static str {
        "Date, User?, Cloud Agent ID?, Automation ID?, Kind?, Model, Max Mode?, Input (w/ Cache Write), Input (w/o Cache Write), Cache Read, Output Tokens, Total Tokens, Cost (or Requests)"
    }
    fn detect(&self, h: &Header) -> bool {
        h.find(CACHE_WRITE).is_some()
            && h.find(INPUT).is_some()
            && h.find(OUTPUT).is_some()
            && h.find(&["Model"]).is_some()
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let Some(date) = h.find(&["Date"]) else {
            return Err(BindError::Other(
                "this is Cursor's summary by model, which has no dates; export the usage events instead (cursor.com, Dashboard, Usage, Export CSV: usage-events-....csv)".into(),
            ));
        };
        Ok(Box::new(CursorParser {
            date,
            user: h.find(&["User"]),
            cloud_agent: h.find(&["Cloud Agent ID"]),
            automation: h.find(&["Automation ID"]),
            kind: h.find(&["Kind"]),
            model: h.require(&["Model"])?,
            max_mode: h.find(&["Max Mode"]),
            cache_write: h.find(CACHE_WRITE),
            input: h.find(INPUT),
            cache_read: h.find(&["Cache Read"]),
            output: h.find(OUTPUT),
            total: h.find(&["Total Tokens"]),
            // v1 writes what Cursor's list price would be and what the user pays.
            cost: h.find(&["Cost to you", "Cost"]),
            requests: h.find(&["Requests"]),
        }))
    }
}

struct CursorParser {
    date: usize,
    user: Option<usize>,
    cloud_agent: Option<usize>,
    automation: Option<usize>,
    kind: Option<usize>,
    model: usize,
    max_mode: Option<usize>,
    cache_write: Option<usize>,
    input: Option<usize>,
    cache_read: Option<usize>,
    output: Option<usize>,
    total: Option<usize>,
    cost: Option<usize>,
    requests: Option<usize>,
}

/// What a `Kind` or `Cost` word says about the charge, if anything.
fn charge_word(text: &str) -> Option<UsageCharge> {
    let t = text.trim().to_lowercase();
    if t.contains("no charge") || t.contains("not charged") || t.starts_with("errored") {
        Some(UsageCharge::NotCharged)
    } else if t == "included" || t == "free" {
        Some(UsageCharge::Included)
    } else if t == "user api key" {
        Some(UsageCharge::Byok)
    } else {
        None
    }
}

/// The currency a cost cell names (`EUR 3,50`), else dollars.
fn cost_currency(text: &str) -> Currency {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .find(|w| w.len() == 3)
        .and_then(|w| Currency::parse(w).ok())
        .unwrap_or(Currency::USD)
}

/// What Cursor billed for one request.
struct Billed {
    cost: Option<Amount>,
    currency: Currency,
    charge: UsageCharge,
    /// The value of a request run on the user's own key (billed by that provider).
    byok_cost: Option<Amount>,
}

impl CursorParser {
    /// What the row's `Kind` and `Cost` say was billed. A request the plan included (or that
    /// failed) bills nothing, whatever value `Cost` shows for it; the value stays in the cost as
    /// written.
    fn billed(&self, row: &Row<'_>, kind: &str) -> Result<Billed, FieldError> {
        let kind_charge = charge_word(kind);
        let Some(column) = self.cost else {
            return Ok(Billed {
                cost: None,
                currency: Currency::USD,
                charge: kind_charge.unwrap_or_default(),
                byok_cost: None,
            });
        };
        let text = row.text(column);
        let word = if text.is_empty() || text == "-" {
            Some(UsageCharge::Included)
        } else {
            charge_word(&text)
        };
        let written = match word {
            Some(_) => None,
            None => Some(row.self_marked_amount(column)?),
        };
        let currency = cost_currency(&text);
        Ok(match (kind_charge, word, written) {
            (Some(UsageCharge::Byok), _, value) => Billed {
                cost: Some(Amount::ZERO),
                currency,
                charge: UsageCharge::Byok,
                byok_cost: value,
            },
            (Some(charge), _, _) | (None, Some(charge), _) => Billed {
                cost: Some(Amount::ZERO),
                currency,
                charge,
                byok_cost: None,
            },
            (None, None, value) => Billed {
                cost: value,
                currency,
                charge: UsageCharge::Billed,
                byok_cost: None,
            },
        })
    }
}

impl RowParser for CursorParser {
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let at = row.datetime(self.date)?;
        let kind = row.opt_text(self.kind);
        let billed = self.billed(row, &kind)?;
        let count = |c: Option<usize>| row.opt_count(c).map(Option::unwrap_or_default);
        let (cache_write, input, cache_read, output) = (
            count(self.cache_write)?,
            count(self.input)?,
            count(self.cache_read)?,
            count(self.output)?,
        );
        let tokens = match row.opt_count(self.total)? {
            Some(total) => Some(total),
            None => [cache_write, input, cache_read, output]
                .into_iter()
                .try_fold(0_i64, i64::checked_add)
                .filter(|t| *t > 0),
        };
        let number =
            |n: i64| std::borrow::Cow::Owned(if n == 0 { String::new() } else { n.to_string() });
        out.push(Record::Usage(UsageRecord {
            source_kind: "cursor",
            day: Some(at.date()),
            provider: "cursor".into(),
            model: row.text(self.model).into_owned(),
            user: row.opt_text(self.user).into_owned(),
            // No event id: the request's time and content name it.
            extra_dimensions: dimensions(&[
                ("at", row.text(self.date)),
                ("kind", kind.clone()),
                ("max_mode", row.opt_text(self.max_mode)),
                ("cloud_agent", row.opt_text(self.cloud_agent)),
                ("automation", row.opt_text(self.automation)),
                ("input", number(input)),
                ("cache_write", number(cache_write)),
                ("cache_read", number(cache_read)),
                ("output", number(output)),
            ]),
            tokens,
            requests: Some(row.opt_count(self.requests)?.unwrap_or(1)),
            cost: billed.cost,
            currency: billed.currency,
            cost_text: row.opt_text(self.cost).into_owned(),
            grain: Some(UsageGrain::Detail),
            charge: billed.charge,
            byok_cost: billed.byok_cost,
            ..UsageRecord::default()
        }));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::parse_bytes;
    use crate::domain::import::test_support::usage;

    #[test]
    fn costs_included_free_errored_and_foreign() {
        let csv = "Date,Cloud Agent ID,Automation ID,Kind,Model,Max Mode,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,Output Tokens,Total Tokens,Cost\n\
\"2026-08-31T17:26:39.740Z\",\"\",\"\",\"Included\",\"auto\",\"No\",\"0\",\"100\",\"200\",\"30\",\"330\",\"Included\"\n\
\"2026-04-16T03:32:33.284Z\",\"\",\"\",\"On-Demand\",\"composer-2-fast\",\"No\",\"0\",\"3189\",\"194368\",\"1815\",\"199372\",\"0.11\"\n\
\"2026-04-15T03:39:53.013Z\",\"\",\"\",\"Included\",\"claude-4.6-sonnet-medium-thinking\",\"Yes\",\"50000\",\"40000\",\"10000\",\"3000\",\"103000\",\"$0.32\"\n\
\"2026-08-03T03:33:46.127Z\",\"\",\"\",\"Errored, No Charge\",\"cursor-grok-4.5-high\",\"No\",\"\",\"\",\"\",\"\",\"\",\"Free\"\n\
\"2026-08-04T10:00:00.000Z\",\"\",\"\",\"Usage-based\",\"gpt-5\",\"No\",\"0\",\"10\",\"0\",\"5\",\"15\",\"EUR 3,50\"\n";
        let parsed = parse_bytes(csv.as_bytes(), &FileOptions::default()).unwrap();
        assert_eq!(parsed.format_id, "cursor");
        assert_eq!(parsed.rejected, []);
        let u = usage(&parsed);
        let got: Vec<_> = u
            .iter()
            .map(|r| {
                (
                    r.cost.map(Amount::nanos),
                    r.currency.as_str(),
                    r.charge,
                    r.tokens,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (Some(0), "USD", UsageCharge::Included, Some(330)),
                (Some(110_000_000), "USD", UsageCharge::Billed, Some(199_372)),
                // Included in the plan: Cursor shows what it was worth, it billed nothing.
                (Some(0), "USD", UsageCharge::Included, Some(103_000)),
                (Some(0), "USD", UsageCharge::NotCharged, None),
                (Some(3_500_000_000), "EUR", UsageCharge::Billed, Some(15)),
            ]
        );
        assert_eq!(u[0].day.unwrap().to_string(), "2026-08-31");
        assert!(
            u[0].extra_dimensions
                .contains("at=2026-08-31T17:26:39.740Z")
        );
        assert_eq!(u[2].cost_text, "$0.32");
        assert_ne!(u[1].natural_key(), u[2].natural_key());
    }

    #[test]
    fn every_era_is_read_by_name() {
        let eras = [
            "Date,Model,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,Output Tokens,Total Tokens,Cost,Cost to you\n2026-02-01T10:00:00.000Z,claude-4-sonnet,0,100,0,20,120,0.05,0.04\n",
            "Date,Kind,Model,Max Mode,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,Output Tokens,Total Tokens,Cost\n2026-02-01T10:00:00.000Z,Usage-based,claude-4-sonnet,No,0,100,0,20,120,0.04\n",
            "Date,User,Cloud Agent ID,Automation ID,Kind,Model,Max Mode,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,Output Tokens,Total Tokens,Cost\n2026-02-01T10:00:00.000Z,dev@example.com,,,Usage-based,claude-4-sonnet,No,0,100,0,20,120,$0.04\n",
        ];
        for csv in eras {
            let parsed = parse_bytes(csv.as_bytes(), &FileOptions::default()).unwrap();
            let u = usage(&parsed);
            assert_eq!(
                (u.len(), u[0].cost.map(Amount::nanos), u[0].tokens),
                (1, Some(40_000_000), Some(120)),
                "{csv}"
            );
        }
        let requests = "Date,Kind,Model,Max Mode,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,Output Tokens,Total Tokens,Requests\n2026-02-01T10:00:00.000Z,Included,auto,No,0,100,0,20,120,2\n";
        let parsed = parse_bytes(requests.as_bytes(), &FileOptions::default()).unwrap();
        let u = usage(&parsed);
        assert_eq!((u[0].cost, u[0].requests), (None, Some(2)));
        let summary = "Model,Request Count,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,Output Tokens,Total Tokens,Cost ($)\nauto,3,0,100,0,20,120,0.00\n";
        let err = parse_bytes(summary.as_bytes(), &FileOptions::default()).unwrap_err();
        assert!(err.to_string().contains("export the usage events"), "{err}");
    }
}
