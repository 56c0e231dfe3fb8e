//! The ledger tables (usage, billing, bank lines) and the import history, with a search box.
//!
//! Tables are virtualised: only the visible rows are laid out, from a page of rows the app keeps
//! cached. When the visible rows leave that page, the table asks for them with
//! [`Action::ShowRows`] and draws placeholders until they arrive. Clicking a header sorts by
//! that column (again: the other way); the store sorts, so a million rows sort the same way.
//! Amounts are right-aligned in their currency.

use egui_extras::{Column, TableBuilder};

use super::{Action, ImportAction, Tab, format, theme};
use crate::domain::agents::AgentRow;
use crate::domain::records::UsageCharge;
use crate::domain::views::{BankRow, BillingRow, ImportRow, Sort, UsageRow};

/// The id of the search box (Ctrl+F focuses it).
pub fn search_id() -> egui::Id {
    egui::Id::unique("ledger search")
}

/// The rows of the cached page.
#[derive(Debug, Clone)]
pub enum Rows {
    Usage(Vec<UsageRow>),
    Billing(Vec<BillingRow>),
    Bank(Vec<BankRow>),
    Imports(Vec<ImportRow>),
    Agents(Vec<AgentRow>),
}

impl Rows {
    fn len(&self) -> usize {
        match self {
            Rows::Usage(r) => r.len(),
            Rows::Billing(r) => r.len(),
            Rows::Bank(r) => r.len(),
            Rows::Imports(r) => r.len(),
            Rows::Agents(r) => r.len(),
        }
    }
}

/// What the table area shows (the page is borrowed from the window's cache: drawn every frame).
#[derive(Debug, Clone)]
pub struct TableView<'a> {
    pub tab: Tab,
    pub search: String,
    /// Rows matching the search.
    pub total_rows: usize,
    /// The index of the first row of `rows`.
    pub offset: usize,
    pub rows: &'a Rows,
    pub busy: bool,
    pub sort: Sort,
    /// What the tables are narrowed to after a click on a bar or a flag.
    pub focus: Option<String>,
}

/// Tabs, search box and the table of the selected tab.
pub fn tables_ui(ui: &mut egui::Ui, view: &TableView, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        for tab in Tab::ALL {
            if ui.selectable_label(view.tab == tab, tab.label()).clicked() && view.tab != tab {
                actions.push(Action::SetTab(tab));
            }
        }
        ui.separator();
        if view.tab != Tab::Imports {
            let mut search = view.search.clone();
            let edit = egui::TextEdit::singleline(&mut search)
                .id(search_id())
                .hint_text("Search (Ctrl+F)")
                .desired_width(220.0);
            ui.add(edit)
                .on_hover_text("Filter by provider, project, model, description or day")
                .widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Search"));
            if search != view.search {
                actions.push(Action::SetSearch(search));
            }
            ui.label(
                egui::RichText::new(format!("{} rows", format::count(view.total_rows)))
                    .color(theme::weak(ui)),
            );
            if view.tab == Tab::Billing
                && ui
                    .button("Add a billing record...")
                    .on_hover_text(
                        "A top-up, free credit or invoice seen on a provider's billing page",
                    )
                    .clicked()
            {
                actions.push(Action::OpenBillingForm);
            }
            if view.tab != Tab::Agents
                && ui
                    .add_enabled(view.total_rows > 0, egui::Button::new("Export CSV..."))
                .on_hover_text(
                    "Save these rows (filters and search applied) as a CSV file for a spreadsheet",
                )
                .clicked()
            {
                actions.push(Action::ExportTable(None));
            }
        }
    });
    if let Some(focus) = &view.focus {
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new(format!("Showing the records of: {focus}")).strong());
            if ui.button("Show all records").clicked() {
                actions.push(Action::ClearFocus);
            }
        });
    }
    ui.add_space(4.0);
    match view.rows {
        Rows::Imports(files) => imports_ui(ui, files, view.busy, actions),
        rows => records_ui(ui, view, rows, actions),
    }
}

fn amount_cell(ui: &mut egui::Ui, text: &str) {
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
        ui.label(egui::RichText::new(text).monospace());
    });
}

fn headers(tab: Tab) -> &'static [&'static str] {
    match tab {
        Tab::Usage => &[
            "Day", "Provider", "Project", "Model", "Kind", "Tokens", "Cost",
        ],
        Tab::Billing => &[
            "Day",
            "Provider",
            "Kind",
            "Number",
            "Status",
            "Amount",
            "Description",
        ],
        Tab::Agents => &[
            "Time (UTC)",
            "Tool",
            "Project",
            "Model",
            "Machine",
            "Input",
            "Output",
            "Cache write",
            "Cache read",
            "API value",
        ],
        Tab::Bank | Tab::Imports => &[
            "Day",
            "Account",
            "Description",
            "AI service",
            "Status",
            "Amount",
        ],
    }
}

