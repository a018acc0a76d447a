//! A scene to pixels with tiny-skia: white paper, anti-aliased paths, images resampled
//! bilinearly, clipping areas as masks.

use crate::scene::{Cap, Clips, FillRule, Item, Join, Rgba, Scene};
use crate::{Limits, RenderError};
use kurbo::{Affine, BezPath};
use std::collections::HashMap;
use std::sync::Arc;
use tiny_skia as sk;

crate::path_sink!(sk::PathBuilder);

/// A scene path in tiny-skia's form (None when it has no drawable segment).
pub fn sk_path(p: &BezPath) -> Option<sk::Path> {
    let mut b = sk::PathBuilder::new();
    crate::scene::feed(p, &mut b);
    b.finish()
}

fn color(c: Rgba) -> sk::Color {
    let [r, g, b, a] = c.0;
    sk::Color::from_rgba8(r, g, b, a)
}

fn transform(a: Affine) -> sk::Transform {
    let [sx, ky, kx, sy, tx, ty] = a.as_coeffs();
    sk::Transform::from_row(sx as f32, ky as f32, kx as f32, sy as f32, tx as f32, ty as f32)
}

fn rule(r: FillRule) -> sk::FillRule {
    match r {
        FillRule::NonZero => sk::FillRule::Winding,
        FillRule::EvenOdd => sk::FillRule::EvenOdd,
    }
}

/// The pixel size of a scene at `dpi`, made smaller (never refused) to stay within the limits.
pub fn pixel_scale(scene: &Scene, dpi: f32, limits: &Limits) -> (f64, u32, u32) {
    let mut s = crate::clamp_dpi(dpi) as f64 / 25.4;
    let area = scene.width_mm * scene.height_mm * s * s;
    if area > limits.page_pixels as f64 {
        // A little under the limit, so rounding up to whole pixels stays within it.
        s *= (limits.page_pixels as f64 / area).sqrt() * 0.999;
    }
    let w = (scene.width_mm * s).ceil().max(1.0) as u32;
    let h = (scene.height_mm * s).ceil().max(1.0) as u32;
    (s, w, h)
}

/// Draws a scene on white paper.
pub fn draw(scene: &Scene, dpi: f32, limits: &Limits) -> Result<sk::Pixmap, RenderError> {
    let (s, w, h) = pixel_scale(scene, dpi, limits);
    let mut pm = sk::Pixmap::new(w, h).ok_or(RenderError::TooLarge)?;
    pm.fill(sk::Color::WHITE);
    let page = Affine::scale(s);
    let page_t = transform(page);
    // The last clip set's mask (consecutive objects usually share one).
    let mut mask_for: Option<(Vec<usize>, Option<sk::Mask>)> = None;
    let mut pixmaps: HashMap<usize, sk::Pixmap> = HashMap::new();
    for item in &scene.items {
        let clips = match item {
            Item::Path(p) => &p.clips,
            Item::Image(i) => &i.clips,
        };
        let key: Vec<usize> = clips.iter().map(|c| Arc::as_ptr(c) as usize).collect();
        if mask_for.as_ref().map(|(k, _)| k != &key).unwrap_or(true) {
            mask_for = Some((key, mask(clips, w, h, page_t)));
        }
        let mask = mask_for.as_ref().and_then(|(_, m)| m.as_ref());
        if !clips.is_empty() && mask.is_none() {
            continue; // clipped to nothing
        }
        match item {
            Item::Path(p) => {
                let Some(path) = sk_path(&p.path) else { continue };
                if let Some((c, r)) = p.fill {
                    let paint = sk::Paint { shader: sk::Shader::SolidColor(color(c)), anti_alias: true, ..Default::default() };
                    pm.fill_path(&path, &paint, rule(r), page_t, mask);
                }
                if let Some(st) = &p.stroke {
                    let paint = sk::Paint { shader: sk::Shader::SolidColor(color(st.color)), anti_alias: true, ..Default::default() };
                    let dash = if st.dash.len() >= 2 && st.dash.iter().any(|d| *d > 0.0) {
                        let mut arr: Vec<f32> = st.dash.iter().map(|d| *d as f32).collect();
                        if arr.len() % 2 == 1 {
                            arr.extend_from_within(..);
                        }
                        sk::StrokeDash::new(arr, st.dash_offset as f32)
                    } else {
                        None
                    };
                    let stroke = sk::Stroke {
                        width: st.width as f32,
                        miter_limit: st.miter_limit as f32,
                        line_cap: match st.cap {
                            Cap::Butt => sk::LineCap::Butt,
                            Cap::Round => sk::LineCap::Round,
                            Cap::Square => sk::LineCap::Square,
                        },
                        line_join: match st.join {
                            Join::Miter => sk::LineJoin::Miter,
                            Join::Round => sk::LineJoin::Round,
                            Join::Bevel => sk::LineJoin::Bevel,
                        },
                        dash,
                    };
                    pm.stroke_path(&path, &paint, &stroke, page_t, mask);
                }
            }
            Item::Image(i) => {
                let key = Arc::as_ptr(&i.image) as usize;
                let src = pixmaps.entry(key).or_insert_with(|| premultiplied(&i.image));
                let paint = sk::PixmapPaint { opacity: i.alpha as f32 / 255.0, quality: sk::FilterQuality::Bilinear, ..Default::default() };
                pm.draw_pixmap(0, 0, src.as_ref(), &paint, transform(page * i.transform), mask);
            }
        }
    }
    Ok(pm)
}

fn mask(clips: &Clips, w: u32, h: u32, t: sk::Transform) -> Option<sk::Mask> {
    let mut m: Option<sk::Mask> = None;
    for c in clips {
        let path = sk_path(&c.path)?;
        match &mut m {
            None => {
                let mut n = sk::Mask::new(w, h)?;
                n.fill_path(&path, rule(c.rule), true, t);
                m = Some(n);
            }
            Some(n) => n.intersect_path(&path, rule(c.rule), true, t),
        }
    }
    m
}

fn premultiplied(img: &image::RgbaImage) -> sk::Pixmap {
    let (w, h) = img.dimensions();
    let mut data = img.as_raw().clone();
    for px in data.chunks_exact_mut(4) {
        let a = px[3] as u16;
        for c in &mut px[..3] {
            *c = ((*c as u16 * a + 127) / 255) as u8;
        }
    }
    sk::Pixmap::from_vec(data, sk::IntSize::from_wh(w.max(1), h.max(1)).expect("non-zero size"))
        .unwrap_or_else(|| sk::Pixmap::new(1, 1).expect("1×1"))
}

/// A scene as PNG bytes.
pub fn png(scene: &Scene, dpi: f32, limits: &Limits) -> Result<Vec<u8>, RenderError> {
    draw(scene, dpi, limits)?.encode_png().map_err(|e| RenderError::Draw(e.to_string()))
}
