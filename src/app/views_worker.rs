//! The `views` thread: builds every view that reads many records (key figures, the chart's
//! series, balances and flags, filter choices, the id list of a ledger table) with its own
//! connection to the ledger, so the window's thread never runs a query that scans the usage
//! table and never freezes while a million rows are summed.
//!
//! The window sends a [`Wanted`] (filters, chart toggles, the view and table shown) whenever it
//! changes, and asks again after the ledger may have changed. The thread keeps only the newest
//! request, reads the ledger's revision itself, rebuilds only the parts whose inputs changed and
//! answers with every part of the request (rebuilt or kept), then [`Part::Done`]. The
//! dashboard's chart and a table's id list are parts of a request only while their view shows:
//! a filter changed on the dashboard does not sort a million table rows. Each answer carries its
//! request id; the window drops answers to older requests. WAL lets this thread read while an
//! import writes.
//!
//! The window's writes ([`LedgerCommand`]s) run here too, in the order they were sent and before
//! any request sent after them, each in its own transaction: the window's thread never waits
//! for the ledger, and the views that follow a write are built from it. The top-up doctor, the
//! match review and the forecasts are built here with the other once-per-revision views.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError, channel};

use chrono::NaiveDate;

use super::money::MoneyModel;
use super::topups::TopupsModel;
use crate::domain::views::{
    Bucket, CostSeries, FilterOptions, Filters, Focus, KeyFigures, SeriesGroup, Sort, TableQuery,
    Totals,
};
use crate::services::export::Table;
use crate::store::{Store, StoreError};
use crate::ui::settings::SettingsView;
use crate::ui::tables::Rows;
use crate::ui::{LedgerCommand, Tab};

/// Rows of a table the thread reads with its id list (the first screenful).
pub const FIRST_PAGE_ROWS: usize = 200;

/// What the window shows, as far as the ledger is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub group: SeriesGroup,
    pub bucket: Bucket,
    pub filters: Filters,
    /// Whether the dashboard shows: its figures and chart are built only then.
    pub dashboard: bool,
    /// The ledger table shown (none outside the Ledger view: a table's id list, a million ids
    /// on a long history, is built only while it can be seen).
    pub tab: Option<Tab>,
    pub search: String,
    pub focus: Option<Focus>,
    pub sort: Sort,
    /// Bumped when the ledger may have changed (after a write, an import, on focus): the thread
    /// reads the revision again.
    pub recheck: u64,
    /// Bumped by "Refresh": the thread rebuilds every view, whatever the revision says.
    pub refresh: u64,
}

/// Views that change only with the ledger's revision.
#[derive(Debug, Default)]
pub struct LedgerViews {
    pub revision: i64,
    pub money: MoneyModel,
    pub figures: KeyFigures,
    pub options: FilterOptions,
    pub settings: SettingsView,
    /// The doctor's attempts, the match review, the forecasts and the recharge settings.
    pub topups: TopupsModel,
    /// The months that can be reviewed, newest first.
    pub months: Vec<NaiveDate>,
    /// The month of the latest usage, where the Review opens.
    pub latest_usage_month: Option<NaiveDate>,
    /// This month's coding-agent value, subscriptions and plan limits.
    pub agents: crate::ui::agents::AgentsView,
    /// Coding-agent requests in the whole ledger.
    pub agent_requests: i64,
    /// API usage, subscriptions and other AI charges this month and last (`None`: a total
    /// too large to add up).
    pub all_in: Option<crate::domain::all_in::AllIn>,
}

impl LedgerViews {
    /// Whether the ledger holds no records at all.
    pub fn is_empty(&self) -> bool {
        let f = &self.figures;
        f.usage_records + f.billing_records + f.bank_lines + self.agent_requests == 0
    }
}

/// The dashboard's views for one set of filters.
#[derive(Debug, Default)]
pub struct DashboardViews {
    pub usage_in_range: Totals,
    /// Shared with the chart the window draws every frame (never copied).
    pub chart: Arc<CostSeries>,
}