fn columns(tab: Tab) -> Vec<Column> {
    let text = |w: f32| Column::initial(w).at_least(40.0).clip(true).resizable(true);
    let amount = || Column::initial(120.0).at_least(80.0).resizable(true);
    match tab {
        Tab::Usage => vec![
            text(90.0),
            text(90.0),
            text(150.0),
            text(190.0),
            Column::remainder().at_least(100.0).clip(true),
            amount(),
            amount(),
        ],
        Tab::Billing => vec![
            text(90.0),
            text(90.0),
            text(120.0),
            text(130.0),
            text(80.0),
            amount(),
            Column::remainder().at_least(100.0).clip(true),
        ],
        Tab::Agents => vec![
            text(120.0),
            text(85.0),
            text(120.0),
            text(170.0),
            text(90.0),
            amount(),
            amount(),
            amount(),
            amount(),
            Column::remainder().at_least(90.0),
        ],
        Tab::Bank | Tab::Imports => vec![
            text(90.0),
            text(130.0),
            Column::remainder().at_least(160.0).clip(true),
            text(170.0),
            text(90.0),
            amount(),
        ],
    }
}

fn records_ui(ui: &mut egui::Ui, view: &TableView, rows: &Rows, actions: &mut Vec<Action>) {
    if view.total_rows == 0 {
        let text = if view.focus.is_some() {
            "None of the focused records is of this kind; see the other tabs, or show all records."
        } else if view.search.trim().is_empty() {
            "No records of this kind with these filters."
        } else {
            "No rows match the search."
        };
        ui.label(egui::RichText::new(text).color(theme::weak(ui)));
        return;
    }
    let mut visible: Option<(usize, usize)> = None;
    // Narrower than its columns (a window shrunk after they were laid out), the table scrolls
    // sideways instead of cutting the amounts off.
    egui::ScrollArea::horizontal()
        .id_salt(("ledger columns", view.tab))
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let mut builder = TableBuilder::new(ui)
                .id_salt(view.tab)
                .striped(true)
                .resizable(true)
                .auto_shrink([false, false])
                .cell_layout(egui::Layout::left_to_right(egui::Align::Center));
            for column in columns(view.tab) {
                builder = builder.column(column);
            }
            builder
                .header(theme::ROW_HEIGHT + 2.0, |mut header| {
                    for (column, title) in headers(view.tab).iter().enumerate() {
                        header.col(|ui| {
                            let sorted = view.sort.column == column;
                            let arrow = match (sorted, view.sort.descending) {
                                (false, _) => "",
                                (true, true) => " (v)",
                                (true, false) => " (^)",
                            };
                            let clicked = ui
                                .add(
                                    egui::Button::new(
                                        egui::RichText::new(format!("{title}{arrow}")).strong(),
                                    )
                                    .frame(false),
                                )
                                .on_hover_text(format!("Sort by {}", title.to_lowercase()))
                                .clicked();
                            if clicked {
                                actions.push(Action::SetSort(Sort {
                                    column,
                                    descending: if sorted {
                                        !view.sort.descending
                                    } else {
                                        column == 0
                                    },
                                }));
                            }
                        });
                    }
                })
                .body(|body| {
                    body.rows(theme::ROW_HEIGHT, view.total_rows, |mut row| {
                        let index = row.index();
                        visible = Some(
                            visible.map_or((index, index), |(a, b)| (a.min(index), b.max(index))),
                        );
                        let local = index.checked_sub(view.offset).filter(|i| *i < rows.len());
                        match (rows, local) {
                            (Rows::Usage(r), Some(i)) => {
                                if let Some(u) = r.get(i) {
                                    usage_row(&mut row, u);
                                }
                            }
                            (Rows::Billing(r), Some(i)) => {
                                if let Some(b) = r.get(i) {
                                    billing_row(&mut row, b);
                                }
                            }
                            (Rows::Bank(r), Some(i)) => {
                                if let Some(b) = r.get(i) {
                                    bank_row(&mut row, b);
                                }
                            }
                            (Rows::Agents(r), Some(i)) => {
                                if let Some(a) = r.get(i) {
                                    agent_row(&mut row, a);
                                }
                            }
                            _ => {
                                row.col(|ui| {
                                    ui.label(egui::RichText::new("…").color(theme::weak(ui)));
                                });
                            }
                        }
                    });
                });
        });
    if let Some((first, last)) = visible {
        let loaded = view.offset..view.offset + rows.len();
        if !loaded.contains(&first) || !loaded.contains(&last) {
            actions.push(Action::ShowRows { first, last });
        }
    }
}

