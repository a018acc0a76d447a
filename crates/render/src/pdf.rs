//! The same scenes as a PDF with krilla: one PDF page per OFD page at its physical size, paths
//! (text as outlines), images and clipping areas as drawn in PNG.

use crate::scene::{Cap, FillRule, Item, Join, Rgba, Scene};
use crate::RenderError;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Size, Transform};
use krilla::image::Image;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, LineCap, LineJoin, Stroke, StrokeDash};
use krilla::surface::Surface;
use kurbo::BezPath;
use std::collections::HashMap;
use std::sync::Arc;

const MM: f32 = 72.0 / 25.4;

crate::path_sink!(PathBuilder);

fn path(p: &BezPath) -> Option<krilla::geom::Path> {
    let mut b = PathBuilder::new();
    crate::scene::feed(p, &mut b);
    b.finish()
}

fn paint(c: Rgba) -> (krilla::paint::Paint, NormalizedF32) {
    let [r, g, b, a] = c.0;
    (rgb::Color::new(r, g, b).into(), NormalizedF32::new(a as f32 / 255.0).unwrap_or(NormalizedF32::ONE))
}

fn rule(r: FillRule) -> krilla::paint::FillRule {
    match r {
        FillRule::NonZero => krilla::paint::FillRule::NonZero,
        FillRule::EvenOdd => krilla::paint::FillRule::EvenOdd,
    }
}

fn draw(s: &mut Surface<'_>, scene: &Scene, images: &mut HashMap<usize, Image>) {
    for item in &scene.items {
        let clips = match item {
            Item::Path(p) => &p.clips,
            Item::Image(i) => &i.clips,
        };
        let mut pushed = 0;
        for c in clips {
            if let Some(p) = path(&c.path) {
                s.push_clip_path(&p, &rule(c.rule));
                pushed += 1;
            }
        }
        match item {
            Item::Path(p) => {
                if let Some(kp) = path(&p.path) {
                    let fill = p.fill.map(|(c, r)| {
                        let (paint, opacity) = paint(c);
                        Fill { paint, opacity, rule: rule(r) }
                    });
                    let stroke = p.stroke.as_ref().map(|st| {
                        let (paint, opacity) = paint(st.color);
                        Stroke {
                            paint,
                            opacity,
                            width: st.width as f32,
                            miter_limit: st.miter_limit as f32,
                            line_cap: match st.cap {
                                Cap::Butt => LineCap::Butt,
                                Cap::Round => LineCap::Round,
                                Cap::Square => LineCap::Square,
                            },
                            line_join: match st.join {
                                Join::Miter => LineJoin::Miter,
                                Join::Round => LineJoin::Round,
                                Join::Bevel => LineJoin::Bevel,
                            },
                            dash: (st.dash.len() >= 2)
                                .then(|| StrokeDash { array: st.dash.iter().map(|d| *d as f32).collect(), offset: st.dash_offset as f32 }),
                        }
                    });
                    s.set_fill(fill);
                    s.set_stroke(stroke);
                    s.draw_path(&kp);
                }
            }
            Item::Image(i) => {
                let img = images
                    .entry(Arc::as_ptr(&i.image) as usize)
                    .or_insert_with(|| Image::from_rgba8(i.image.as_raw().clone(), i.image.width(), i.image.height()))
                    .clone();
                let [a, b, c, d, e, f] = i.transform.as_coeffs();
                s.push_transform(&Transform::from_row(a as f32, b as f32, c as f32, d as f32, e as f32, f as f32));
                s.push_opacity(NormalizedF32::new(i.alpha as f32 / 255.0).unwrap_or(NormalizedF32::ONE));
                if let Some(size) = Size::from_wh(i.image.width().max(1) as f32, i.image.height().max(1) as f32) {
                    s.draw_image(img, size);
                }
                s.pop();
                s.pop();
            }
        }
        for _ in 0..pushed {
            s.pop();
        }
    }
}

/// The scenes as one PDF.
pub fn pdf(scenes: &[Scene]) -> Result<Vec<u8>, RenderError> {
    let mut doc = krilla::Document::new();
    let mut images = HashMap::new();
    for scene in scenes {
        let settings = PageSettings::from_wh(scene.width_mm as f32 * MM, scene.height_mm as f32 * MM)
            .ok_or_else(|| RenderError::Draw("页面尺寸无效".into()))?;
        let mut page = doc.start_page_with(settings);
        let mut s = page.surface();
        s.push_transform(&Transform::from_scale(MM, MM));
        draw(&mut s, scene, &mut images);
        s.pop();
        s.finish();
        page.finish();
    }
    doc.finish().map_err(|e| RenderError::Draw(format!("{e:?}")))
}
