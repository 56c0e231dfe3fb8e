//! The judgement on histories as people really export them, case by case: an export that starts
//! in the middle of an account's life, the balance read off a billing page, a zero balance and
//! what followed it, a billing file downloaded after its last record, two organizations, card
//! lines without a time of day, top-ups paid in another currency, an auto-recharge that should
//! have run. Each case names what must be flagged, and everything else must stay quiet.

use chrono::NaiveDate;

use super::test_support::{bill_in, d, detect_all, every_day, paid, topup, usd, used};
use super::{Flag, FlagKind, FlagParams, Severity};
use crate::domain::balance::{AccountKey, AutoRecharge, Checkpoint};
use crate::domain::fx::Rate;
use crate::domain::ledger::{FileKind, FileSpan, ProjectDay, ProjectUsage, Snapshot};
use crate::domain::money::Currency;
use crate::domain::projection::{self, Projection};
use crate::domain::records::BankStatus::Settled;
use crate::domain::records::BillingKind::{AutoRecharge as Auto, CreditPurchase};

const OPENAI: &str = "openai";

fn checkpoint(id: i64, provider: &str, org: &str, day: &str, shown: &str) -> Checkpoint {
    Checkpoint {
        record: format!("checkpoint:{id}"),
        account: AccountKey::new(provider, org),
        day: d(day),
        shown: usd(shown),
        currency: Currency::USD,
    }
}

fn billing_file(file: i64, provider: &str, first: &str, last: &str, downloaded: &str) -> FileSpan {
    FileSpan {
        source_file_id: file,
        kind: FileKind::Billing,
        provider: provider.to_string(),
        first_day: d(first),
        last_day: d(last),
        downloaded_on: d(downloaded),
    }
}

fn project(account: &AccountKey, snapshot: &Snapshot, as_of: &str) -> Projection {
    let cut = snapshot.up_to(d(as_of));
    projection::project(&cut, account, d(as_of)).unwrap()
}

/// (kind, date, record count) of every flag.
fn kinds(flags: &[Flag]) -> Vec<(&'static str, String, usize)> {
    flags
        .iter()
        .map(|f| (f.kind.as_str(), f.date.to_string(), f.records.len()))
        .collect()
}

/// A history of openai usage at 2.00 a day from 10-01 to `to`, with credit bought on the days
/// given.
fn usage_with_credit(to: &str, credits: &[(i64, &str, &str)]) -> Snapshot {
    Snapshot {
        billing: credits
            .iter()
            .map(|(id, day, amount)| paid(*id, OPENAI, CreditPurchase, day, amount))
            .collect(),
        usage: every_day(OPENAI, "", "2026-10-01", to, "2.00"),
        ..Snapshot::default()
    }
}

