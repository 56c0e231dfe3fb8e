//! `--screenshot-to FILE.png`: waits until the dashboard has drawn its data, asks the window for
//! a screenshot, writes it as PNG and closes the window. [`SCREENSHOT_VIEW_ENV`] picks the view
//! it draws.
//!
//! "Export chart as PNG" ([`ChartExport`]) asks the window for a screenshot the same way
//! (`ViewportCommand::Screenshot`), crops it to the chart's rectangle and writes that.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

/// Frames drawn with data before the screenshot is requested (layout and fonts settle).
const SETTLE_FRAMES: u32 = 5;
/// `--screenshot-to` only: the view to draw (`dashboard`, `flags`, `ledger`, `review`,
/// `settings`, or `doctor` and `matches` for the Flags view's other panels), so the README and
/// a reviewer can look at every screen. Ignored without `--screenshot-to`.
pub const SCREENSHOT_VIEW_ENV: &str = "BURNRATE_SCREENSHOT_VIEW";

/// `--screenshot-to` only: the window's size, `WIDTHxHEIGHT` in points (e.g. `1920x1080`), so
/// every screen can be looked at small and large. Ignored without `--screenshot-to`.
pub const SCREENSHOT_SIZE_ENV: &str = "BURNRATE_SCREENSHOT_SIZE";

/// The size [`SCREENSHOT_SIZE_ENV`] names, when it names one.
pub fn screenshot_size() -> Option<[f32; 2]> {
    let text = std::env::var(SCREENSHOT_SIZE_ENV).ok()?;
    let (w, h) = text.trim().split_once(['x', 'X'])?;
    let w: u16 = w.trim().parse().ok()?;
    let h: u16 = h.trim().parse().ok()?;
    Some([f32::from(w), f32::from(h)])
}

/// The view and Flags panel [`SCREENSHOT_VIEW_ENV`] names (the dashboard when unset).
pub fn screenshot_view() -> (crate::ui::View, crate::ui::FlagsPanel) {
    use crate::ui::{FlagsPanel, View};
    let name = std::env::var(SCREENSHOT_VIEW_ENV).unwrap_or_default();
    let name = name.trim();
    match name.to_ascii_lowercase().as_str() {
        "doctor" => return (View::Flags, FlagsPanel::Doctor),
        "matches" => return (View::Flags, FlagsPanel::Matches),
        "explain" => return (View::Flags, FlagsPanel::Explain),
        _ => {}
    }
    let view = View::ALL
        .into_iter()
        .find(|v| v.label().eq_ignore_ascii_case(name))
        .unwrap_or_default();
    (view, FlagsPanel::Flags)
}

/// How the screenshot went, read by `run` after the window closed.
pub type Outcome = Arc<Mutex<Option<Result<(), String>>>>;

/// The screenshot state machine.
pub struct Screenshot {
    path: PathBuf,
    ready_frames: u32,
    requested: bool,
    tx: Sender<Arc<egui::ColorImage>>,
    rx: Receiver<Arc<egui::ColorImage>>,
    outcome: Outcome,
}

impl Screenshot {
    pub fn new(path: PathBuf, outcome: Outcome) -> Self {
        let (tx, rx) = channel();
        Self {
            path,
            ready_frames: 0,
            requested: false,
            tx,
            rx,
            outcome,
        }
    }

    /// Called once per frame after drawing; `ready` says the dashboard shows its data.
    pub fn on_frame(&mut self, ctx: &egui::Context, ready: bool) {
        if let Ok(image) = self.rx.try_recv() {
            let result = write_png(&self.path, &image);
            if let Ok(mut slot) = self.outcome.lock() {
                *slot = Some(result);
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        if self.requested {
            ctx.request_repaint();
            return;
        }
        if ready {
            self.ready_frames += 1;
        }
        if self.ready_frames >= SETTLE_FRAMES {
            let tx = self.tx.clone();
            let wake = ctx.clone();
            ctx.request_screenshot(move |image| {
                let _ = tx.send(image);
                wake.request_repaint();
            });
            self.requested = true;
        }
        ctx.request_repaint();
    }
}

/// "Export chart as PNG": one screenshot on its way, to be cropped to `rect` (in points).
pub struct ChartExport {
    path: PathBuf,
    rect: egui::Rect,
    rx: Receiver<Arc<egui::ColorImage>>,
}

impl ChartExport {
    /// Asks the window for a screenshot; [`Self::poll`] writes the crop when it arrives.
    pub fn request(ctx: &egui::Context, path: PathBuf, rect: egui::Rect) -> Self {
        let (tx, rx) = channel();
        let wake = ctx.clone();
        ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(
            egui::ScreenshotCallback::new(move |image| {
                let _ = tx.send(image);
                wake.request_repaint();
            }),
        ));
        Self { path, rect, rx }
    }

    /// `None` while the screenshot is on its way; then the outcome of writing the PNG.
    pub fn poll(&self, pixels_per_point: f32) -> Option<Result<PathBuf, String>> {
        let image = self.rx.try_recv().ok()?;
        #[expect(
            clippy::cast_precision_loss,
            reason = "a screenshot's size in pixels, turned into points to clamp the crop"
        )]
        let whole = egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(image.size[0] as f32, image.size[1] as f32) / pixels_per_point.max(0.1),
        );
        let rect = self.rect.intersect(whole);
        if !rect.is_positive() {
            return Some(Err(
                "the chart is not on the screen; scroll to it and export again".into(),
            ));
        }
        let crop = image.region(&rect, Some(pixels_per_point));
        Some(write_png(&self.path, &crop).map(|()| self.path.clone()))
    }
}

fn write_png(path: &std::path::Path, image: &egui::ColorImage) -> Result<(), String> {
    let [width, height] = image.size;
    let bytes: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(egui::Color32::to_srgba_unmultiplied)
        .collect();
    let (Ok(width), Ok(height)) = (u32::try_from(width), u32::try_from(height)) else {
        return Err("the screenshot is too large".into());
    };
    let Some(buffer) = image::RgbaImage::from_raw(width, height, bytes) else {
        return Err("the screenshot has the wrong number of pixels".into());
    };
    let mut png = std::io::Cursor::new(Vec::new());
    buffer
        .write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| format!("could not encode the screenshot ({e}): {}", path.display()))?;
    crate::store::write_private(path, png.get_ref())
        .map_err(|e| format!("could not write the screenshot ({e}): {}", path.display()))
}