/// A ledger table: the ids of its rows in order (none for the import history) and its first
/// page.
#[derive(Debug)]
pub struct TableViews {
    pub tab: Tab,
    pub ids: Option<Arc<Vec<i64>>>,
    pub total_rows: usize,
    pub first_page: Rows,
}

/// One part of an answer.
#[derive(Debug)]
pub enum Part {
    Ledger(Arc<LedgerViews>),
    Dashboard(Arc<DashboardViews>),
    Table(Arc<TableViews>),
    /// A [`LedgerCommand`] was applied: the message for the user, or why it failed. Not tied to
    /// a request: always delivered.
    Wrote(Result<String, String>),
    /// Another program (the command line) changed the ledger: ask for the views again. Not
    /// tied to a request: always delivered.
    Changed,
    Failed(String),
    /// Every part of the request was sent.
    Done,
}

struct Request {
    id: u64,
    wanted: Wanted,
}

/// What the window sends the thread.
enum Message {
    Want(Request),
    Write(LedgerCommand),
    /// Write these rows of a table to a CSV file.
    Export {
        table: Table,
        ids: Arc<Vec<i64>>,
        path: PathBuf,
    },
    /// Write a flag's dispute packet.
    Packet {
        flag_id: String,
        path: PathBuf,
    },
}

/// The window's handle on the thread.
pub struct ViewsWorker {
    requests: Sender<Message>,
    answers: Receiver<(u64, Part)>,
    latest: u64,
    /// The newest request is not answered in full yet.
    pending: bool,
    wanted: Option<Wanted>,
}

impl ViewsWorker {
    /// Starts the thread on the ledger at `db`; `wake` is called after each answer.
    ///
    /// # Errors
    /// When the thread cannot be started.
    pub fn spawn(
        db: PathBuf,
        today: NaiveDate,
        wake: impl Fn() + Send + 'static,
    ) -> std::io::Result<Self> {
        let (requests, inbox) = channel();
        let (outbox, answers) = channel();
        std::thread::Builder::new()
            .name("views".into())
            .spawn(move || serve(&db, today, &inbox, &outbox, &wake))?;
        Ok(Self {
            requests,
            answers,
            latest: 0,
            pending: false,
            wanted: None,
        })
    }

    /// Asks for the views of `wanted` unless they were the last asked for.
    pub fn want(&mut self, wanted: &Wanted) {
        if self.wanted.as_ref() == Some(wanted) {
            return;
        }
        self.latest += 1;
        self.wanted = Some(wanted.clone());
        self.pending = true;
        let request = Request {
            id: self.latest,
            wanted: wanted.clone(),
        };
        if self.requests.send(Message::Want(request)).is_err() {
            self.pending = false;
        }
    }

    /// Writes the rows `ids` of `table` to `path` as CSV on the thread; the outcome comes back
    /// as [`Part::Wrote`].
    pub fn export(
        &mut self,
        table: Table,
        ids: Arc<Vec<i64>>,
        path: PathBuf,
    ) -> Result<(), String> {
        self.requests
            .send(Message::Export { table, ids, path })
            .map_err(|_| "the views thread stopped; restart burnrate".to_string())
    }

    /// Writes the dispute packet of `flag_id` to `path` on the thread; the outcome comes back
    /// as [`Part::Wrote`].
    pub fn export_packet(&mut self, flag_id: String, path: PathBuf) -> Result<(), String> {
        self.requests
            .send(Message::Packet { flag_id, path })
            .map_err(|_| "the views thread stopped; restart burnrate".to_string())
    }

    /// Applies `command` to the ledger on the thread; its outcome comes back as
    /// [`Part::Wrote`]. Ask for the views again afterwards: they are built after the write.
    pub fn write(&mut self, command: LedgerCommand) -> Result<(), String> {
        self.requests
            .send(Message::Write(command))
            .map_err(|_| "the views thread stopped; restart burnrate".to_string())
    }

