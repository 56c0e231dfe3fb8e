//! American Express, in its US, UK, Singapore and Norwegian exports: a charge is positive, a
//! payment negative; `Reference` (written `'320261830000002'`) is the line's id. Quirks handled:
//! quoted multi-line addresses, the UK export (`Town/City`, `Postcode`, day-first dates), the
//! Norwegian export (`Dato`, `Beløp`, decimal comma) and the foreign amount written in
//! `Extended Details` (`Foreign Spend Amount: 20.00 UNITED STATES DOLLAR`). The bare header
//! `Date,Description,Amount` is claimed only when every other column is a known Amex column.
//!
//! No export writes the card's currency: it is read from the export's locale (see
//! [`AmexParser`]) or asked of the user once per file, never assumed to be dollars.

use super::statement::{ForeignReader, StatementParser};
use crate::domain::import::dates::DateOrder;
use crate::domain::import::table::{
    BindError, FieldError, Header, Row, decimal_mark_of, normalize_name,
};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser, Unsettled};
use crate::domain::money::{Amount, Currency};
use crate::domain::records::Record;

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
        let extended = h.find(&["Extended Details", "Utvidede detaljer"]);
        p.foreign = extended.map(|c| (c, foreign_spend as ForeignReader));
        let told = if h.find(&["Dato", "Beløp", "Beskrivelse"]).is_some() {
            // The Norwegian export still writes month-first dates; only the amounts change.
            Some(Currency::of(*b"NOK"))
        } else if h.find(&["Town/City", "Postcode"]).is_some() {
            p.order = DateOrder::DayFirst;
            Some(Currency::of(*b"GBP"))
        } else {
            None
        };
        Ok(Box::new(AmexParser {
            inner: p,
            told,
            country: h.find(&["Country", "Land"]),
            extended,
            countries: Vec::new(),
        }))
    }
}

/// An Amex statement: the shared statement parser, once the card's currency is known.
///
/// Amex writes no currency. The card's currency is, in order: the export's language and
/// columns, which only that country's Amex writes (Norwegian headers: kroner; the UK's
/// `Town/City` and `Postcode`: pounds); the user's answer (`--currency`, the preview's choice);
/// the country of the merchants of the card's own-currency charges (those without a foreign
/// spend amount), when one country holds most of them. Otherwise the user is asked. The answer
/// comes before the merchants' country because that is a guess: a Singapore card used mostly
/// with American merchants online looks American. A card in another currency than dollars is its own
/// account (`amex:GBP`), so a UK and a US card never merge.
struct AmexParser {
    inner: StatementParser,
    /// The currency the header's language or columns give.
    told: Option<Currency>,
    country: Option<usize>,
    extended: Option<usize>,
    /// Merchant countries of the charges without a foreign spend amount, with their counts.
    countries: Vec<(String, u32)>,
}

impl AmexParser {
    /// The currency most own-currency charges' merchant country uses, when one country holds
    /// more than half of them and burnrate knows its currency.
    fn countries_currency(&self) -> Option<Currency> {
        let total: u32 = self.countries.iter().map(|(_, n)| n).sum();
        let (country, n) = self.countries.iter().max_by_key(|(_, n)| *n)?;
        (n * 2 > total)
            .then(|| currency_of_country(country))
            .flatten()
    }
}

impl RowParser for AmexParser {
    fn date_columns(&self) -> Vec<usize> {
        self.inner.date_columns()
    }
    fn amount_columns(&self) -> Vec<usize> {
        self.inner.amount_columns()
    }
    fn default_date_order(&self) -> Option<DateOrder> {
        self.inner.default_date_order()
    }
    fn weighs(&self) -> bool {
        true
    }
    fn weigh(&mut self, row: &Row<'_>) {
        let Some(column) = self.country else { return };
        let foreign = self
            .extended
            .is_some_and(|c| foreign_spend(&row.text(c)).is_some());
        let country = row.text(column).trim().to_uppercase();
        if foreign || country.is_empty() {
            return;
        }
        match self.countries.iter_mut().find(|(c, _)| *c == country) {
            Some((_, n)) => *n += 1,
            None => self.countries.push((country, 1)),
        }
    }
    fn settle(&mut self, options: &FileOptions) -> Result<(), Unsettled> {
        let currency = self
            .told
            .or(options.currency)
            .or_else(|| self.countries_currency())
            .ok_or(Unsettled::Currency)?;
        self.inner.currency = currency;
        if currency != Currency::USD {
            self.inner.account_name = Some(format!("amex:{currency}"));
        }
        Ok(())
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        self.inner.parse(row, out)
    }
}

