//! Colours, sizes and spacing of the window, in one place.
//!
//! Panels ask this module for colours instead of naming their own, so light and dark themes stay
//! consistent. Nothing here reads ledger data.

use egui::Color32;

/// Space between blocks of the dashboard, in points.
pub const GAP: f32 = 12.0;
/// Inner margin of cards and panels, in points.
pub const PAD: f32 = 10.0;
/// Height of one table row, in points.
pub const ROW_HEIGHT: f32 = 20.0;
/// Height of the chart, in points.
pub const CHART_HEIGHT: f32 = 240.0;
/// Height of the balance chart, in points.
pub const BALANCE_HEIGHT: f32 = 220.0;
/// Width of a key-figure card, in points.
pub const CARD_WIDTH: f32 = 200.0;
/// Default window size, in points.
pub const WINDOW_SIZE: [f32; 2] = [1280.0, 800.0];

/// The user's theme choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum ThemeChoice {
    #[default]
    System,
    Light,
    Dark,
}

impl ThemeChoice {
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark];

    pub fn label(self) -> &'static str {
        match self {
            ThemeChoice::System => "Follow system",
            ThemeChoice::Light => "Light",
            ThemeChoice::Dark => "Dark",
        }
    }

    /// The preference egui applies.
    pub fn preference(self) -> egui::ThemePreference {
        match self {
            ThemeChoice::System => egui::ThemePreference::System,
            ThemeChoice::Light => egui::ThemePreference::Light,
            ThemeChoice::Dark => egui::ThemePreference::Dark,
        }
    }
}

/// Series colours of the chart, distinguishable in both themes.
const SERIES: [Color32; 8] = [
    Color32::from_rgb(0x4e, 0x79, 0xa7),
    Color32::from_rgb(0xf2, 0x8e, 0x2b),
    Color32::from_rgb(0x59, 0xa1, 0x4f),
    Color32::from_rgb(0xe1, 0x57, 0x59),
    Color32::from_rgb(0x76, 0xb7, 0xb2),
    Color32::from_rgb(0xed, 0xc9, 0x48),
    Color32::from_rgb(0xb0, 0x7a, 0xa1),
    Color32::from_rgb(0x9c, 0x9c, 0x9c),
];

/// The colour of the chart's `index`-th series.
pub fn series_color(index: usize) -> Color32 {
    SERIES
        .get(index % SERIES.len())
        .copied()
        .unwrap_or(Color32::GRAY)
}

/// Text colour for amounts that went up (spending more).
pub fn worse(ui: &egui::Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(0xff, 0x8a, 0x80)
    } else {
        Color32::from_rgb(0xb7, 0x1c, 0x1c)
    }
}

/// Text colour for amounts that went down.
pub fn better(ui: &egui::Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(0x81, 0xc7, 0x84)
    } else {
        Color32::from_rgb(0x1b, 0x5e, 0x20)
    }
}

/// Quiet text (captions, hints).
pub fn weak(ui: &egui::Ui) -> Color32 {
    ui.visuals().weak_text_color()
}

/// The colour of warnings and errors shown to the user.
pub fn error(ui: &egui::Ui) -> Color32 {
    ui.visuals().error_fg_color
}

/// Text on the demo banner.
pub fn banner_text(ui: &egui::Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(0xff, 0xe0, 0x82)
    } else {
        Color32::from_rgb(0x5d, 0x40, 0x37)
    }
}

/// Background of the demo banner.
pub fn banner_fill(ui: &egui::Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(0x4a, 0x3b, 0x10)
    } else {
        Color32::from_rgb(0xff, 0xf3, 0xc4)
    }
}

/// The colour of a flag's severity.
pub fn severity(ui: &egui::Ui, severity: crate::domain::flags::Severity) -> Color32 {
    use crate::domain::flags::Severity;
    let dark = ui.visuals().dark_mode;
    match (severity, dark) {
        (Severity::Critical, true) => Color32::from_rgb(0xff, 0x6e, 0x6e),
        (Severity::Critical, false) => Color32::from_rgb(0xc6, 0x28, 0x28),
        (Severity::Warning, true) => Color32::from_rgb(0xff, 0xb7, 0x4d),
        (Severity::Warning, false) => Color32::from_rgb(0xb2, 0x6a, 0x00),
        (Severity::Info, true) => Color32::from_rgb(0x90, 0xca, 0xf9),
        (Severity::Info, false) => Color32::from_rgb(0x15, 0x65, 0xc0),
    }
}

/// The zero line and other quiet chart lines.
pub fn weak_color() -> Color32 {
    Color32::from_gray(128)
}

/// Markers of failed recharges on the balance chart.
pub const FAILED: Color32 = Color32::from_rgb(0xd3, 0x2f, 0x2f);

/// Background of a card.
pub fn card_frame(ui: &egui::Ui) -> egui::Frame {
    egui::Frame::group(ui.style())
        .fill(ui.visuals().faint_bg_color)
        .inner_margin(PAD)
        .corner_radius(6.0)
}

/// The dashed-look frame of the drop zone.
pub fn drop_zone_frame(ui: &egui::Ui, hovered: bool) -> egui::Frame {
    let stroke_color = if hovered {
        ui.visuals().selection.stroke.color
    } else {
        ui.visuals().widgets.noninteractive.bg_stroke.color
    };
    egui::Frame::new()
        .stroke(egui::Stroke::new(2.0, stroke_color))
        .fill(ui.visuals().faint_bg_color)
        .inner_margin(24.0)
        .corner_radius(10.0)
}

/// Applies text sizes and spacing the dashboard relies on.
pub fn apply(ctx: &egui::Context) {
    ctx.all_styles_mut(|style| {
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(8.0, 4.0);
    });
}
