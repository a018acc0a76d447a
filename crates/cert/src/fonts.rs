//! The faces certificates and their PDF renditions are set in. Chinese official documents use
//! 宋体-style serif type; the free serif CJK fonts Debian ships are AR PL SungtiL GB
//! (`fonts-arphic-gbsn00lp`, GB 2312's characters) and AR PL UMing (`fonts-arphic-uming`, larger,
//! for rarer characters in names), both under the Arphic Public License and TrueType-outlined,
//! so they subset for OFD. Font files are read once per process.

use std::sync::{Arc, OnceLock};

/// A system font, read once.
#[derive(Debug)]
pub struct SystemFont {
    pub family: &'static str,
    pub path: &'static str,
    pub index: u32,
    pub data: Arc<Vec<u8>>,
}

/// The serif fonts tried in order: the smaller GB font first, the larger one for characters it
/// lacks.
pub const SERIF: &[(&str, &str, u32)] = &[
    ("AR PL SungtiL GB", "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", 0),
    ("AR PL UMing CN", "/usr/share/fonts/truetype/arphic/uming.ttc", 0),
];

/// Sans-serif fonts, tried after the serif ones (a system without them still renders).
pub const SANS: &[(&str, &str, u32)] = &[
    ("WenQuanYi Micro Hei", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("WenQuanYi Zen Hei", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("Noto Sans CJK SC", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
];

fn load(list: &[(&'static str, &'static str, u32)]) -> Vec<SystemFont> {
    list.iter()
        .filter_map(|(family, path, index)| {
            std::fs::read(path).ok().map(|data| SystemFont { family, path, index: *index, data: Arc::new(data) })
        })
        .collect()
}

/// The installed serif fonts, in order of preference.
pub fn serif_installed() -> &'static [SystemFont] {
    static FONTS: OnceLock<Vec<SystemFont>> = OnceLock::new();
    FONTS.get_or_init(|| load(SERIF))
}

/// Every installed font the PDF renditions may use: the serif ones, then sans-serif.
pub fn all_installed() -> &'static [SystemFont] {
    static FONTS: OnceLock<Vec<SystemFont>> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut v = load(SERIF);
        v.extend(load(SANS));
        v
    })
}

/// The first installed font with every character of `text`, else the first installed.
pub fn for_text(text: &str) -> Option<&'static SystemFont> {
    let all = all_installed();
    all.iter().find(|f| erjian_ofd::font::covers(&f.data, f.index, text)).or(all.first())
}
