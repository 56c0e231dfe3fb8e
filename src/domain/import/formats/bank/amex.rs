//! American Express, in its US, UK, Singapore and Norwegian exports: a charge is positive, a
//! payment negative; `Reference` (written `'320261830000002'`) is the line's id. Quirks handled:
//! quoted multi-line addresses, the UK export (`Town/City`, `Postcode`, day-first dates, pounds),
//! the Norwegian export (`Dato`, `Beløp`, decimal comma, kroner) and the foreign amount written
//! in `Extended Details` (`Foreign Spend Amount: 20.00 UNITED STATES DOLLAR`). The bare header
//! `Date,Description,Amount` is claimed only when every other column is a known Amex column.

use super::statement::StatementParser;
use crate::domain::import::dates::DateOrder;
use crate::domain::import::table::{BindError, Header, normalize_name};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};
use crate::domain::money::{Amount, Currency, DecimalMark};

/// American Express, in its US, UK, Singapore and Norwegian exports.
pub struct Amex;

/// Every column an Amex export may have, in the languages seen (English, Norwegian).
const AMEX_COLUMNS: &[&str] = &[
    "date",
    "dato",
    "description",
    "beskrivelse",
    "card member",
    "account #",
    "amount",
    "beløp",
    "extended details",
    "utvidede detaljer",
    "appears on your statement as",
    "opptrer på din kontoutskrift som",
    "address",
    "adresse",
    "city/state",
    "town/city",
    "sted",
    "zip code",
    "postcode",
    "postnummer",
    "country",
    "land",
    "reference",
    "referanse",
    "category",
    "kategori",
];

const AMEX_DATE: &[&str] = &["Date", "Dato"];
const AMEX_DESCRIPTION: &[&str] = &["Description", "Beskrivelse"];
const AMEX_AMOUNT: &[&str] = &["Amount", "Beløp"];

impl Format for Amex {
    fn id(&self) -> &'static str {
        "amex"
    }
    fn name(&self) -> &'static str {
        "American Express"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Date, Description, Card Member?, Account #?, Amount, Extended Details?, ..., Reference?, Category? (only known Amex columns)"
    }
    fn detect(&self, h: &Header) -> bool {
        let only_amex_columns = h
            .names
            .iter()
            .map(|n| normalize_name(n))
            .all(|n| n.is_empty() || AMEX_COLUMNS.contains(&n.as_str()));
        only_amex_columns
            && h.find(AMEX_DATE).is_some()
            && h.find(AMEX_DESCRIPTION).is_some()
            && h.find(AMEX_AMOUNT).is_some()
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let amount = h.require(AMEX_AMOUNT)?;
        let mut p = StatementParser::signed(self.id(), h, amount, AMEX_DESCRIPTION, true)?;
        p.started = Some(h.require(AMEX_DATE)?);
        p.account_number = h.find(&["Account #"]);
        p.reference = h.find(&["Reference", "Referanse"]);
        p.foreign = h
            .find(&["Extended Details", "Utvidede detaljer"])
            .map(|c| (c, foreign_spend as fn(&str) -> Option<(Amount, String)>));
        if h.find(&["Dato", "Beløp", "Beskrivelse"]).is_some() {
            // The Norwegian export still writes month-first dates; only the amounts change.
            p.currency = "NOK".into();
        } else if h.find(&["Town/City", "Postcode"]).is_some() {
            p.currency = "GBP".into();
            p.order = DateOrder::DayFirst;
        }
        Ok(Box::new(p))
    }
}

/// The foreign amount and currency Amex writes in `Extended Details`:
/// `Foreign Spend Amount: 20.00 UNITED STATES DOLLAR Commission Amount: 5,36 ...`.
fn foreign_spend(details: &str) -> Option<(Amount, String)> {
    const LABEL: &str = "FOREIGN SPEND AMOUNT:";
    let upper = details.to_uppercase();
    let start = upper.find(LABEL)? + LABEL.len();
    let mut words = upper.get(start..)?.split_whitespace();
    let number = words.next()?;
    let amount = Amount::parse(number, decimal_mark_of(number)).ok()?;
    let name: Vec<&str> = words
        .take_while(|w| !w.ends_with(':') && !matches!(*w, "COMMISSION" | "CURRENCY" | "EXCHANGE"))
        .collect();
    Some((amount, currency_from_words(&name.join(" "))?))
}

