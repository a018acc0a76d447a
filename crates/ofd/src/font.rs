//! Embedding fonts: a TrueType font (or one face of a collection) subset to the characters a
//! document uses, keeping the `cmap` table that OFD readers need.

use crate::OfdError;
use read_fonts::collections::IntSet;
use read_fonts::types::NameId;
use read_fonts::FontRef;
use skera::{subset_font, Plan, SubsetFlags, DEFAULT_DROP_TABLES, DEFAULT_LAYOUT_FEATURES};

/// Subsets face `index` of `font` (TTF or TTC) to the characters of `text`.
pub fn subset(font: &[u8], index: u32, text: &str) -> Result<Vec<u8>, OfdError> {
    let face = FontRef::from_index(font, index).map_err(|e| OfdError::Font(format!("cannot read the font: {e}")))?;
    let mut unicodes = IntSet::empty();
    for c in text.chars() {
        unicodes.insert(c as u32);
    }
    let plan = Plan::new(
        &IntSet::empty(),
        &unicodes,
        &face,
        SubsetFlags::SUBSET_FLAGS_NO_HINTING,
        &DEFAULT_DROP_TABLES.iter().copied().collect(),
        &IntSet::all(),
        &DEFAULT_LAYOUT_FEATURES.iter().copied().collect(),
        &(0..=6).map(NameId::from).collect(),
        &[0x0409].into_iter().collect(),
    );
    subset_font(&face, &plan).map_err(|e| OfdError::Font(format!("cannot subset the font: {e:?}")))
}

/// Whether face `index` of `font` has a glyph for every character of `text` (whitespace aside).
pub fn covers(font: &[u8], index: u32, text: &str) -> bool {
    use read_fonts::TableProvider;
    let Ok(face) = FontRef::from_index(font, index) else { return false };
    let Ok(cmap) = face.cmap() else { return false };
    text.chars().filter(|c| !c.is_whitespace()).all(|c| cmap.map_codepoint(c).is_some_and(|g| g.to_u32() != 0))
}