    /// The parts that answer the newest request (answers to older ones are dropped).
    pub fn poll(&mut self) -> Vec<Part> {
        let mut parts = Vec::new();
        loop {
            match self.answers.try_recv() {
                Ok((_, part @ (Part::Wrote(_) | Part::Changed))) => parts.push(part),
                Ok((id, part)) if id == self.latest => {
                    if matches!(part, Part::Done) {
                        self.pending = false;
                    }
                    parts.push(part);
                }
                Ok(_) => {}
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    if self.pending {
                        self.pending = false;
                        parts.push(Part::Failed("the views thread stopped".into()));
                    }
                    break;
                }
            }
        }
        parts
    }

    /// Whether the newest request is still being answered.
    pub fn is_pending(&self) -> bool {
        self.pending
    }
}

/// What the thread built last, with the inputs it was built from.
#[derive(Default)]
struct Built {
    ledger: Option<Arc<LedgerViews>>,
    dashboard: Option<(DashboardKey, Arc<DashboardViews>)>,
    table: Option<((i64, TableKey), Arc<TableViews>)>,
}

/// The inputs of the dashboard's views: the revision, the chart toggles and the filters.
type DashboardKey = (i64, SeriesGroup, Bucket, Filters);
/// The inputs of a table's id list (beside the revision).
type TableKey = (Tab, String, Filters, Option<Focus>, Sort);

