//! The monthly review a team lead closes a month with: what was spent, on which providers,
//! projects and models, what changed since last month and what drove the change, where each
//! budget stands, and whether what the providers say was bought matches what the bank and card
//! lines paid.
//!
//! Pure: [`build`] takes plain inputs ([`ReviewInputs`]: usage cost per day, billing records,
//! bank lines, ECB rates, budgets, payment matches and flags, all loaded by the store) and the
//! as-of day as a parameter; no clock, no I/O. Records dated after `as_of` are ignored.
//!
//! Money is exact. Every figure is in the reporting currency; a line in another currency is
//! converted with the ECB reference rate of its day (units per euro, so cross rates go through
//! the euro; a day without a rate takes the latest rate up to [`RATE_LOOKBACK_DAYS`] days
//! before), in integer arithmetic with an `i128` intermediate, rounded half away from zero to
//! nano-units. Its original amount is kept in [`Review::conversions`]. A line whose rate is
//! missing is left out of the totals and named in [`Review::missing_rates`]: the review says
//! its totals are incomplete rather than guessing a rate.
//!
//! A bank line and the billing record it paid (a [`PaymentPair`]) in two currencies imply their
//! own rate: the billing amount over the bank amount. That rate is *preferred* over the ECB one
//! for the two lines of the pair, and only for them, when one side is in the reporting currency:
//! it is what the card really charged (the issuer's rate and fees included), so the money
//! trail's card payments and the credits they bought agree to the cent instead of differing by
//! the spread between the ECB rate and the card's, and a pair still converts on a day the ledger
//! has no ECB rate for. The converted amount is computed in one step, `amount * other side /
//! this side` in `i128`, rounded half away from zero (the line itself therefore converts to
//! exactly its partner's amount). When the reporting currency is neither side's, or for every
//! other line, the ECB rates are used. Each conversion records which rate it used
//! ([`RateSource`]).
//!
//! Percentages are whole percent, rounded half away from zero; a change from nothing has no
//! percentage (`None`, shown as "new"). Drivers of change: per dimension (project, model), the
//! rows with the largest absolute change, taken until they cover at least
//! [`DRIVER_COVER_PERCENT`]% of the dimension's summed absolute change, at most [`MAX_DRIVERS`].
//! The absolute sum is used (not the net change) so that a rise and a fall that cancel out are
//! both still explained.
//!
//! Payment matching is not decided here: the caller passes the pairs the one matching rule of
//! `domain::matching` found, and the records it could not decide between. Unmatched means a
//! money-moving billing record (or an AI-tagged bank line that moved money out) of the month
//! that is in no pair and waits for no decision.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, Months, NaiveDate};

use super::flags::Flag;
#[cfg(doc)]
use super::fx::RATE_LOOKBACK_DAYS;
use super::fx::{ConvertError, MissingRate, Rate, RateBook};
use super::ledger::{BankItem, BillingItem, Budget, BudgetScope};
use super::money::{Amount, Currency, NANOS_PER_UNIT, div_round};
use super::records::{BankStatus, BillingKind, BillingStatus};

/// Drivers of change cover at least this share of the summed absolute change...
pub const DRIVER_COVER_PERCENT: i128 = 80;
/// ...with at most this many rows per dimension.
pub const MAX_DRIVERS: usize = 5;

/// Shown for usage outside any project or without a model.
pub const NONE_LABEL: &str = "(none)";

/// Usage cost of one provider, project and model on one day (the store sums the usage rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageCost {
    pub day: NaiveDate,
    pub provider: String,
    /// The project's name, else its id, else empty.
    pub project: String,
    /// Empty when the export does not say.
    pub model: String,
    pub cost: Amount,
    pub currency: Currency,
}

/// A bank line that paid a billing record, as the matching rule decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentPair {
    pub billing_id: i64,
    pub bank_id: i64,
}

/// Everything the review reads.
#[derive(Debug, Clone, Default)]
pub struct ReviewInputs {
    /// Usage cost per day of the month and the month before.
    pub usage: Vec<UsageCost>,
    pub billing: Vec<BillingItem>,
    pub bank: Vec<BankItem>,
    pub rates: Vec<Rate>,
    pub budgets: Vec<Budget>,
    pub payments: Vec<PaymentPair>,
    /// Billing records the matching rule could not decide about (they wait for the user).
    pub undecided_billing: Vec<i64>,
    /// Bank lines the matching rule could not decide about.
    pub undecided_bank: Vec<i64>,
    /// The flags as of the review's day; the review keeps those dated in its month.
    pub flags: Vec<Flag>,
}

/// One total this month beside last month's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRow {
    pub name: String,
    pub current: Amount,
    pub previous: Amount,
    /// `current - previous`.
    pub change: Amount,
    /// The change in whole percent of last month; `None` when last month was zero ("new").
    pub percent: Option<i64>,
}

/// A project or model that drove the month's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Driver {
    /// `project` or `model`.
    pub dimension: &'static str,
    pub row: ChangeRow,
    /// Its absolute change in whole percent of the dimension's summed absolute change.
    pub share_percent: i64,
}

/// Where one budget stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetRow {
    pub scope: BudgetScope,
    pub name: String,
    /// The budget's own currency (spent and projected are converted into it).
    pub currency: Currency,
    pub spent: Amount,
    pub budget: Amount,
    /// Spent in whole percent of the budget; `None` for a zero budget.
    pub percent: Option<i64>,
    /// Month-end spend at the current burn rate (spent / days elapsed * days in month); equal to
    /// `spent` for a complete month.
    pub projected: Amount,
    /// The day the month's spend went past the budget.
    pub crossed_on: Option<NaiveDate>,
}

impl BudgetRow {
    pub fn scope_str(&self) -> &'static str {
        match self.scope {
            BudgetScope::Project => "project",
            BudgetScope::Provider => "provider",
        }
    }
}

/// Where the month's money went, in the reporting currency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MoneyTrail {
    /// What the providers charged for usage.
    pub usage: Amount,
    /// Credits bought by hand (`credit_purchase`).
    pub credits_manual: Amount,
    pub credits_auto_recharge: Amount,
    pub credits_free: Amount,
    pub subscriptions: Amount,
    pub invoices: Amount,
    pub refunds: Amount,
    /// Money that left bank and card accounts for AI services (settled lines, net of money
    /// back).
    pub bank_paid: Amount,
    /// Holds on AI-tagged lines not settled yet.
    pub bank_pending: Amount,
}

impl MoneyTrail {
    /// Credits of every kind.
    pub fn credits_total(&self) -> Option<Amount> {
        self.credits_manual
            .checked_add(self.credits_auto_recharge)?
            .checked_add(self.credits_free)
    }

    /// The line a billing record of `kind` adds to.
    fn billing_slot(&mut self, kind: BillingKind) -> &mut Amount {
        match kind {
            BillingKind::CreditPurchase => &mut self.credits_manual,
            BillingKind::AutoRecharge => &mut self.credits_auto_recharge,
            BillingKind::FreeCredit => &mut self.credits_free,
            BillingKind::Subscription => &mut self.subscriptions,
            BillingKind::Invoice => &mut self.invoices,
            BillingKind::Refund => &mut self.refunds,
        }
    }

