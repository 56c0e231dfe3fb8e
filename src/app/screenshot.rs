//! `--screenshot-to FILE.png`: waits until the dashboard has drawn its data, asks the window for
//! a screenshot, writes it as PNG and closes the window.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

/// Frames drawn with data before the screenshot is requested (layout and fonts settle).
const SETTLE_FRAMES: u32 = 5;

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
    buffer
        .save_with_format(path, image::ImageFormat::Png)
        .map_err(|e| format!("could not write the screenshot ({e}): {}", path.display()))
}