/// The decimal mark of one number written alone: a comma followed by other than three digits
/// is a decimal comma (`5,36`), anything else reads with a dot.
fn decimal_mark_of(number: &str) -> DecimalMark {
    match (number.rfind('.'), number.rfind(',')) {
        (None, Some(c)) if number.get(c + 1..).is_some_and(|rest| rest.len() != 3) => {
            DecimalMark::Comma
        }
        (Some(d), Some(c)) if c > d => DecimalMark::Comma,
        _ => DecimalMark::Dot,
    }
}

/// The ISO code of a currency named in words, as Amex writes it; a three-letter code as is.
fn currency_from_words(name: &str) -> Option<String> {
    let name = name.trim();
    let code = match name {
        "UNITED STATES DOLLAR"
        | "UNITED STATES DOLLARS"
        | "US DOLLAR"
        | "US DOLLARS"
        | "U.S. DOLLAR" => "USD",
        "EURO" | "EUROS" => "EUR",
        "POUND STERLING" | "BRITISH POUND" | "UK POUND STERLING" => "GBP",
        "NORWEGIAN KRONE" | "NORWEGIAN KRONER" => "NOK",
        "SWEDISH KRONA" | "SWEDISH KRONOR" => "SEK",
        "DANISH KRONE" | "DANISH KRONER" => "DKK",
        "SWISS FRANC" | "SWISS FRANCS" => "CHF",
        "CANADIAN DOLLAR" | "CANADIAN DOLLARS" => "CAD",
        "AUSTRALIAN DOLLAR" | "AUSTRALIAN DOLLARS" => "AUD",
        "SINGAPORE DOLLAR" | "SINGAPORE DOLLARS" => "SGD",
        "JAPANESE YEN" | "YEN" => "JPY",
        code => code,
    };
    Currency::parse(code).ok().map(|c| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{day, lines, parse};
    use super::*;
    use crate::domain::import::parse_bytes;

    #[test]
    fn amex_multi_line_address_and_reference() {
        let csv = "Date,Description,Amount,Extended Details,Appears On Your Statement As,Address,City/State,Zip Code,Country,Reference,Category\n\
03/03/2026,ANTHROPIC SAN FRANCISCO CA,100.00,\"ANTHROPIC\nAPI CREDITS\",ANTHROPIC,\"548 MARKET ST\nSUITE 100\",SAN FRANCISCO CA,94104,UNITED STATES,'320260630001234567',Business Services\n\
03/15/2026,ONLINE PAYMENT - THANK YOU,-490.48,,ONLINE PAYMENT,,,,,'320260630001234571',\n";
        let parsed = parse(csv.as_bytes());
        assert_eq!(parsed.format_id, "amex");
        assert_eq!(parsed.rows, 2);
        let l = lines(&parsed);
        assert_eq!(
            (l[0].amount.nanos(), l[0].issuer_id.as_str()),
            (-100_000_000_000, "320260630001234567")
        );
        assert_eq!(l[0].natural_key, "bank|amex|id|320260630001234567");
        assert_eq!(
            (l[1].amount.nanos(), day(l[1].started_at)),
            (490_480_000_000, "2026-03-15".into())
        );
    }

    #[test]
    fn amex_uk_is_day_first_in_pounds() {
        let csv = "Date,Description,Amount,Extended Details,Appears On Your Statement As,Address,Town/City,Postcode,Country,Reference,Category\n\
31/08/2026,OPENAI *CHATGPT SUBSCR,20.00,,OPENAI,\"FORESTSIDE\nUNITS 56\",BELFAST,BT8 6FX,UNITED KINGDOM,'AT262440045000011523467',General Purchases\n\
03/08/2026,PAYMENT RECEIVED - THANK YOU,-4328.89,,PAYMENT RECEIVED,,,,,'10000000010811999911800',\n";
        let parsed = parse(csv.as_bytes());
        let l = lines(&parsed);
        assert_eq!(parsed.format_id, "amex");
        assert_eq!(
            (day(l[0].started_at), l[0].currency.as_str()),
            ("2026-08-31".into(), "GBP")
        );
        assert_eq!(day(l[1].started_at), "2026-08-03");
    }

    #[test]
    fn ambiguous_dates_fall_back_to_the_issuer_order() {
        let uk = "Date,Description,Amount,Town/City,Postcode,Reference\n03/08/2026,ANTHROPIC,18.00,LONDON,EC1,'A1'\n";
        let us = "Date,Description,Amount,City/State,Zip Code,Reference\n03/08/2026,ANTHROPIC,18.00,SF CA,94104,'A1'\n";
        let chase = "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n03/08/2026,03/09/2026,OPENAI,Shopping,Sale,-5.00,\n";
        for (csv, expected) in [
            (uk, "2026-08-03"),
            (us, "2026-03-08"),
            (chase, "2026-03-08"),
        ] {
            let parsed = parse(csv.as_bytes());
            assert_eq!(day(lines(&parsed)[0].started_at), expected, "{csv}");
        }
    }

    #[test]
    fn amex_norwegian_decimal_comma_and_foreign_amount() {
        let csv = "Dato,Beskrivelse,Bel\u{f8}p,Utvidede detaljer,Opptrer p\u{e5} din kontoutskrift som,Adresse,Sted,Postnummer,Land,Referanse,Kategori\n\
05/19/2023,MEDLEMSAVGIFT,\"100,00\",,MEDLEMSAVGIFT,,,,,'AT847282',\n\
05/16/2023,CHATGPT SUBSCRIPTION    SAN FRANCISCO,\"219,56\",\"Foreign Spend Amount: 20.00 UNITED STATES DOLLAR Commission Amount: 5,36 Currency Exchange Rate: 0.0933\",CHATGPT SUBSCRIPTION,\"185 BERRY STREET\nSUITE 550\",,94107,UNITED STATES,'AT83831718',\n\
05/10/2023,INNBETALING,\"-1.000,00\",,INNBETALING,,,,,'AT1',\n";
        let parsed = parse(csv.as_bytes());
        assert_eq!(parsed.format_id, "amex");
        let l = lines(&parsed);
        assert_eq!(
            l.iter().map(|l| l.amount.nanos()).collect::<Vec<_>>(),
            [-100_000_000_000, -219_560_000_000, 1_000_000_000_000]
        );
        assert_eq!(l[1].currency, "NOK");
        assert_eq!(
            (
                l[1].original_amount,
                l[1].original_currency.as_deref().unwrap_or("")
            ),
            (Some(Amount::from_nanos(-20_000_000_000)), "USD")
        );
        assert_eq!(
            (l[0].original_amount, day(l[0].started_at)),
            (None, "2023-05-19".into())
        );
        assert_eq!(l[1].natural_key, "bank|amex|id|AT83831718");
    }

    #[test]
    fn norwegian_header_in_windows_1252_is_still_amex() {
        let parsed =
            parse(b"Dato,Beskrivelse,Bel\xf8p,Referanse\n11/16/2026,ANTHROPIC,\"219,56\",'AT1'\n");
        assert_eq!(parsed.format_id, "amex");
        let l = lines(&parsed);
        assert_eq!(
            (l[0].amount.nanos(), l[0].currency.as_str()),
            (-219_560_000_000, "NOK")
        );
    }

    #[test]
    fn bare_amex_header_claims_only_amex_columns() {
        let not_amex: &[&[u8]] = &[
            b"Date Processed,Description,Amount,\nPending,L'OLILO LONDON GBR,\xc2\xa367.40,\n12-Dec-2019,Spotify UK,\xc2\xa39.99,\n",
            b"Date,Description,Amount,Balance\n01/02/2026,OPENAI,-5.00,100.00\n",
        ];
        for bytes in not_amex {
            let Err(err) = parse_bytes(bytes, &FileOptions::default()) else {
                panic!("claimed a file that is not Amex");
            };
            assert!(err.to_string().contains("burnrate map"), "{err}");
        }
        let trailing = parse(b"Date,Description,Amount,\n01/17/2024,OPENAI,21.78,\n");
        assert_eq!(trailing.format_id, "amex");
    }

    #[test]
    fn a_missing_column_is_a_bind_error() {
        let h = Header::new(vec!["Date".into(), "Amount".into()], 1);
        let Err(e) = Amex.bind(&h, &FileOptions::default()) else {
            panic!("bound without a description")
        };
        assert_eq!(e, BindError::MissingColumn("Description".into()));
    }

    #[test]
    fn reads_foreign_spend() {
        assert_eq!(
            foreign_spend(
                "Foreign Spend Amount: 24.00 UNITED STATES DOLLAR Commission Amount: 6,40"
            ),
            Some((Amount::from_nanos(24_000_000_000), "USD".into()))
        );
        assert_eq!(
            foreign_spend("Foreign Spend Amount: 12,50 EURO"),
            Some((Amount::from_nanos(12_500_000_000), "EUR".into()))
        );
        assert_eq!(
            foreign_spend("Foreign Spend Amount: 7.25 MARTIAN CREDIT"),
            None
        );
        assert_eq!(foreign_spend("GOODS"), None);
    }
}