    /// The trail as `(item, amount)` lines, in reading order.
    pub fn lines(&self) -> Vec<(&'static str, Amount)> {
        vec![
            ("usage cost", self.usage),
            ("credits purchased (manual)", self.credits_manual),
            (
                "credits purchased (auto-recharge)",
                self.credits_auto_recharge,
            ),
            ("free credits", self.credits_free),
            ("subscriptions", self.subscriptions),
            ("invoices", self.invoices),
            ("refunds", self.refunds),
            ("paid by bank and card (settled)", self.bank_paid),
            ("bank and card holds (pending)", self.bank_pending),
        ]
    }
}

/// A billing record or bank line nothing matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailLine {
    /// `billing:ID` or `bank:ID`.
    pub record: String,
    pub day: NaiveDate,
    pub provider: String,
    /// The billing kind, or the bank line's spend kind.
    pub kind: String,
    /// The bank line's description; the billing record's organization and project.
    pub description: String,
    /// As written: money out is positive for both sides.
    pub original: Amount,
    pub original_currency: Currency,
    /// In the reporting currency; `None` when the rate is missing.
    pub amount: Option<Amount>,
}

/// A flag dated in the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagLine {
    pub id: String,
    pub kind: &'static str,
    pub severity: &'static str,
    pub date: NaiveDate,
    pub provider: String,
    pub message: String,
    /// Why the flag was raised and what to do, as the detector wrote it.
    pub diagnosis: String,
}

/// Which rate converted an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RateSource {
    /// The ECB reference rate of the day (or of the latest day before, within a week).
    Ecb,
    /// The rate implied by a bank line and the billing record it paid.
    MatchedPair,
}

impl RateSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ecb => "ecb",
            Self::MatchedPair => "matched pair",
        }
    }
}

/// Money of one kind, day, currency and rate source that was converted into the reporting
/// currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// `usage`, `billing` or `bank`.
    pub source: &'static str,
    /// The rate used; [`RateSource::Ecb`] for an amount whose rate is missing.
    pub rate: RateSource,
    pub day: NaiveDate,
    pub original: Amount,
    pub original_currency: Currency,
    /// `None` when the rate is missing.
    pub converted: Option<Amount>,
}

/// The review of one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// The first day of the month.
    pub month: NaiveDate,
    /// The first day of the month before.
    pub previous: NaiveDate,
    pub as_of: NaiveDate,
    pub currency: Currency,
    pub days_in_month: i64,
    /// Days of the month up to `as_of` (all of them once the month is over).
    pub days_elapsed: i64,
    /// The last day of the month before that the comparison counts: its last day for a complete
    /// month, else day `days_elapsed` of it (or its last day when it is shorter), so that a
    /// month under way is compared day for day ("Nov 1-20 vs Oct 1-20").
    pub previous_until: NaiveDate,
    /// This month's usage cost at month end at the current burn rate; equal to
    /// `total.current` for a complete month.
    pub total_projected: Amount,
    pub total: ChangeRow,
    pub by_provider: Vec<ChangeRow>,
    pub by_project: Vec<ChangeRow>,
    pub by_model: Vec<ChangeRow>,
    pub drivers: Vec<Driver>,
    pub budgets: Vec<BudgetRow>,
    pub trail: MoneyTrail,
    pub matched_payments: usize,
    pub unmatched_billing: Vec<TrailLine>,
    pub unmatched_bank: Vec<TrailLine>,
    pub flags: Vec<FlagLine>,
    pub conversions: Vec<Conversion>,
    pub missing_rates: Vec<MissingRate>,
}

impl Review {
    /// `YYYY-MM` of the month.
    pub fn month_label(&self) -> String {
        self.month.format("%Y-%m").to_string()
    }

    /// `YYYY-MM` of the month before.
    pub fn previous_label(&self) -> String {
        self.previous.format("%Y-%m").to_string()
    }

    /// Whether the month is over as of the review's day.
    pub fn complete(&self) -> bool {
        self.days_elapsed >= self.days_in_month
    }

    /// Whether the month is under way, so that its first days are compared with the same days
    /// of the month before rather than with the whole of it.
    pub fn partial(&self) -> bool {
        self.days_elapsed > 0 && !self.complete()
    }

    /// The last day of this month the review counts (`as_of` while the month is under way).
    pub fn current_until(&self) -> NaiveDate {
        let offset = u64::try_from(self.days_elapsed.max(1) - 1).unwrap_or(0);
        self.month
            .checked_add_days(Days::new(offset))
            .unwrap_or(self.month)
    }

    /// What is compared with what: `2026-11 vs 2026-10` for a complete month,
    /// `Nov 1-20 vs Oct 1-20` for one under way.
    pub fn comparison_label(&self) -> String {
        if !self.partial() {
            return format!("{} vs {}", self.month_label(), self.previous_label());
        }
        format!(
            "{} vs {}",
            day_span(self.month, self.current_until()),
            day_span(self.previous, self.previous_until)
        )
    }

    /// The short name of the column of this month's figures (`Nov 1-20` or `2026-11`).
    pub fn current_column(&self) -> String {
        if self.partial() {
            day_span(self.month, self.current_until())
        } else {
            self.month_label()
        }
    }

    /// The short name of the column of the figures compared with (`Oct 1-20` or `2026-10`).
    pub fn previous_column(&self) -> String {
        if self.partial() {
            day_span(self.previous, self.previous_until)
        } else {
            self.previous_label()
        }
    }

    /// Whether the month (up to `as_of`) has any usage cost.
    pub fn has_current_usage(&self) -> bool {
        self.by_provider.iter().any(|p| !p.current.is_zero())
    }

    /// Whether the days of the month before it is compared with have any usage cost.
    pub fn has_previous_usage(&self) -> bool {
        self.by_provider.iter().any(|p| !p.previous.is_zero())
    }
}

/// `Nov 1-20` (both days in one month).
fn day_span(from: NaiveDate, until: NaiveDate) -> String {
    format!("{} {}-{}", from.format("%b"), from.day(), until.day())
}

/// Why a review could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("a total of the review is too large to add up exactly")]
    TooLarge,
    #[error("the month {0} has no calendar")]
    NoSuchMonth(NaiveDate),
}

/// `part` in whole percent of `whole`, rounded half away from zero; `None` when `whole` is zero.
pub fn percent_of(part: Amount, whole: Amount) -> Option<i64> {
    if whole.is_zero() {
        return None;
    }
    let whole_nanos = i128::from(whole.nanos());
    let (n, d) = if whole_nanos < 0 {
        (-i128::from(part.nanos()) * 100, -whole_nanos)
    } else {
        (i128::from(part.nanos()) * 100, whole_nanos)
    };
    div_round(n, d).and_then(|p| i64::try_from(p).ok())
}