/// The currency of a country as Amex names merchants' countries (`UNITED KINGDOM OF GB AND NI`,
/// `UNITED STATES OF AMERICA (THE)`, `SINGAPORE`); `None` for a country burnrate does not list.
fn currency_of_country(country: &str) -> Option<Currency> {
    let c = country.trim().to_uppercase();
    let code: &[u8; 3] = match c.as_str() {
        _ if c.starts_with("UNITED STATES") || c == "USA" => b"USD",
        _ if c.starts_with("UNITED KINGDOM") || c == "GREAT BRITAIN" => b"GBP",
        "SINGAPORE" => b"SGD",
        "NORWAY" => b"NOK",
        "SWEDEN" => b"SEK",
        "DENMARK" => b"DKK",
        "SWITZERLAND" => b"CHF",
        "AUSTRALIA" => b"AUD",
        "NEW ZEALAND" => b"NZD",
        "CANADA" => b"CAD",
        "MEXICO" => b"MXN",
        "JAPAN" => b"JPY",
        "HONG KONG" => b"HKD",
        "INDIA" => b"INR",
        "GERMANY" | "FRANCE" | "ITALY" | "SPAIN" | "NETHERLANDS" | "AUSTRIA" | "BELGIUM"
        | "FINLAND" | "IRELAND" | "PORTUGAL" => b"EUR",
        _ => return None,
    };
    Some(Currency::of(*code))
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
    use super::super::test_support::{day, lines, parse, parse_usd};
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
            let parsed = parse_usd(csv.as_bytes());
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
            assert!(
                matches!(err, crate::domain::import::ImportError::Unrecognized { .. }),
                "{err}"
            );
        }
        let trailing = parse_usd(b"Date,Description,Amount,\n01/17/2024,OPENAI,21.78,\n");
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

    /// A file, the user's answer, and the lines' currency and account (`None`: the user is
    /// asked).
    type Case<'a> = (&'a str, Option<Currency>, Option<(&'a str, &'a str)>);

    #[test]
    fn the_card_currency_comes_from_the_exports_locale_or_the_user() {
        const EXTENDED: &str = "Date,Description,Amount,Extended Details,Appears On Your Statement As,Address,City/State,Zip Code,Country,Reference\n";
        let singapore = format!(
            "{EXTENDED}04/11/2026,SINGAPOREAIR SINGAPORE,6123.80,,SINGAPOREAIR,,,819829,SINGAPORE,'AT1'\n\
04/12/2026,COLD STORAGE SINGAPORE,88.10,,COLD STORAGE,,,049145,SINGAPORE,'AT2'\n\
02/03/2026,CLAUDE.AI SUBSCRIPTION  SAN FRANCISCO,300.00,,CLAUDE.AI,,,94107,UNITED STATES,'AT3'\n\
04/08/2026,AMT DEBITED TO YOUR BANK ACCT,-606.01,,,,,,,'AT4'\n"
        );
        // Charges in another currency say so; they are not the card's own merchants.
        let norway_in_english = format!(
            "{EXTENDED}05/16/2023,CHATGPT SUBSCRIPTION,219.56,Foreign Spend Amount: 20.00 UNITED STATES DOLLAR,CHATGPT,,,94107,UNITED STATES,'AT5'\n\
05/12/2023,PAPERFORM,262.51,Foreign Spend Amount: 24.00 UNITED STATES DOLLAR,PAPERFORM,,,94107,UNITED STATES,'AT6'\n\
05/10/2023,REMA 1000 OSLO,101.50,,REMA 1000,,,0150,NORWAY,'AT7'\n"
        );
        let tie = format!(
            "{EXTENDED}04/11/2026,SINGAPOREAIR,6123.80,,,,,819829,SINGAPORE,'AT1'\n\
02/03/2026,CLAUDE.AI SUBSCRIPTION,300.00,,,,,94107,UNITED STATES,'AT3'\n"
        );
        let us = format!(
            "{EXTENDED}03/03/2026,ANTHROPIC SAN FRANCISCO CA,100.00,,ANTHROPIC,,SAN FRANCISCO CA,94104,UNITED STATES,'3202606'\n"
        );
        let uk = "Date,Description,Amount,Town/City,Postcode,Country,Reference\n31/08/2026,OPENAI,20.00,LONDON,EC1,UNITED STATES OF AMERICA (THE),'AT8'\n";
        let bare = "Date,Description,Amount\n01/17/2024,OPENAI *CHATGPT SUBSCR,21.78\n";
        let gbp = Currency::parse("GBP").ok();
        // (file, the user's answer, currency, account) or `None` when the user must say.
        let cases: &[Case<'_>] = &[
            (&singapore, None, Some(("SGD", "amex:SGD"))),
            (&norway_in_english, None, Some(("NOK", "amex:NOK"))),
            (&us, None, Some(("USD", "amex"))),
            (uk, None, Some(("GBP", "amex:GBP"))),
            (&tie, None, None),
            (bare, None, None),
            (bare, gbp, Some(("GBP", "amex:GBP"))),
            // The user's word wins over the merchants' country.
            (&singapore, Some(Currency::USD), Some(("USD", "amex"))),
        ];
        for (csv, answer, want) in cases {
            let options = FileOptions {
                currency: *answer,
                ..FileOptions::default()
            };
            let result = parse_bytes(csv.as_bytes(), &options);
            let Some((currency, account)) = want else {
                let Err(e) = result else {
                    panic!("{csv}: read without asking")
                };
                assert!(
                    matches!(
                        e,
                        crate::domain::import::ImportError::UnknownCurrency { .. }
                    ),
                    "{csv}: {e}"
                );
                assert!(e.to_string().contains("--currency"), "{e}");
                continue;
            };
            let parsed = result.unwrap_or_else(|e| panic!("{csv}: {e}"));
            let l = lines(&parsed);
            assert!(
                l.iter()
                    .all(|l| l.currency.as_str() == *currency && l.account == *account),
                "{csv}: {l:?}"
            );
        }
    }

    #[test]
    fn a_card_in_another_currency_keeps_the_keys_it_had_under_one_amex_account() {
        let parsed = parse(
            b"Date,Description,Amount,Town/City,Postcode,Reference\n31/08/2026,OPENAI,20.00,LONDON,EC1,'AT262440045000011523467'\n",
        );
        let l = lines(&parsed);
        assert_eq!(l[0].account, "amex:GBP");
        assert_eq!(l[0].natural_key, "bank|amex|id|AT262440045000011523467");
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