#[test]
fn a_history_that_starts_mid_way_and_its_checkpoints() {
    // (case, snapshot, anchored on, lower bound, before history (from, to, usage), closing,
    // series start and its balance, flags)
    type Row = (
        &'static str,
        Snapshot,
        Option<&'static str>,
        bool,
        Option<(&'static str, &'static str, &'static str)>,
        &'static str,
        (&'static str, &'static str),
        Vec<(&'static str, String, usize)>,
    );
    let acct = AccountKey::new(OPENAI, "");
    let mid_way = usage_with_credit("2026-10-30", &[(1, "2026-10-10", "50.00")]);
    let anchored = Snapshot {
        checkpoints: vec![checkpoint(1, OPENAI, "", "2026-10-05", "100.00")],
        ..mid_way.clone()
    };
    let rows: Vec<Row> = vec![
        (
            "an export that starts mid-history: no depletion, usage before the known history",
            mid_way,
            None,
            true,
            Some(("2026-10-01", "2026-10-09", "18.00")),
            "8.00",
            ("2026-10-01", "0.00"),
            vec![],
        ),
        (
            "the same history anchored by a checkpoint: the series passes through it to the cent",
            anchored,
            Some("2026-10-05"),
            false,
            Some(("2026-10-01", "2026-10-04", "8.00")),
            "100.00",
            ("2026-10-05", "100.00"),
            vec![],
        ),
    ];
    for (name, snapshot, anchor, lower, before, closing, (start, start_balance), want) in rows {
        let p = project(&acct, &snapshot, "2026-10-30");
        let b = &p.balance;
        assert_eq!(b.anchored_on, anchor.map(d), "{name}");
        assert_eq!(b.lower_bound(), lower, "{name}");
        assert_eq!(
            b.before_history.map(|h| (h.from, h.to, h.usage)),
            before.map(|(f, t, u)| (d(f), d(t), usd(u))),
            "{name}"
        );
        assert_eq!(b.closing(), usd(closing), "{name}");
        let first = b.series().first().unwrap();
        assert_eq!(
            (first.day, first.balance),
            (d(start), usd(start_balance)),
            "{name}"
        );
        let flags = detect_all(&snapshot, &FlagParams::default(), d("2026-10-30"));
        assert_eq!(kinds(&flags), want, "{name}");
        assert!(
            b.monthly().unwrap().iter().all(|m| m.residual.is_zero()),
            "{name}"
        );
    }
}

#[test]
fn a_checkpoint_that_disagrees_names_the_unrecorded_charge() {
    let snapshot = Snapshot {
        // 100.00 bought on 10-01, 2.00 a day: 70.00 by 10-15. The page shows 95.00: the 25.00
        // card charge of 10-12 bought credit the billing records do not have.
        bank: vec![topup(21, OPENAI, Settled, "2026-10-12", "-25.00")],
        checkpoints: vec![checkpoint(1, OPENAI, "", "2026-10-15", "95.00")],
        ..usage_with_credit("2026-10-15", &[(1, "2026-10-01", "100.00")])
    };
    let flags = detect_all(&snapshot, &FlagParams::default(), d("2026-10-20"));
    assert_eq!(
        kinds(&flags),
        [("balance_mismatch", "2026-10-15".to_string(), 2)]
    );
    let f = &flags[0];
    assert_eq!(f.records, ["bank:21", "checkpoint:1"]);
    assert_eq!(f.amount, Some(usd("25.00")));
    assert!(
        f.diagnosis.contains("25.00 USD on 2026-10-12"),
        "{}",
        f.diagnosis
    );
    // Within one unit or 2% it agrees: no flag.
    let close = Snapshot {
        checkpoints: vec![checkpoint(1, OPENAI, "", "2026-10-15", "70.90")],
        bank: vec![],
        ..snapshot.clone()
    };
    assert!(detect_all(&close, &FlagParams::default(), d("2026-10-20")).is_empty());
    // A billing file downloaded on 10-20 spans the charge: the page showing the credit is one
    // event with the charge, one flag (not also "charged but no credit").
    let spanned = Snapshot {
        files: vec![billing_file(
            1,
            OPENAI,
            "2026-10-01",
            "2026-10-01",
            "2026-10-20",
        )],
        ..snapshot.clone()
    };
    let flags = detect_all(&spanned, &FlagParams::default(), d("2026-10-20"));
    assert_eq!(
        kinds(&flags),
        [("balance_mismatch", "2026-10-15".to_string(), 2)]
    );
    // A page showing 6.00 more than the records does not explain a 100.00 charge: the charge
    // stays flagged beside the mismatch, which neither names it nor holds it as evidence (one
    // event, one flag).
    let small_surplus = Snapshot {
        bank: vec![topup(21, OPENAI, Settled, "2026-10-12", "-100.00")],
        checkpoints: vec![checkpoint(1, OPENAI, "", "2026-10-15", "76.00")],
        ..spanned.clone()
    };
    let flags = detect_all(&small_surplus, &FlagParams::default(), d("2026-10-20"));
    let mut found = kinds(&flags);
    found.sort();
    assert_eq!(
        found,
        [
            ("balance_mismatch", "2026-10-15".to_string(), 1),
            ("charge_without_credit", "2026-10-12".to_string(), 1)
        ]
    );
    let mismatch = flags
        .iter()
        .find(|f| f.kind == FlagKind::BalanceMismatch)
        .unwrap();
    assert!(
        !mismatch.diagnosis.contains("100.00"),
        "{}",
        mismatch.diagnosis
    );
    assert!(
        !mismatch.records.iter().any(|r| r == "bank:21"),
        "{:?}",
        mismatch.records
    );
    // The page agreeing with the records (no credit for the charge) leaves the charge flagged.
    let not_credited = Snapshot {
        checkpoints: vec![checkpoint(1, OPENAI, "", "2026-10-15", "70.00")],
        ..spanned
    };
    let flags = detect_all(&not_credited, &FlagParams::default(), d("2026-10-20"));
    assert_eq!(
        kinds(&flags),
        [("charge_without_credit", "2026-10-12".to_string(), 1)]
    );
}

#[test]
fn zero_balances_say_what_followed() {
    // (case, snapshot, as of, flags, words in the first flag's message)
    type Row = (
        &'static str,
        Snapshot,
        &'static str,
        Vec<(&'static str, String, usize)>,
        &'static str,
    );
    let gap = Snapshot {
        usage: [
            every_day(OPENAI, "", "2026-10-01", "2026-10-05", "2.00"),
            every_day(OPENAI, "", "2026-10-08", "2026-10-10", "2.00"),
        ]
        .concat(),
        ..usage_with_credit(
            "2026-10-01",
            &[(1, "2026-10-01", "10.00"), (2, "2026-10-08", "20.00")],
        )
    };
    let past_zero = usage_with_credit("2026-10-07", &[(1, "2026-10-01", "10.00")]);
    let lower_bound_goes_on = usage_with_credit("2026-10-20", &[(1, "2026-10-05", "10.00")]);
    let lower_bound_stops = Snapshot {
        usage: [
            every_day(OPENAI, "", "2026-10-01", "2026-10-09", "2.00"),
            every_day(OPENAI, "", "2026-10-13", "2026-10-20", "2.00"),
        ]
        .concat(),
        ..usage_with_credit(
            "2026-10-01",
            &[(1, "2026-10-05", "10.00"), (2, "2026-10-13", "30.00")],
        )
    };
    let rows: Vec<Row> = vec![
        (
            "depletion, then two days without usage",
            gap,
            "2026-10-12",
            vec![("balance_depleted", "2026-10-05".to_string(), 2)],
            "no usage from 2026-10-06 to 2026-10-07: API calls were most likely refused (OpenAI answers 429 insufficient_quota",
        ),
        (
            "depletion with usage past zero",
            past_zero,
            "2026-10-08",
            vec![("balance_depleted", "2026-10-05".to_string(), 2)],
            "usage went on past zero: 4.00 USD through 2026-10-07",
        ),
        (
            "a lower bound hitting zero while usage goes on unchanged",
            lower_bound_goes_on,
            "2026-10-20",
            vec![],
            "",
        ),
        (
            "a lower bound hitting zero right when daily usage stops for days",
            lower_bound_stops,
            "2026-10-20",
            vec![("balance_depleted", "2026-10-09".to_string(), 2)],
            "no usage from 2026-10-10 to 2026-10-12",
        ),
    ];
    for (name, snapshot, as_of, want, words) in rows {
        let flags = detect_all(&snapshot, &FlagParams::default(), d(as_of));
        assert_eq!(kinds(&flags), want, "{name}: {flags:#?}");
        if let Some(f) = flags.first() {
            assert!(f.message.contains(words), "{name}: {}", f.message);
            assert_eq!(f.severity, Severity::Critical, "{name}");
        }
    }
    // The lower bound that went on says once how to anchor it: the balance is a lower bound.
    let p = project(
        &AccountKey::new(OPENAI, ""),
        &usage_with_credit("2026-10-20", &[(1, "2026-10-05", "10.00")]),
        "2026-10-20",
    );
    assert!(p.balance.lower_bound());
    assert_eq!(
        p.forecast.depletes_on, None,
        "a lower bound at zero has no run-out date"
    );
}

#[test]
fn a_charge_is_judged_by_the_billing_files_span_to_its_download() {
    // A billing file listing openai records from August to 10-20 and one anthropic purchase in
    // August; an October anthropic card charge with no credit.
    let billing = vec![
        paid(1, OPENAI, CreditPurchase, "2026-08-01", "50.00"),
        paid(2, "anthropic", CreditPurchase, "2026-08-05", "40.00"),
        paid(3, OPENAI, CreditPurchase, "2026-10-20", "50.00"),
    ];
    let snapshot = |downloaded: &str, charge: &str| Snapshot {
        billing: billing.clone(),
        bank: vec![
            topup(11, OPENAI, Settled, "2026-08-01", "-50.00"),
            topup(12, "anthropic", Settled, "2026-08-05", "-40.00"),
            topup(13, OPENAI, Settled, "2026-10-20", "-50.00"),
            topup(14, "anthropic", Settled, charge, "-40.00"),
        ],
        files: vec![
            billing_file(1, OPENAI, "2026-08-01", "2026-10-20", downloaded),
            billing_file(1, "anthropic", "2026-08-05", "2026-08-05", downloaded),
        ],
        ..Snapshot::default()
    };
    // (case, downloaded, charge day, flagged, words)
    let rows = [
        (
            "an October charge, the file downloaded at the end of October",
            "2026-10-28",
            "2026-10-15",
            true,
            "Balance not synchronized",
        ),
        (
            "the same charge, the file downloaded in September",
            "2026-09-10",
            "2026-10-15",
            false,
            "",
        ),
        (
            "the newest top-up, after the file's last record but before its download",
            "2026-10-28",
            "2026-10-24",
            true,
            "The billing export predates the charge",
        ),
    ];
    for (name, downloaded, charge, flagged, words) in rows {
        let flags = detect_all(
            &snapshot(downloaded, charge),
            &FlagParams::default(),
            d("2026-11-02"),
        );
        let want: Vec<(&str, String, usize)> = if flagged {
            vec![("charge_without_credit", charge.to_string(), 1)]
        } else {
            vec![]
        };
        assert_eq!(kinds(&flags), want, "{name}");
        if let Some(f) = flags.first() {
            assert!(f.diagnosis.contains(words), "{name}: {}", f.diagnosis);
            assert!(f.diagnosis.contains("do not pay again"), "{name}");
        }
    }
}

#[test]
fn an_account_with_usage_and_no_credit_has_an_unknown_balance() {
    let snapshot = Snapshot {
        usage: every_day(OPENAI, "", "2026-10-01", "2026-10-20", "3.00"),
        ..Snapshot::default()
    };
    let p = project(&AccountKey::new(OPENAI, ""), &snapshot, "2026-10-20");
    assert!(!p.balance.is_known());
    assert!(p.balance.lower_bound());
    assert_eq!(
        p.forecast.depletes_on, None,
        "never a run-out date in the past"
    );
    assert_eq!(
        p.balance.before_history.map(|h| h.usage),
        Some(usd("60.00"))
    );
    assert!(detect_all(&snapshot, &FlagParams::default(), d("2026-10-20")).is_empty());
}

#[test]
fn one_organization_at_zero_while_another_holds_credit() {
    let snapshot = Snapshot {
        billing: vec![
            bill_in(1, OPENAI, "Acme", CreditPurchase, "2026-10-01", "10.00"),
            bill_in(2, OPENAI, "Beta", CreditPurchase, "2026-10-01", "100.00"),
        ],
        usage: [
            every_day(OPENAI, "Acme", "2026-10-01", "2026-10-10", "2.00"),
            every_day(OPENAI, "Beta", "2026-10-01", "2026-10-10", "1.00"),
        ]
        .concat(),
        ..Snapshot::default()
    };
    let flags = detect_all(&snapshot, &FlagParams::default(), d("2026-10-12"));
    assert_eq!(
        kinds(&flags),
        [("wrong_organization", "2026-10-05".to_string(), 6)]
    );
    let f = &flags[0];
    assert!(f.message.contains("openai/Acme"), "{}", f.message);
    assert!(
        f.message.contains("openai/Beta held 95.00 USD"),
        "{}",
        f.message
    );
}

#[test]
fn duplicates_are_judged_by_the_records_that_carry_times() {
    let rate = Rate {
        day: d("2026-10-09"),
        currency: Currency::USD,
        per_euro: usd("1.08"),
    };
    let eur = |id: i64, day: &str| {
        let mut l = topup(id, OPENAI, Settled, day, "-92.50");
        l.currency = Currency::EUR;
        l
    };
    let recharges = Snapshot {
        billing: ["02:00", "06:00", "11:00", "17:00"]
            .iter()
            .enumerate()
            .map(|(i, t)| {
                paid(
                    i64::try_from(i).unwrap() + 1,
                    OPENAI,
                    Auto,
                    &format!("2026-10-10 {t}"),
                    "50.00",
                )
            })
            .collect(),
        bank: (11..=14)
            .map(|id| topup(id, OPENAI, Settled, "2026-10-10", "-50.00"))
            .collect(),
        usage: vec![used(OPENAI, "2026-10-10", "150.00")],
        ..Snapshot::default()
    };
    let in_euros = Snapshot {
        billing: vec![
            paid(1, OPENAI, CreditPurchase, "2026-10-10 09:00", "100.00"),
            paid(2, OPENAI, CreditPurchase, "2026-10-10 09:03", "100.00"),
        ],
        bank: vec![eur(11, "2026-10-11"), eur(12, "2026-10-11")],
        rates: vec![rate],
        ..Snapshot::default()
    };
    // (case, snapshot, duplicate flags (records), refund advised)
    let rows = [
        (
            "four auto-recharges hours apart, date-only card lines",
            recharges,
            vec![],
        ),
        (
            "two USD top-ups minutes apart paid by two EUR card lines",
            in_euros,
            vec![4],
        ),
    ];
    for (name, snapshot, want) in rows {
        let flags: Vec<Flag> = detect_all(&snapshot, &FlagParams::default(), d("2026-10-20"))
            .into_iter()
            .filter(|f| f.kind == FlagKind::DuplicateTopup)
            .collect();
        let got: Vec<usize> = flags.iter().map(|f| f.records.len()).collect();
        assert_eq!(got, want, "{name}: {flags:#?}");
        for f in &flags {
            assert_eq!(f.severity, Severity::Warning, "{name}");
            assert!(!f.message.contains("refund"), "{name}: {}", f.message);
            assert!(f.message.contains("100.00 USD"), "{name}: {}", f.message);
        }
    }
}

#[test]
fn an_auto_recharge_that_should_have_run() {
    let setting = AutoRecharge {
        account: AccountKey::new(OPENAI, ""),
        threshold: usd("10.00"),
        amount: usd("20.00"),
        monthly_cap: None,
    };
    let snapshot = Snapshot {
        auto_recharges: vec![setting],
        ..Snapshot {
            usage: every_day(OPENAI, "", "2026-10-01", "2026-10-09", "5.00"),
            ..usage_with_credit("2026-10-01", &[(1, "2026-10-01", "30.00")])
        }
    };
    // 30 - 5 a day: 10.00 on 10-04, 5.00 on 10-05 (below 10.00), zero on 10-06.
    let flags = detect_all(&snapshot, &FlagParams::default(), d("2026-10-09"));
    assert_eq!(
        kinds(&flags),
        [
            ("recharge_failed", "2026-10-05".to_string(), 1),
            ("balance_depleted", "2026-10-06".to_string(), 4),
        ]
    );
    // The two name each other: the depletion's evidence holds the day the recharge should
    // have run, and its diagnosis says so.
    let depleted = &flags[1];
    assert!(
        depleted.records.contains(&flags[0].records[0]),
        "{:?}",
        depleted.records
    );
    assert!(
        depleted
            .diagnosis
            .contains("should have run on 2026-10-05 and no recharge followed"),
        "{}",
        depleted.diagnosis
    );
    let inferred = &flags[0];
    assert!(
        inferred.message.starts_with("Inferred"),
        "{}",
        inferred.message
    );
    assert!(
        inferred.diagnosis.contains("2026-10-06"),
        "points at the depletion"
    );
    // A recharge record that day, paid or failed, leaves nothing to infer.
    let mut recorded = snapshot.clone();
    recorded
        .billing
        .push(paid(2, OPENAI, Auto, "2026-10-05 13:00", "20.00"));
    let flags = detect_all(&recorded, &FlagParams::default(), d("2026-10-09"));
    assert!(
        flags.iter().all(|f| f.kind != FlagKind::RechargeFailed),
        "{flags:#?}"
    );
}

#[test]
fn a_spend_that_jumps_and_stays_high_is_one_spike() {
    let days = |from: &str, to: &str, cost: &str| -> Vec<ProjectDay> {
        d(from)
            .iter_days()
            .take_while(|day| *day <= d(to))
            .map(|day| ProjectDay {
                provider: OPENAI.into(),
                project: "Web app".into(),
                day,
                cost: usd(cost),
                currency: Currency::USD,
            })
            .collect()
    };
    let snapshot = Snapshot {
        project_usage: ProjectUsage::from_days(
            [
                days("2026-10-01", "2026-10-20", "2.00"),
                days("2026-10-21", "2026-10-25", "12.00"),
            ]
            .concat(),
        ),
        ..Snapshot::default()
    };
    let flags = detect_all(&snapshot, &FlagParams::default(), d("2026-10-26"));
    assert_eq!(
        kinds(&flags),
        [("spend_spike", "2026-10-21".to_string(), 5)]
    );
    assert_eq!(flags[0].amount, Some(usd("60.00")));
    assert!(flags[0].message.contains("5 days"), "{}", flags[0].message);
    // The episode keeps its id as it grows.
    let earlier = detect_all(&snapshot, &FlagParams::default(), d("2026-10-22"));
    assert_eq!(earlier[0].id, flags[0].id);
}

/// The one clock: the same flags whatever the as-of day reads, as long as it is the same day.
#[test]
fn the_as_of_day_decides_not_the_records_after_it() {
    let snapshot = usage_with_credit("2026-10-30", &[(1, "2026-10-01", "10.00")]);
    let before: Vec<NaiveDate> = detect_all(&snapshot, &FlagParams::default(), d("2026-10-04"))
        .iter()
        .map(|f| f.date)
        .collect();
    assert!(before.is_empty(), "not yet at zero on 10-04");
    let after = detect_all(&snapshot, &FlagParams::default(), d("2026-10-06"));
    assert_eq!(kinds(&after)[0].0, "balance_depleted");
}