/// The first day of the month `day` falls in.
fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The rate a matched pair implies from one side's currency into the other's: `to_nanos`
/// of `to` for every `from_nanos` of `from` (both positive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairRate {
    pub from: Currency,
    pub to: Currency,
    pub from_nanos: i64,
    pub to_nanos: i64,
}

impl PairRate {
    /// The rate of a line of `amount` in `from` whose partner is `partner` in `to`; `None`
    /// when the currencies agree or either amount is zero.
    pub fn new(amount: Amount, from: Currency, partner: Amount, to: Currency) -> Option<Self> {
        if from == to || amount.is_zero() || partner.is_zero() {
            return None;
        }
        Some(Self {
            from,
            to,
            from_nanos: amount.nanos().checked_abs()?,
            to_nanos: partner.nanos().checked_abs()?,
        })
    }

    /// `amount` of `from` in `to`: `amount * to_nanos / from_nanos`, rounded half away from
    /// zero; `None` when it does not fit an amount.
    pub fn convert(&self, amount: Amount) -> Option<Amount> {
        let n = i128::from(amount.nanos()).checked_mul(i128::from(self.to_nanos))?;
        div_round(n, i128::from(self.from_nanos))
            .and_then(|v| i64::try_from(v).ok())
            .map(Amount::from_nanos)
    }

    /// The rate in nano-units of `to` per unit of `from`, rounded half away from zero.
    pub fn per_unit_nanos(&self) -> Option<i64> {
        self.convert(Amount::from_nanos(NANOS_PER_UNIT))
            .map(Amount::nanos)
    }
}

/// The rates the payment pairs imply, by bank line and by billing record (each side converts
/// into its partner's currency).
#[derive(Debug, Default)]
struct PairRates {
    bank: BTreeMap<i64, PairRate>,
    billing: BTreeMap<i64, PairRate>,
}

impl PairRates {
    fn new(inputs: &ReviewInputs) -> Self {
        let billing_by_id: BTreeMap<i64, &BillingItem> =
            inputs.billing.iter().map(|b| (b.id, b)).collect();
        let bank_by_id: BTreeMap<i64, &BankItem> = inputs.bank.iter().map(|l| (l.id, l)).collect();
        let mut rates = Self::default();
        for p in &inputs.payments {
            let (Some(b), Some(l)) = (billing_by_id.get(&p.billing_id), bank_by_id.get(&p.bank_id))
            else {
                continue;
            };
            if let Some(r) = PairRate::new(l.amount, l.currency, b.amount, b.currency) {
                rates.bank.insert(l.id, r);
            }
            if let Some(r) = PairRate::new(b.amount, b.currency, l.amount, l.currency) {
                rates.billing.insert(b.id, r);
            }
        }
        rates
    }
}

/// Converts into the reporting currency, remembering the conversions and the missing rates.
struct Converter<'a> {
    rates: &'a RateBook,
    missing: BTreeSet<MissingRate>,
    conversions: BTreeMap<ConversionKey, (Amount, Option<Amount>)>,
}

/// What amounts are summed by in the conversion table: their kind, day, original currency and
/// rate source.
type ConversionKey = (&'static str, NaiveDate, Currency, RateSource);

impl Converter<'_> {
    /// `amount` of `currency` on `day` in `to`; `Ok(None)` when a rate is missing. Only
    /// conversions into the reporting currency are `logged` in the review's conversion table.
    fn convert(
        &mut self,
        source: Option<&'static str>,
        amount: Amount,
        currency: Currency,
        to: Currency,
        day: NaiveDate,
    ) -> Result<Option<Amount>, ReviewError> {
        self.convert_line(source, None, amount, currency, to, day)
    }

    /// As [`Converter::convert`], preferring the rate of the line's matched pair when it
    /// converts `currency` into `to` (see the module docs).
    fn convert_line(
        &mut self,
        source: Option<&'static str>,
        pair: Option<&PairRate>,
        amount: Amount,
        currency: Currency,
        to: Currency,
        day: NaiveDate,
    ) -> Result<Option<Amount>, ReviewError> {
        let pair = pair.filter(|p| p.from == currency && p.to == to && currency != to);
        let (result, rate) = if let Some(pair) = pair {
            let converted = pair.convert(amount).ok_or(ReviewError::TooLarge)?;
            (Some(converted), RateSource::MatchedPair)
        } else {
            let converted = match self.rates.convert(amount, currency, to, day) {
                Ok(a) => Some(a),
                Err(ConvertError::Missing(m)) => {
                    self.missing.insert(m);
                    None
                }
                Err(ConvertError::TooLarge) => return Err(ReviewError::TooLarge),
            };
            (converted, RateSource::Ecb)
        };
        if let Some(source) = source
            && currency != to
        {
            let entry = self
                .conversions
                .entry((source, day, currency, rate))
                .or_insert((Amount::ZERO, Some(Amount::ZERO)));
            entry.0 = entry.0.checked_add(amount).ok_or(ReviewError::TooLarge)?;
            entry.1 = match (entry.1, result) {
                (Some(total), Some(a)) => Some(total.checked_add(a).ok_or(ReviewError::TooLarge)?),
                _ => None,
            };
        }
        Ok(result)
    }
}

fn add(total: &mut Amount, amount: Amount) -> Result<(), ReviewError> {
    *total = total.checked_add(amount).ok_or(ReviewError::TooLarge)?;
    Ok(())
}

fn label(text: &str) -> String {
    if text.is_empty() {
        NONE_LABEL.to_string()
    } else {
        text.to_string()
    }
}

/// Totals of this month and last, by name.
#[derive(Default)]
struct Pair {
    current: BTreeMap<String, Amount>,
    previous: BTreeMap<String, Amount>,
}

impl Pair {
    fn add(&mut self, current: bool, name: String, amount: Amount) -> Result<(), ReviewError> {
        let map = if current {
            &mut self.current
        } else {
            &mut self.previous
        };
        add(map.entry(name).or_default(), amount)
    }