fn serve(
    db: &std::path::Path,
    today: NaiveDate,
    inbox: &Receiver<Message>,
    outbox: &Sender<(u64, Part)>,
    wake: &dyn Fn(),
) {
    let send = |id: u64, part: Part| {
        let _ = outbox.send((id, part));
        wake();
    };
    let mut store = match Store::open(db) {
        Ok(store) => store,
        Err(e) => {
            // Answer every message with the failure until the window lets go.
            while let Ok(message) = inbox.recv() {
                match message {
                    Message::Want(request) => {
                        send(request.id, Part::Failed(e.to_string()));
                        send(request.id, Part::Done);
                    }
                    Message::Write(_) | Message::Export { .. } | Message::Packet { .. } => {
                        send(0, Part::Wrote(Err(e.to_string())));
                    }
                }
            }
            return;
        }
    };
    let mut built = Built::default();
    // The newest request not answered in full yet. Everything waiting is read before it is
    // answered: writes are applied in the order sent, requests replace older ones.
    let mut pending: Option<Request> = None;
    let mut watch = Watch::new(&store);
    let mut last_refresh = 0;
    loop {
        let message = if pending.is_some() {
            match inbox.try_recv() {
                Ok(m) => Some(m),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Disconnected) => return,
            }
        } else {
            match inbox.recv_timeout(WATCH_EVERY) {
                Ok(m) => Some(m),
                Err(RecvTimeoutError::Timeout) => {
                    // Idle: has another program written to the ledger?
                    if watch.changed(&store) {
                        send(0, Part::Changed);
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return,
            }
        };
        match message {
            Some(Message::Write(command)) => {
                send(0, Part::Wrote(super::commands::apply(&mut store, command)));
                continue;
            }
            Some(Message::Export { table, ids, path }) => {
                send(0, Part::Wrote(export(&store, table, &ids, &path)));
                continue;
            }
            Some(Message::Packet { flag_id, path }) => {
                send(0, Part::Wrote(packet(&store, today, &flag_id, &path)));
                continue;
            }
            Some(Message::Want(request)) => {
                pending = Some(request);
                continue;
            }
            None => {}
        }
        let Some(request) = pending.take() else {
            continue;
        };
        if request.wanted.refresh != last_refresh {
            last_refresh = request.wanted.refresh;
            built = Built::default();
        }
        let id = request.id;
        match answer(&store, today, &request.wanted, &mut built, inbox, &send, id) {
            Ok(Some(Message::Want(newer))) => pending = Some(newer),
            Ok(Some(Message::Write(command))) => {
                // Apply the write, then answer the request again from the new revision.
                send(0, Part::Wrote(super::commands::apply(&mut store, command)));
                pending = Some(request);
            }
            Ok(Some(Message::Export { table, ids, path })) => {
                send(0, Part::Wrote(export(&store, table, &ids, &path)));
                pending = Some(request);
            }
            Ok(Some(Message::Packet { flag_id, path })) => {
                send(0, Part::Wrote(packet(&store, today, &flag_id, &path)));
                pending = Some(request);
            }
            Ok(None) => send(id, Part::Done),
            Err(e) => {
                send(id, Part::Failed(format!("Could not read the ledger: {e}")));
                send(id, Part::Done);
            }
        }
    }
}

/// How often the idle thread looks whether another program changed the ledger.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Whether another connection (the command line, another window) committed to the ledger since
/// the last look: `PRAGMA data_version` first (no table read), then the ledger's revision (so a
/// commit that changed nothing the views show is not reported).
struct Watch {
    data_version: Option<i64>,
    revision: Option<i64>,
}

impl Watch {
    fn new(store: &Store) -> Self {
        Self {
            data_version: store.data_version().ok(),
            revision: store.revision().ok(),
        }
    }

    fn changed(&mut self, store: &Store) -> bool {
        let data_version = store.data_version().ok();
        if data_version == self.data_version {
            return false;
        }
        self.data_version = data_version;
        let revision = store.revision().ok();
        let changed = revision != self.revision;
        self.revision = revision;
        changed
    }
}

/// Sends every part of `wanted`, rebuilding what changed. Stops early and returns the message
/// (a newer request, or a write) that arrives between parts.
fn answer(
    store: &Store,
    today: NaiveDate,
    wanted: &Wanted,
    built: &mut Built,
    inbox: &Receiver<Message>,
    send: &dyn Fn(u64, Part),
    id: u64,
) -> Result<Option<Message>, StoreError> {
    let revision = store.revision()?;
    let ledger = match &built.ledger {
        Some(l) if l.revision == revision => Arc::clone(l),
        _ => {
            let l = Arc::new(ledger_views(store, today, revision)?);
            built.ledger = Some(Arc::clone(&l));
            l
        }
    };
    send(id, Part::Ledger(Arc::clone(&ledger)));
    if let Ok(newer) = inbox.try_recv() {
        return Ok(Some(newer));
    }
    let bounds = wanted.filters.bounds(today);
    let aliases = aliases(&ledger.money, &wanted.filters);
    if wanted.dashboard {
        let dashboard = dashboard_views(store, wanted, revision, bounds, &aliases, built)?;
        send(id, Part::Dashboard(dashboard));
        if let Ok(newer) = inbox.try_recv() {
            return Ok(Some(newer));
        }
    }
    let Some(tab) = wanted.tab else {
        return Ok(None);
    };
    let table_key = (
        revision,
        (
            tab,
            wanted.search.clone(),
            wanted.filters.clone(),
            wanted.focus.clone(),
            wanted.sort,
        ),
    );
    let table = match &built.table {
        Some((key, t)) if *key == table_key => Arc::clone(t),
        _ => {
            let query = TableQuery {
                search: wanted.search.clone(),
                bounds,
                filters: wanted.filters.clone(),
                account_aliases: aliases,
                focus: wanted.focus.clone(),
                sort: wanted.sort,
            };
            let t = Arc::new(table_views(store, tab, &query)?);
            built.table = Some((table_key, Arc::clone(&t)));
            t
        }
    };
    send(id, Part::Table(table));
    Ok(None)
}

/// The dashboard's figures and chart for `wanted`, kept from the last build when its inputs
/// are the same.
fn dashboard_views(
    store: &Store,
    wanted: &Wanted,
    revision: i64,
    bounds: crate::domain::views::DayBounds,
    aliases: &[String],
    built: &mut Built,
) -> Result<Arc<DashboardViews>, StoreError> {
    let dashboard_key = (
        revision,
        wanted.group,
        wanted.bucket,
        wanted.filters.clone(),
    );
    if let Some((key, d)) = &built.dashboard
        && *key == dashboard_key
    {
        return Ok(Arc::clone(d));
    }
    let d = Arc::new(DashboardViews {
        usage_in_range: store.usage_in_range(bounds, &wanted.filters, aliases)?,
        chart: Arc::new(store.cost_series(
            wanted.group,
            wanted.bucket,
            bounds,
            &wanted.filters,
            aliases,
        )?),
    });
    built.dashboard = Some((dashboard_key, Arc::clone(&d)));
    Ok(d)
}

/// Every name the filtered account appears under (none without an account filter).
fn aliases(money: &MoneyModel, filters: &Filters) -> Vec<String> {
    if filters.account.is_empty() {
        return Vec::new();
    }
    money.aliases(&filters.provider, &filters.account)
}

/// Balances, flags, key figures, filter choices and settings: once per revision.
fn ledger_views(store: &Store, today: NaiveDate, revision: i64) -> Result<LedgerViews, StoreError> {
    let money = MoneyModel::build(store, today)?;
    let mut options = store.filter_options()?;
    options.accounts = money
        .inputs()
        .accounts()
        .into_iter()
        .map(|a| (a.provider, a.organization))
        .collect();
    let topups = TopupsModel::build(&money.judged);
    let months = super::review::months(money.inputs(), today);
    let latest_usage_month = super::review::latest_usage_month(money.inputs(), today);
    let settings = SettingsView {
        rules: store.merchant_rules()?,
        budgets: store.budgets()?,
        params: store.flag_params()?,
        reporting_currency: store.reporting_currency()?.to_string(),
        agent_folders: super::agents::folders_view(store)?,
        ..SettingsView::default()
    };
    let figures = store.key_figures(today)?;
    let agents = super::agents::build(store, today, &figures)?;
    let all_in = crate::domain::all_in::all_in(money.inputs(), store.reporting_currency()?, today);
    Ok(LedgerViews {
        revision,
        figures,
        agents,
        agent_requests: store.agent_usage_count()?,
        money,
        options,
        settings,
        topups,
        months,
        latest_usage_month,
        all_in,
    })
}

/// The id list and first page of a table.
fn table_views(store: &Store, tab: Tab, query: &TableQuery) -> Result<TableViews, StoreError> {
    let (ids, first_page) = match tab {
        Tab::Usage => {
            let ids = store.usage_ids(query)?;
            let page = store.usage_rows(first(&ids))?;
            (ids, Rows::Usage(page))
        }
        Tab::Billing => {
            let ids = store.billing_ids(query)?;
            let page = store.billing_rows(first(&ids))?;
            (ids, Rows::Billing(page))
        }
        Tab::Bank => {
            let ids = store.bank_ids(query)?;
            let page = store.bank_rows(first(&ids))?;
            (ids, Rows::Bank(page))
        }
        Tab::Agents => {
            let ids = store.agent_usage_ids(query)?;
            let page = store.agent_usage_rows(first(&ids))?;
            (ids, Rows::Agents(page))
        }
        Tab::Imports => {
            let files = store.import_rows()?;
            return Ok(TableViews {
                tab,
                ids: None,
                total_rows: files.len(),
                first_page: Rows::Imports(files),
            });
        }
    };
    Ok(TableViews {
        tab,
        total_rows: ids.len(),
        ids: Some(Arc::new(ids)),
        first_page,
    })
}

fn first(ids: &[i64]) -> &[i64] {
    ids.get(..FIRST_PAGE_ROWS).unwrap_or(ids)
}

/// Writes a table's rows as CSV; the message for the user.
fn export(
    store: &Store,
    table: Table,
    ids: &[i64],
    path: &std::path::Path,
) -> Result<String, String> {
    crate::services::export::export_table(store, table, ids, path)
        .map(|rows| {
            format!(
                "Saved {} row(s) to {}",
                crate::ui::format::count(rows),
                path.display()
            )
        })
        .map_err(|e| format!("Could not export the table: {e:#}"))
}

/// Writes a flag's dispute packet as of `today`; the message for the user.
fn packet(
    store: &Store,
    today: NaiveDate,
    flag_id: &str,
    path: &std::path::Path,
) -> Result<String, String> {
    let judged = crate::services::projection::load(store, today)
        .map_err(|e| format!("Could not read the ledger: {e}"))?;
    let flags = judged.flags();
    let flag = flags
        .iter()
        .find(|f| f.id == flag_id)
        .ok_or_else(|| format!("The flag {flag_id} is no longer raised as of {today}."))?;
    crate::services::dispute::export_packet(store, &judged.judgement, flag, path)
        .map(|()| format!("Saved the dispute packet to {}", path.display()))
        .map_err(|e| format!("Could not save the dispute packet: {e:#}"))
}
