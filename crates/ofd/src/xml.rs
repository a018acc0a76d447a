//! A small XML tree over quick-xml: element local names (namespace prefixes dropped, as OFD
//! readers must accept both `ofd:Page` and `Page`), attributes and text; bounded depth and
//! element count, so a small deflated upload cannot expand into a tree of millions of nodes.

use crate::OfdError;
use quick_xml::events::Event;
use quick_xml::Reader;

const MAX_DEPTH: usize = 128;
/// Elements in one file. erjian's certificate has a few hundred; third-party pages a few thousand.
pub const MAX_ELEMENTS: usize = 200_000;

#[derive(Debug, Clone, Default)]
pub struct El {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<El>,
    pub text: String,
}

fn local(name: &[u8]) -> String {
    let s = String::from_utf8_lossy(name);
    s.rsplit(':').next().unwrap_or(&s).to_owned()
}

pub fn parse(file: &str, src: &str) -> Result<El, OfdError> {
    let err = |m: String| OfdError::Xml { file: file.to_owned(), message: m };
    let mut reader = Reader::from_str(src);
    let mut stack: Vec<El> = vec![El::default()];
    let mut elements = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| err(e.to_string()))?;
        if matches!(event, Event::Start(_) | Event::Empty(_)) {
            elements += 1;
            if elements > MAX_ELEMENTS {
                return Err(err(format!("more than {MAX_ELEMENTS} elements")));
            }
        }
        match event {
            Event::Start(e) => {
                if stack.len() > MAX_DEPTH {
                    return Err(err("nesting too deep".into()));
                }
                stack.push(element(&e).map_err(err)?);
            }
            Event::Empty(e) => {
                let el = element(&e).map_err(err)?;
                stack.last_mut().expect("root").children.push(el);
            }
            Event::End(_) => {
                let el = stack.pop().expect("balanced");
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Err(err("unbalanced end tag".into())),
                }
            }
            Event::Text(t) => {
                let s = t.unescape().map_err(|e| err(e.to_string()))?;
                stack.last_mut().expect("root").text.push_str(&s);
            }
            Event::CData(t) => stack.last_mut().expect("root").text.push_str(&String::from_utf8_lossy(&t)),
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err(err("unclosed element".into()));
    }
    stack.pop().and_then(|mut doc| doc.children.pop()).ok_or_else(|| err("no root element".into()))
}

fn element(e: &quick_xml::events::BytesStart<'_>) -> Result<El, String> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|x| x.to_string())?;
        let v = a.unescape_value().map_err(|x| x.to_string())?.into_owned();
        attrs.push((local(a.key.as_ref()), v));
    }
    Ok(El { name: local(e.name().as_ref()), attrs, children: vec![], text: String::new() })
}

impl El {
    pub fn attr(&self, k: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    pub fn child(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn kids<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Every descendant with this name, in document order.
    pub fn all<'a>(&'a self, name: &str, out: &mut Vec<&'a El>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.all(name, out);
        }
    }

    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }
}

/// Escapes text and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    esc_into(&mut o, s);
    o
}

/// Appends `s` escaped for XML text and attribute values (control characters dropped).
pub fn esc_into(o: &mut String, s: &str) {
    // One table look-up a byte: this scan runs over every path and text a page writes.
    const SPECIAL: [bool; 256] = {
        let mut t = [false; 256];
        let mut i = 0;
        while i < 0x20 {
            t[i] = true;
            i += 1;
        }
        t[b'&' as usize] = true;
        t[b'<' as usize] = true;
        t[b'>' as usize] = true;
        t[b'"' as usize] = true;
        t[b'\'' as usize] = true;
        t
    };
    if !s.bytes().any(|b| SPECIAL[b as usize]) {
        o.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => o.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_prefixed_and_plain_names_and_refuses_broken_xml() {
        let el = super::parse("t", r#"<ofd:A xmlns:ofd="x"><ofd:B k="1 &amp; 2">t&lt;</ofd:B><C/></ofd:A>"#).unwrap();
        assert_eq!(el.name, "A");
        assert_eq!(el.child("B").unwrap().attr("k"), Some("1 & 2"));
        assert_eq!(el.child("B").unwrap().text, "t<");
        assert!(el.child("C").is_some());
        assert!(super::parse("t", "<a><b></a>").is_err());
        assert!(super::parse("t", "<a>").is_err());
        let deep = "<a>".repeat(1000) + &"</a>".repeat(1000);
        assert!(super::parse("t", &deep).is_err());
    }

    use super::*;

    #[test]
    fn element_count_and_depth_are_bounded() {
        let many = format!("<a>{}</a>", "<b/>".repeat(MAX_ELEMENTS + 1));
        assert!(parse("x.xml", &many).unwrap_err().to_string().contains("elements"));
        let deep = format!("{}{}", "<a>".repeat(MAX_DEPTH + 2), "</a>".repeat(MAX_DEPTH + 2));
        assert!(parse("x.xml", &deep).unwrap_err().to_string().contains("deep"));
        assert_eq!(parse("x.xml", "<a><b/><c>t</c></a>").unwrap().children.len(), 2);
    }
}