    /// Rows sorted by this month's amount (largest first), then last month's, then name.
    fn rows(&self) -> Result<Vec<ChangeRow>, ReviewError> {
        let names: BTreeSet<&String> = self.current.keys().chain(self.previous.keys()).collect();
        let mut rows = names
            .into_iter()
            .map(|name| {
                change_row(
                    name,
                    self.current.get(name).copied().unwrap_or_default(),
                    self.previous.get(name).copied().unwrap_or_default(),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        rows.sort_by(|a, b| {
            b.current
                .cmp(&a.current)
                .then(b.previous.cmp(&a.previous))
                .then(a.name.cmp(&b.name))
        });
        Ok(rows)
    }
}

fn change_row(name: &str, current: Amount, previous: Amount) -> Result<ChangeRow, ReviewError> {
    let change = current.checked_sub(previous).ok_or(ReviewError::TooLarge)?;
    Ok(ChangeRow {
        name: name.to_string(),
        current,
        previous,
        change,
        percent: percent_of(change, previous),
    })
}

/// The rows that drove most of a dimension's change (see the module docs).
pub fn drivers(dimension: &'static str, rows: &[ChangeRow]) -> Vec<Driver> {
    let mut moved: Vec<&ChangeRow> = rows.iter().filter(|r| !r.change.is_zero()).collect();
    moved.sort_by(|a, b| {
        b.change
            .abs()
            .cmp(&a.change.abs())
            .then(a.name.cmp(&b.name))
    });
    let total: i128 = moved
        .iter()
        .map(|r| i128::from(r.change.abs().nanos()))
        .sum();
    let mut covered: i128 = 0;
    let mut out = Vec::new();
    for row in moved.into_iter().take(MAX_DRIVERS) {
        let abs = i128::from(row.change.abs().nanos());
        covered += abs;
        out.push(Driver {
            dimension,
            row: row.clone(),
            share_percent: div_round(abs * 100, total)
                .and_then(|p| i64::try_from(p).ok())
                .unwrap_or(0),
        });
        if covered * 100 >= total * DRIVER_COVER_PERCENT {
            break;
        }
    }
    out
}

/// The days of `month` and how many of them have passed by `as_of`.
fn month_days(month: NaiveDate, as_of: NaiveDate) -> Result<(i64, i64), ReviewError> {
    let next = month
        .checked_add_months(Months::new(1))
        .ok_or(ReviewError::NoSuchMonth(month))?;
    let days_in_month = (next - month).num_days();
    let elapsed = if as_of < month {
        0
    } else if as_of >= next {
        days_in_month
    } else {
        (as_of - month).num_days() + 1
    };
    Ok((days_in_month, elapsed))
}

/// The last day of the month before (starting `previous`) compared with the first
/// `elapsed` days of `month`: the same day number while the month is under way (the month
/// before's last day when it is shorter), its last day otherwise.
fn previous_until(
    previous: NaiveDate,
    month: NaiveDate,
    elapsed: i64,
    days_in_month: i64,
) -> Result<NaiveDate, ReviewError> {
    let last = month.pred_opt().ok_or(ReviewError::NoSuchMonth(month))?;
    if elapsed <= 0 || elapsed >= days_in_month {
        return Ok(last);
    }
    let offset = u64::try_from(elapsed - 1).map_err(|_| ReviewError::NoSuchMonth(month))?;
    Ok(previous
        .checked_add_days(Days::new(offset))
        .map_or(last, |d| d.min(last)))
}

/// Month-end spend at the current burn rate: `spent / elapsed * days`, exact, rounded half away
/// from zero; `spent` itself for a complete month or one not started.
pub fn projected(spent: Amount, elapsed: i64, days_in_month: i64) -> Option<Amount> {
    if elapsed <= 0 || elapsed >= days_in_month {
        return Some(spent);
    }
    let n = i128::from(spent.nanos()).checked_mul(i128::from(days_in_month))?;
    div_round(n, i128::from(elapsed))
        .and_then(|v| i64::try_from(v).ok())
        .map(Amount::from_nanos)
}

/// Builds the review of the month `month` falls in, as of `as_of`, in `currency`.
///
/// # Errors
/// When a total is too large to add up exactly.
pub fn build(
    inputs: &ReviewInputs,
    month: NaiveDate,
    as_of: NaiveDate,
    currency: Currency,
) -> Result<Review, ReviewError> {
    let month = first_of_month(month);
    let previous = month
        .checked_sub_months(Months::new(1))
        .ok_or(ReviewError::NoSuchMonth(month))?;
    let (days_in_month, days_elapsed) = month_days(month, as_of)?;
    let next = month
        .checked_add_months(Months::new(1))
        .ok_or(ReviewError::NoSuchMonth(month))?;
    let previous_until = previous_until(previous, month, days_elapsed, days_in_month)?;
    let in_month = |day: NaiveDate| day >= month && day < next && day <= as_of;
    let in_previous = |day: NaiveDate| day >= previous && day <= previous_until && day <= as_of;
    let rates = RateBook::new(&inputs.rates);
    let mut conv = Converter {
        rates: &rates,
        missing: BTreeSet::new(),
        conversions: BTreeMap::new(),
    };

    let (mut providers, mut projects, mut models) =
        (Pair::default(), Pair::default(), Pair::default());
    let mut total = (Amount::ZERO, Amount::ZERO);
    for u in &inputs.usage {
        let current = in_month(u.day);
        if !current && !in_previous(u.day) {
            continue;
        }
        let source = current.then_some("usage");
        let Some(cost) = conv.convert(source, u.cost, u.currency, currency, u.day)? else {
            continue;
        };
        providers.add(current, label(&u.provider), cost)?;
        projects.add(current, label(&u.project), cost)?;
        models.add(current, label(&u.model), cost)?;
        add(if current { &mut total.0 } else { &mut total.1 }, cost)?;
    }
    let by_project = projects.rows()?;
    let by_model = models.rows()?;
    let mut all_drivers = drivers("project", &by_project);
    all_drivers.extend(drivers("model", &by_model));

    let budgets = budget_rows(inputs, &mut conv, &in_month, days_elapsed, days_in_month)?;
    let (trail, unmatched_billing, unmatched_bank, matched_payments) =
        money_trail(inputs, &mut conv, currency, &in_month, total.0)?;

    let mut flags: Vec<FlagLine> = inputs
        .flags
        .iter()
        .filter(|f| f.date >= month && f.date < next)
        .map(|f| FlagLine {
            id: f.id.clone(),
            kind: f.kind.as_str(),
            severity: f.severity.as_str(),
            date: f.date,
            provider: f.provider.clone(),
            message: f.message.clone(),
            diagnosis: f.diagnosis.clone(),
        })
        .collect();
    flags.sort_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));

    let conversions = conv
        .conversions
        .into_iter()
        .map(
            |((source, day, cur, rate), (original, converted))| Conversion {
                source,
                rate,
                day,
                original,
                original_currency: cur,
                converted,
            },
        )
        .collect();
    Ok(Review {
        month,
        previous,
        as_of,
        currency,
        days_in_month,
        days_elapsed,
        previous_until,
        total_projected: projected(total.0, days_elapsed, days_in_month)
            .ok_or(ReviewError::TooLarge)?,
        total: change_row("total", total.0, total.1)?,
        by_provider: providers.rows()?,
        by_project,
        by_model,
        drivers: all_drivers,
        budgets,
        trail,
        matched_payments,
        unmatched_billing,
        unmatched_bank,
        flags,
        conversions,
        missing_rates: conv.missing.into_iter().collect(),
    })
}

fn budget_rows(
    inputs: &ReviewInputs,
    conv: &mut Converter<'_>,
    in_month: &dyn Fn(NaiveDate) -> bool,
    elapsed: i64,
    days_in_month: i64,
) -> Result<Vec<BudgetRow>, ReviewError> {
    let mut rows = Vec::new();
    for budget in &inputs.budgets {
        let mut by_day: BTreeMap<NaiveDate, Amount> = BTreeMap::new();
        for u in inputs.usage.iter().filter(|u| in_month(u.day)) {
            let covered = match budget.scope {
                BudgetScope::Project => u.project == budget.name,
                BudgetScope::Provider => u.provider.eq_ignore_ascii_case(&budget.name),
            };
            if !covered {
                continue;
            }
            if let Some(cost) = conv.convert(None, u.cost, u.currency, budget.currency, u.day)? {
                add(by_day.entry(u.day).or_default(), cost)?;
            }
        }
        let mut spent = Amount::ZERO;
        let mut crossed_on = None;
        for (day, cost) in by_day {
            add(&mut spent, cost)?;
            if crossed_on.is_none() && spent > budget.monthly {
                crossed_on = Some(day);
            }
        }
        rows.push(BudgetRow {
            scope: budget.scope,
            name: budget.name.clone(),
            currency: budget.currency,
            spent,
            budget: budget.monthly,
            percent: percent_of(spent, budget.monthly),
            projected: projected(spent, elapsed, days_in_month).ok_or(ReviewError::TooLarge)?,
            crossed_on,
        });
    }
    rows.sort_by(|a, b| a.scope_str().cmp(b.scope_str()).then(a.name.cmp(&b.name)));
    Ok(rows)
}

/// A billing record's organization and project, as a trail line's description.
fn billing_description(b: &BillingItem) -> String {
    [b.organization.as_str(), b.project.as_str()]
        .iter()
        .filter(|t| !t.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" / ")
}

type Trail = (MoneyTrail, Vec<TrailLine>, Vec<TrailLine>, usize);

fn money_trail(
    inputs: &ReviewInputs,
    conv: &mut Converter<'_>,
    currency: Currency,
    in_month: &dyn Fn(NaiveDate) -> bool,
    usage: Amount,
) -> Result<Trail, ReviewError> {
    let mut trail = MoneyTrail {
        usage,
        ..MoneyTrail::default()
    };
    let matched_billing: BTreeSet<i64> = inputs.payments.iter().map(|p| p.billing_id).collect();
    let matched_bank: BTreeSet<i64> = inputs.payments.iter().map(|p| p.bank_id).collect();
    let pair_rates = PairRates::new(inputs);
    let undecided_billing: BTreeSet<i64> = inputs.undecided_billing.iter().copied().collect();
    let undecided_bank: BTreeSet<i64> = inputs.undecided_bank.iter().copied().collect();
    let mut unmatched_billing = Vec::new();
    let mut unmatched_bank = Vec::new();
    let mut matched = 0;

    for b in inputs.billing.iter().filter(|b| in_month(b.day)) {
        let counts = b.status == BillingStatus::Paid
            || (b.kind == BillingKind::FreeCredit
                && !matches!(b.status, BillingStatus::Failed | BillingStatus::Void));
        if !counts {
            continue;
        }
        let converted = conv.convert_line(
            Some("billing"),
            pair_rates.billing.get(&b.id),
            b.amount,
            b.currency,
            currency,
            b.day,
        )?;
        if let Some(amount) = converted {
            add(trail.billing_slot(b.kind), amount)?;
        }
        if b.kind == BillingKind::FreeCredit || b.amount.is_zero() {
            continue;
        }
        if matched_billing.contains(&b.id) {
            matched += 1;
        } else if !undecided_billing.contains(&b.id) {
            unmatched_billing.push(TrailLine {
                record: b.record(),
                day: b.day,
                provider: b.provider.clone(),
                kind: b.kind.as_str().to_string(),
                description: billing_description(b),
                original: b.amount,
                original_currency: b.currency,
                amount: converted,
            });
        }
    }

    for l in inputs
        .bank
        .iter()
        .filter(|l| l.provider.is_some() && in_month(l.day))
    {
        let status = l.status.unwrap_or(BankStatus::Settled);
        if status == BankStatus::Reversed {
            continue;
        }
        // Money out is positive in the trail.
        let out = l.amount.checked_neg().ok_or(ReviewError::TooLarge)?;
        let converted = conv.convert_line(
            Some("bank"),
            pair_rates.bank.get(&l.id),
            out,
            l.currency,
            currency,
            l.day,
        )?;
        if let Some(amount) = converted {
            match status {
                BankStatus::Pending => add(&mut trail.bank_pending, amount)?,
                _ => add(&mut trail.bank_paid, amount)?,
            }
        }
        if status != BankStatus::Settled
            || !l.amount.is_negative()
            || matched_bank.contains(&l.id)
            || undecided_bank.contains(&l.id)
        {
            continue;
        }
        unmatched_bank.push(TrailLine {
            record: l.record(),
            day: l.day,
            provider: l.provider.clone().unwrap_or_default(),
            kind: l
                .spend_kind
                .map(|k| k.as_str().to_string())
                .unwrap_or_default(),
            description: l.description.clone(),
            original: out,
            original_currency: l.currency,
            amount: converted,
        });
    }
    Ok((trail, unmatched_billing, unmatched_bank, matched))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::flags::{FlagKind, Severity};
    use crate::domain::records::SpendKind;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn usd(text: &str) -> Amount {
        Amount::parse(text, crate::domain::money::DecimalMark::Dot).unwrap()
    }

    fn usage(day: &str, project: &str, model: &str, cost: &str) -> UsageCost {
        UsageCost {
            day: d(day),
            provider: "openai".into(),
            project: project.into(),
            model: model.into(),
            cost: usd(cost),
            currency: Currency::of(*b"USD"),
        }
    }

    fn billing(id: i64, day: &str, kind: BillingKind, amount: &str, currency: &str) -> BillingItem {
        BillingItem {
            id,
            source_file_id: 1,
            provider: "openai".into(),
            kind,
            status: BillingStatus::Paid,
            day: d(day),
            time: None,
            amount: usd(amount),
            currency: Currency::parse(currency).unwrap(),
            organization: "Acme".into(),
            project: String::new(),
            expires_on: None,
            receipt: crate::domain::billing_details::ReceiptFacts::default(),
        }
    }

    fn bank(id: i64, day: &str, amount: &str) -> BankItem {
        BankItem {
            id,
            source_file_id: 2,
            provider: Some("openai".into()),
            spend_kind: Some(SpendKind::ApiTopup),
            status: Some(BankStatus::Settled),
            day: d(day),
            time: None,
            amount: usd(amount),
            currency: Currency::of(*b"USD"),
            description: "OPENAI".into(),
            card_last4: String::new(),
        }
    }

    fn rate(day: &str, currency: &str, per_euro: &str) -> Rate {
        Rate {
            day: d(day),
            currency: Currency::parse(currency).unwrap(),
            per_euro: usd(per_euro),
        }
    }

    fn row<'a>(rows: &'a [ChangeRow], name: &str) -> &'a ChangeRow {
        rows.iter().find(|r| r.name == name).unwrap()
    }

    #[test]
    fn month_over_month_with_a_project_new_this_month() {
        let inputs = ReviewInputs {
            usage: vec![
                usage("2026-02-10", "Web app", "gpt-4o", "40.00"),
                usage("2026-03-03", "Web app", "gpt-4o", "50.00"),
                usage("2026-03-04", "Agent", "gpt-4o-mini", "12.345"),
                // Outside both months: ignored.
                usage("2026-01-31", "Web app", "gpt-4o", "99.00"),
            ],
            ..ReviewInputs::default()
        };
        let r = build(
            &inputs,
            d("2026-03-15"),
            d("2026-04-10"),
            Currency::of(*b"USD"),
        )
        .unwrap();
        assert_eq!(
            (r.month_label(), r.previous_label()),
            ("2026-03".into(), "2026-02".into())
        );
        assert_eq!(r.currency, "USD");
        assert!(r.complete());
        let web = row(&r.by_project, "Web app");
        assert_eq!(
            (web.current, web.previous, web.change, web.percent),
            (usd("50"), usd("40"), usd("10"), Some(25))
        );
        let agent = row(&r.by_project, "Agent");
        assert_eq!(
            (agent.current, agent.previous, agent.percent),
            (usd("12.345"), Amount::ZERO, None)
        );
        assert_eq!(r.by_project[0].name, "Web app", "largest first");
        assert_eq!(r.total.current, usd("62.345"));
        assert_eq!(r.total.percent, Some(56), "22.345 / 40 = 55.86%");
        assert_eq!(row(&r.by_model, "gpt-4o-mini").percent, None);
        assert_eq!(r.by_provider.len(), 1);
        assert!(r.missing_rates.is_empty() && r.conversions.is_empty());
    }

    /// Regression: as of Nov 20, twenty days of November were compared with all 31 days of
    /// October, showing a fall where the daily pace had risen.
    #[test]
    fn a_month_under_way_is_compared_day_for_day_with_the_month_before() {
        let mut usage_rows = Vec::new();
        for day in 1..=31 {
            usage_rows.push(usage(
                &format!("2026-10-{day:02}"),
                "Web app",
                "gpt-4o",
                "10.00",
            ));
        }
        for day in 1..=20 {
            usage_rows.push(usage(
                &format!("2026-11-{day:02}"),
                "Web app",
                "gpt-4o",
                "12.20",
            ));
        }
        // After as_of: not counted.
        usage_rows.push(usage("2026-11-25", "Web app", "gpt-4o", "99.00"));
        let inputs = ReviewInputs {
            usage: usage_rows,
            ..ReviewInputs::default()
        };
        let r = build(
            &inputs,
            d("2026-11-01"),
            d("2026-11-20"),
            Currency::of(*b"USD"),
        )
        .unwrap();
        assert!(r.partial() && !r.complete());
        assert_eq!(r.previous_until, d("2026-10-20"));
        assert_eq!(r.comparison_label(), "Nov 1-20 vs Oct 1-20");
        assert_eq!(
            (r.current_column(), r.previous_column()),
            ("Nov 1-20".into(), "Oct 1-20".into())
        );
        assert_eq!(
            (r.total.current, r.total.previous),
            (usd("244"), usd("200"))
        );
        assert_eq!(
            r.total.percent,
            Some(22),
            "a rise, not the -21% of 244 vs 310"
        );
        assert_eq!(r.total_projected, usd("366"), "244 / 20 days * 30 days");
        assert_eq!(r.drivers[0].row.change, usd("44"));

        // A shorter month before: day 30 of March is compared with all of February.
        let march = build(
            &inputs,
            d("2027-03-01"),
            d("2027-03-30"),
            Currency::of(*b"USD"),
        )
        .unwrap();
        assert_eq!(march.previous_until, d("2027-02-28"));
        assert_eq!(march.comparison_label(), "Mar 1-30 vs Feb 1-28");

        // Once the month is over, whole months.
        let done = build(
            &inputs,
            d("2026-11-01"),
            d("2026-12-02"),
            Currency::of(*b"USD"),
        )
        .unwrap();
        assert!(!done.partial());
        assert_eq!(done.previous_until, d("2026-10-31"));
        assert_eq!(done.comparison_label(), "2026-11 vs 2026-10");
        assert_eq!(
            (done.total.current, done.total.previous),
            (usd("343"), usd("310"))
        );
        assert_eq!(done.total_projected, usd("343"));
    }

    #[test]
    fn a_month_with_no_usage() {
        let inputs = ReviewInputs {
            usage: vec![usage("2026-02-10", "Web app", "gpt-4o", "40.00")],
            ..ReviewInputs::default()
        };
        let r = build(
            &inputs,
            d("2026-03-01"),
            d("2026-03-31"),
            Currency::of(*b"USD"),
        )
        .unwrap();
        assert_eq!(r.total.current, Amount::ZERO);
        assert_eq!(r.total.change, usd("-40"));
        assert_eq!(r.total.percent, Some(-100));
        let web = row(&r.by_project, "Web app");
        assert_eq!((web.current, web.previous), (Amount::ZERO, usd("40")));
        assert_eq!(r.trail, MoneyTrail::default());
        assert!(r.unmatched_bank.is_empty() && r.unmatched_billing.is_empty());

        let empty = build(
            &ReviewInputs::default(),
            d("2026-03-01"),
            d("2026-03-31"),
            Currency::of(*b"USD"),
        )
        .unwrap();
        assert!(empty.by_project.is_empty() && empty.drivers.is_empty());
        assert_eq!(empty.total.percent, None);
    }

    #[test]
    fn a_budget_crossed_mid_month_and_its_projection() {
        let inputs = ReviewInputs {
            usage: vec![
                usage("2026-04-02", "Web app", "gpt-4o", "30.00"),
                usage("2026-04-05", "Web app", "gpt-4o", "40.00"),
                usage("2026-04-09", "Web app", "gpt-4o", "35.00"),
                usage("2026-04-09", "Agent", "gpt-4o", "1.00"),
                // After as_of: not counted yet.
                usage("2026-04-20", "Web app", "gpt-4o", "500.00"),
            ],
            budgets: vec![
                Budget {
                    scope: BudgetScope::Project,
                    name: "Web app".into(),
                    monthly: usd("100"),
                    currency: Currency::of(*b"USD"),
                },
                Budget {
                    scope: BudgetScope::Provider,
                    name: "openai".into(),
                    monthly: usd("1000"),
                    currency: Currency::of(*b"USD"),
                },
            ],
            ..ReviewInputs::default()
        };
        let r = build(
            &inputs,
            d("2026-04-01"),
            d("2026-04-10"),
            Currency::of(*b"USD"),
        )
        .unwrap();
        assert_eq!((r.days_in_month, r.days_elapsed), (30, 10));
        let web = r.budgets.iter().find(|b| b.name == "Web app").unwrap();
        assert_eq!(web.spent, usd("105"));
        assert_eq!(web.percent, Some(105));
        assert_eq!(web.crossed_on, Some(d("2026-04-09")));
        assert_eq!(web.projected, usd("315"), "105 / 10 days * 30 days");
        let openai = r.budgets.iter().find(|b| b.name == "openai").unwrap();
        assert_eq!(
            (openai.spent, openai.percent, openai.crossed_on),
            (usd("106"), Some(11), None)
        );
        assert_eq!(openai.projected, usd("318"));
        // A complete month projects what was spent; a third of a cent rounds exactly.
        assert_eq!(projected(usd("10"), 3, 3), Some(usd("10")));
        assert_eq!(
            projected(usd("0.01"), 3, 31),
            Some(Amount::from_nanos(103_333_333))
        );
    }

    #[test]
    fn converts_with_the_rate_of_the_day_or_says_it_is_missing() {
        let rates = vec![
            rate("2026-03-02", "USD", "1.0800"),
            rate("2026-03-02", "GBP", "0.8500"),
            rate("2026-03-06", "USD", "1.1000"),
        ];
        let table = RateBook::new(&rates);
        // 10 GBP on 03-02: 10 / 0.85 * 1.08 = 12.705882352941... USD
        assert_eq!(
            table.convert(
                usd("10"),
                Currency::of(*b"GBP"),
                Currency::of(*b"USD"),
                d("2026-03-02")
            ),
            Ok(Amount::from_nanos(12_705_882_353))
        );
        // 10 EUR on a Saturday takes Friday's rate.
        assert_eq!(
            table.convert(
                usd("10"),
                Currency::of(*b"EUR"),
                Currency::of(*b"USD"),
                d("2026-03-07")
            ),
            Ok(usd("11"))
        );
        // GBP has no rate within the 7 days before 03-20.
        assert_eq!(
            table.convert(
                usd("10"),
                Currency::of(*b"GBP"),
                Currency::of(*b"USD"),
                d("2026-03-20")
            ),
            Err(ConvertError::Missing(MissingRate {
                day: d("2026-03-20"),
                currency: Currency::of(*b"GBP")
            }))
        );
        assert_eq!(div_round(-5, 2), Some(-3));
        assert_eq!(div_round(5, 2), Some(3));

        let mut gbp = usage("2026-03-02", "UK", "claude", "10.00");
        gbp.currency = Currency::of(*b"GBP");
        let mut gbp_late = usage("2026-03-20", "UK", "claude", "7.00");
        gbp_late.currency = Currency::of(*b"GBP");
        let inputs = ReviewInputs {
            usage: vec![
                gbp,
                gbp_late,
                usage("2026-03-05", "Web app", "gpt-4o", "1.00"),
            ],
            billing: vec![billing(
                1,
                "2026-03-06",
                BillingKind::CreditPurchase,
                "20.00",
                "EUR",
            )],
            rates,
            ..ReviewInputs::default()
        };
        let r = build(
            &inputs,
            d("2026-03-01"),
            d("2026-03-31"),
            Currency::of(*b"USD"),
        )
        .unwrap();
        assert_eq!(r.total.current, Amount::from_nanos(13_705_882_353));
        assert_eq!(
            r.missing_rates,
            vec![MissingRate {
                day: d("2026-03-20"),
                currency: Currency::of(*b"GBP")
            }]
        );
        assert_eq!(r.trail.credits_manual, usd("22"));
        let late = r
            .conversions
            .iter()
            .find(|c| c.day == d("2026-03-20"))
            .unwrap();
        assert_eq!((late.original, late.converted), (usd("7"), None));
        assert_eq!(
            r.conversions.len(),
            3,
            "two usage days and the euro purchase keep their originals"
        );
    }

    fn eur_line(id: i64, day: &str, amount: &str) -> BankItem {
        let mut line = bank(id, day, amount);
        line.currency = Currency::of(*b"EUR");
        line
    }

    fn conversion<'a>(r: &'a Review, source: &str, day: &str) -> &'a Conversion {
        r.conversions
            .iter()
            .find(|c| c.source == source && c.day == d(day))
            .unwrap()
    }

    #[test]
    fn a_matched_pair_converts_with_its_own_rate_when_no_ecb_rate_exists() {
        let inputs = ReviewInputs {
            billing: vec![billing(
                1,
                "2026-03-10",
                BillingKind::CreditPurchase,
                "100.00",
                "USD",
            )],
            bank: vec![
                // The EUR card line that paid the USD purchase, a day later.
                eur_line(10, "2026-03-11", "-92.50"),
                // Nothing paired with this one and no rate exists: reported, not guessed.
                eur_line(11, "2026-03-20", "-10.00"),
            ],
            payments: vec![PaymentPair {
                billing_id: 1,
                bank_id: 10,
            }],
            ..ReviewInputs::default()
        };
        let r = build(
            &inputs,
            d("2026-03-01"),
            d("2026-03-31"),
            Currency::of(*b"USD"),
        )
        .unwrap();
        assert_eq!(r.trail.bank_paid, usd("100"), "92.50 EUR at 100/92.50");
        assert_eq!(r.trail.credits_manual, usd("100"));
        let paid = conversion(&r, "bank", "2026-03-11");
        assert_eq!(
            (
                paid.rate,
                paid.original,
                paid.original_currency.as_str(),
                paid.converted
            ),
            (
                RateSource::MatchedPair,
                usd("92.5"),
                "EUR",
                Some(usd("100"))
            )
        );
        assert_eq!(
            r.missing_rates,
            vec![MissingRate {
                day: d("2026-03-20"),
                currency: Currency::of(*b"USD")
            }]
        );
        let left = conversion(&r, "bank", "2026-03-20");
        assert_eq!(
            (left.rate, left.original, left.converted),
            (RateSource::Ecb, usd("10"), None)
        );
        assert_eq!(r.unmatched_bank.len(), 1);
        assert_eq!(
            (r.unmatched_bank[0].original, r.unmatched_bank[0].amount),
            (usd("10"), None)
        );
        assert_eq!(
            r.conversions.len(),
            2,
            "the USD purchase needs no conversion"
        );
    }

    #[test]
    fn a_matched_pair_is_preferred_to_the_ecb_rate_and_works_both_ways() {
        let inputs = ReviewInputs {
            billing: vec![
                billing(
                    1,
                    "2026-03-10",
                    BillingKind::CreditPurchase,
                    "100.00",
                    "USD",
                ),
                billing(2, "2026-03-10", BillingKind::AutoRecharge, "10.00", "USD"),
            ],
            bank: vec![
                eur_line(10, "2026-03-10", "-92.50"),
                eur_line(11, "2026-03-10", "-20.00"),
            ],
            payments: vec![PaymentPair {
                billing_id: 1,
                bank_id: 10,
            }],
            rates: vec![rate("2026-03-10", "USD", "1.1000")],
            ..ReviewInputs::default()
        };
        // In USD: the paired line converts to exactly what it bought; the other one takes the
        // ECB rate of its day (20 EUR * 1.10).
        let r = build(
            &inputs,
            d("2026-03-01"),
            d("2026-03-31"),
            Currency::of(*b"USD"),
        )
        .unwrap();
        assert_eq!(r.trail.bank_paid, usd("122"));
        let rates: Vec<(RateSource, Amount, Option<Amount>)> = r
            .conversions
            .iter()
            .map(|c| (c.rate, c.original, c.converted))
            .collect();
        assert_eq!(
            rates,
            [
                (RateSource::Ecb, usd("20"), Some(usd("22"))),
                (RateSource::MatchedPair, usd("92.5"), Some(usd("100"))),
            ]
        );
        assert!(r.missing_rates.is_empty());

        // In EUR: the paired USD purchase converts to what the card paid; the unpaired one
        // takes the ECB rate (10 / 1.10 = 9.090909090909...).
        let r = build(
            &inputs,
            d("2026-03-01"),
            d("2026-03-31"),
            Currency::of(*b"EUR"),
        )
        .unwrap();
        assert_eq!(r.trail.credits_manual, usd("92.5"));
        assert_eq!(
            r.trail.credits_auto_recharge,
            Amount::from_nanos(9_090_909_091)
        );
        let bought = r
            .conversions
            .iter()
            .find(|c| c.source == "billing" && c.rate == RateSource::MatchedPair)
            .unwrap();
        assert_eq!(bought.original, usd("100"));
        assert_eq!(r.trail.bank_paid, usd("112.5"));

        // In a third currency neither side is in, the ECB rates are used.
        let r = build(
            &inputs,
            d("2026-03-01"),
            d("2026-03-31"),
            Currency::of(*b"GBP"),
        )
        .unwrap();
        assert!(r.conversions.iter().all(|c| c.rate == RateSource::Ecb));
    }

    #[test]
    fn the_rate_a_pair_implies() {
        let pair = PairRate::new(
            usd("-92.50"),
            Currency::of(*b"EUR"),
            usd("100"),
            Currency::of(*b"USD"),
        )
        .unwrap();
        assert_eq!((pair.from.as_str(), pair.to.as_str()), ("EUR", "USD"));
        // 100 / 92.5 = 1.081081081081... USD per EUR.
        assert_eq!(pair.per_unit_nanos(), Some(1_081_081_081));
        assert_eq!(pair.convert(usd("-92.50")), Some(usd("-100")));
        // 0.000000001 EUR * 1.0810810810.. rounds half away from zero: 1 nano.
        assert_eq!(
            pair.convert(Amount::from_nanos(-1)),
            Some(Amount::from_nanos(-1))
        );
        assert_eq!(
            PairRate::new(
                usd("5"),
                Currency::of(*b"USD"),
                usd("5"),
                Currency::of(*b"USD")
            ),
            None
        );
        assert_eq!(
            PairRate::new(
                Amount::ZERO,
                Currency::of(*b"EUR"),
                usd("5"),
                Currency::of(*b"USD")
            ),
            None
        );
        let huge = PairRate::new(
            Amount::from_nanos(1),
            Currency::of(*b"EUR"),
            usd("1000"),
            Currency::of(*b"USD"),
        )
        .unwrap();
        assert_eq!(huge.convert(Amount::from_nanos(i64::MAX)), None);
    }

    #[test]
    fn drivers_cover_most_of_the_change() {
        let rows = vec![
            change_row("a", usd("100"), usd("10")).unwrap(),
            change_row("b", usd("0"), usd("30")).unwrap(),
            change_row("c", usd("12"), usd("10")).unwrap(),
            change_row("d", usd("5"), usd("5")).unwrap(),
        ];
        // |changes|: a 90, b 30, c 2 (sum 122). a alone covers 73.8%, a + b 98.4%.
        let got = drivers("project", &rows);
        let names: Vec<&str> = got.iter().map(|d| d.row.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!((got[0].share_percent, got[1].share_percent), (74, 25));
        let many: Vec<ChangeRow> = (0..8)
            .map(|i| change_row(&format!("p{i}"), usd("1"), Amount::ZERO).unwrap())
            .collect();
        assert_eq!(drivers("model", &many).len(), MAX_DRIVERS);
    }

    #[test]
    fn money_trail_and_what_is_unmatched() {
        let mut free = billing(3, "2026-03-01", BillingKind::FreeCredit, "5.00", "USD");
        free.status = BillingStatus::Pending;
        let mut failed = billing(4, "2026-03-12", BillingKind::AutoRecharge, "20.00", "USD");
        failed.status = BillingStatus::Failed;
        let mut hold = bank(13, "2026-03-30", "-7.00");
        hold.status = Some(BankStatus::Pending);
        let inputs = ReviewInputs {
            usage: vec![usage("2026-03-03", "Web app", "gpt-4o", "8.00")],
            billing: vec![
                billing(1, "2026-03-01", BillingKind::CreditPurchase, "50.00", "USD"),
                billing(2, "2026-03-10", BillingKind::AutoRecharge, "20.00", "USD"),
                free,
                failed,
                billing(5, "2026-03-02", BillingKind::Subscription, "20.00", "USD"),
            ],
            bank: vec![
                bank(10, "2026-03-01", "-50.00"),
                bank(11, "2026-03-15", "-25.00"),
                bank(12, "2026-03-02", "-20.00"),
                hold,
            ],
            payments: vec![
                PaymentPair {
                    billing_id: 1,
                    bank_id: 10,
                },
                PaymentPair {
                    billing_id: 5,
                    bank_id: 12,
                },
            ],
            flags: vec![Flag {
                id: "f1".into(),
                kind: FlagKind::ChargeWithoutCredit,
                severity: Severity::Warning,
                provider: "openai".into(),
                date: d("2026-03-15"),
                amount: Some(usd("25")),
                currency: Currency::of(*b"USD"),
                project: None,
                records: vec!["bank:11".into()],
                message: "A card charge <b>without</b> credit".into(),
                diagnosis: String::new(),
            }],
            ..ReviewInputs::default()
        };
        let r = build(
            &inputs,
            d("2026-03-01"),
            d("2026-03-31"),
            Currency::of(*b"USD"),
        )
        .unwrap();
        let t = &r.trail;
        assert_eq!(
            (
                t.usage,
                t.credits_manual,
                t.credits_auto_recharge,
                t.credits_free,
                t.subscriptions
            ),
            (usd("8"), usd("50"), usd("20"), usd("5"), usd("20"))
        );
        assert_eq!((t.bank_paid, t.bank_pending), (usd("95"), usd("7")));
        assert_eq!(t.credits_total(), Some(usd("75")));
        assert_eq!(r.matched_payments, 2);
        let billing_left: Vec<&str> = r
            .unmatched_billing
            .iter()
            .map(|l| l.record.as_str())
            .collect();
        assert_eq!(billing_left, ["billing:2"]);
        let bank_left: Vec<&str> = r.unmatched_bank.iter().map(|l| l.record.as_str()).collect();
        assert_eq!(bank_left, ["bank:11"]);
        assert_eq!(r.unmatched_bank[0].original, usd("25"));
        assert_eq!(r.flags.len(), 1);
        assert_eq!(r.flags[0].kind, "charge_without_credit");
    }
}