fn usage_row(row: &mut egui_extras::TableRow<'_, '_>, u: &UsageRow) {
    row.col(|ui| {
        ui.label(&u.day);
    });
    row.col(|ui| {
        ui.label(&u.provider);
    });
    row.col(|ui| {
        ui.label(&u.project);
    });
    row.col(|ui| {
        ui.label(&u.model);
    });
    row.col(|ui| {
        ui.label(&u.token_kind);
    });
    row.col(|ui| {
        amount_cell(ui, &u.tokens.map(format::count).unwrap_or_default());
    });
    row.col(|ui| {
        let money = u.cost.map(|c| format::money(c, &u.currency));
        let text = match u.charge {
            UsageCharge::Included => "included".to_string(),
            UsageCharge::NotCharged => "not charged".to_string(),
            UsageCharge::Byok => format!("{} + BYOK", money.unwrap_or_default()),
            UsageCharge::Billed => money.unwrap_or_default(),
        };
        amount_cell(ui, &text);
    })
    .1
    .on_hover_text(
        u.cost
            .map(|c| format::exact(c, &u.currency))
            .unwrap_or_default(),
    );
}

fn agent_row(row: &mut egui_extras::TableRow<'_, '_>, a: &AgentRow) {
    for text in [&a.time, &a.tool, &a.project, &a.model, &a.machine] {
        row.col(|ui| {
            ui.label(text);
        });
    }
    for n in [
        a.input_tokens,
        a.output_tokens,
        a.cache_write_tokens,
        a.cache_read_tokens,
    ] {
        row.col(|ui| amount_cell(ui, &format::count(n)));
    }
    row.col(|ui| match a.value {
        Some(v) => amount_cell(ui, &format::money(v, "USD")),
        None => amount_cell(ui, "unpriced"),
    })
    .1
    .on_hover_text(format!("session {}", a.session));
}

fn billing_row(row: &mut egui_extras::TableRow<'_, '_>, b: &BillingRow) {
    for text in [&b.day, &b.provider, &b.kind, &b.number, &b.status] {
        row.col(|ui| {
            ui.label(text);
        });
    }
    row.col(|ui| amount_cell(ui, &format::money(b.amount, &b.currency)));
    row.col(|ui| {
        ui.label(&b.description);
    });
}

fn bank_row(row: &mut egui_extras::TableRow<'_, '_>, b: &BankRow) {
    let service = if b.provider.is_empty() {
        String::new()
    } else if b.spend_kind.is_empty() {
        b.provider.clone()
    } else {
        format!("{} ({})", b.provider, b.spend_kind.replace('_', " "))
    };
    for text in [&b.day, &b.account, &b.description, &service, &b.status] {
        row.col(|ui| {
            ui.label(text);
        });
    }
    row.col(|ui| amount_cell(ui, &format::money(b.amount, &b.currency)));
}

/// The import history with an undo button per import.
fn imports_ui(ui: &mut egui::Ui, files: &[ImportRow], busy: bool, actions: &mut Vec<Action>) {
    if files.is_empty() {
        ui.label(egui::RichText::new("No imports yet.").color(theme::weak(ui)));
        return;
    }
    let titles = [
        "Imported",
        "File",
        "Format",
        "Rows",
        "New",
        "Updated",
        "Duplicates",
        "Rejected",
        "",
    ];
    TableBuilder::new(ui)
        .id_salt("imports")
        .striped(true)
        .auto_shrink([false, false])
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::initial(150.0))
        .column(Column::initial(260.0).clip(true).resizable(true))
        .column(Column::initial(120.0).clip(true))
        .columns(Column::initial(70.0), 5)
        .column(Column::remainder().at_least(70.0))
        .header(theme::ROW_HEIGHT + 2.0, |mut header| {
            for title in titles {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(theme::ROW_HEIGHT + 4.0, files.len(), |mut row| {
                let Some(f) = files.get(row.index()) else {
                    return;
                };
                row.col(|ui| {
                    ui.label(f.imported_at.replace('T', " ").trim_end_matches('Z'));
                });
                row.col(|ui| {
                    ui.label(&f.name);
                });
                row.col(|ui| {
                    ui.label(&f.format);
                });
                for n in [f.rows, f.inserted, f.updated, f.duplicates, f.rejected] {
                    row.col(|ui| amount_cell(ui, &format::count(n)));
                }
                row.col(|ui| {
                    let undo = ui
                        .add_enabled(!busy, egui::Button::new("Undo"))
                        .on_hover_text(format!(
                            "Remove the {} record(s) this import brought",
                            f.inserted
                        ));
                    if undo.clicked() {
                        actions.push(Action::Import(ImportAction::Undo {
                            source_file_id: f.id,
                        }));
                    }
                });
            });
        });
}
