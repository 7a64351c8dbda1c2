//! The numbers Word generates for numbered paragraphs (`w:numPr`, directly or through the
//! paragraph's style): not in `document.xml`, so computed from `word/numbering.xml` and
//! `word/styles.xml` as Word shows them ("一、", "（二）", "3.").
//!
//! Supported: the level text (`w:lvlText`, `%1`…`%9`), start values and start overrides,
//! restarting deeper levels when a level advances, and the formats Chinese reports use
//! (decimal, full-width and circled digits, Chinese counting, letters, Roman numerals).
//! A bullet or an unknown format gives no number. Counters are kept per abstract list, as
//! Word does for lists that share one.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::HashMap;

#[derive(Clone, Default)]
struct Level {
    start: u32,
    fmt: String,
    text: String,
}

/// A paragraph style's list: numId, level, and the style it is based on.
type StyleList = (Option<u32>, Option<usize>, Option<String>);

#[derive(Default)]
pub struct Numbering {
    /// numId → (abstractNumId, start overrides by level).
    nums: HashMap<u32, (u32, HashMap<usize, u32>)>,
    abstracts: HashMap<u32, Vec<Level>>,
    /// styleId → (numId, ilvl, basedOn).
    styles: HashMap<String, StyleList>,
    /// abstractNumId → the counters of its levels (0: not started).
    counters: HashMap<u32, [u32; 9]>,
    /// numIds whose start overrides have been applied.
    started: HashMap<u32, bool>,
}

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == name).then(|| match a.unescape_value() {
            Ok(v) => v.into_owned(),
            Err(_) => String::from_utf8_lossy(&a.value).into_owned(),
        })
    })
}

fn num_attr(e: &BytesStart<'_>, name: &[u8]) -> Option<u32> {
    attr(e, name)?.trim().parse().ok()
}

impl Numbering {
    /// Read `numbering.xml` and `styles.xml` (either may be missing or unreadable: then
    /// paragraphs get no numbers from it).
    pub fn new(numbering: Option<&[u8]>, styles: Option<&[u8]>) -> Numbering {
        let mut n = Numbering::default();
        if let Some(x) = numbering {
            n.read_numbering(x);
        }
        if let Some(x) = styles {
            n.read_styles(x);
        }
        n
    }

    pub fn is_empty(&self) -> bool {
        self.nums.is_empty()
    }

    fn read_numbering(&mut self, xml: &[u8]) {
        let mut r = Reader::from_reader(xml);
        let mut abs: Option<u32> = None;
        let mut lvl: Option<usize> = None;
        let mut num: Option<u32> = None;
        let mut override_lvl: Option<usize> = None;
        loop {
            let ev = match r.read_event() {
                Ok(Event::Eof) | Err(_) => break,
                Ok(ev) => ev,
            };
            let (e, start) = match &ev {
                Event::Start(e) => (e, true),
                Event::Empty(e) => (e, false),
                Event::End(e) => {
                    match e.local_name().as_ref() {
                        b"abstractNum" => abs = None,
                        b"lvl" => lvl = None,
                        b"num" => num = None,
                        b"lvlOverride" => override_lvl = None,
                        _ => {}
                    }
                    continue;
                }
                _ => continue,
            };
            match e.local_name().as_ref() {
                b"abstractNum" if start => abs = num_attr(e, b"abstractNumId"),
                b"lvl" if start && abs.is_some() => {
                    lvl = num_attr(e, b"ilvl").map(|l| l as usize).filter(|&l| l < 9);
                }
                b"num" if start => num = num_attr(e, b"numId"),
                b"abstractNumId" => {
                    if let (Some(id), Some(a)) = (num, num_attr(e, b"val")) {
                        self.nums.entry(id).or_default().0 = a;
                    }
                }
                b"lvlOverride" if start => {
                    override_lvl = num_attr(e, b"ilvl").map(|l| l as usize).filter(|&l| l < 9)
                }
                b"startOverride" => {
                    if let (Some(id), Some(l), Some(v)) = (num, override_lvl, num_attr(e, b"val")) {
                        self.nums.entry(id).or_default().1.insert(l, v);
                    }
                }
                name @ (b"start" | b"numFmt" | b"lvlText") if num.is_none() => {
                    let (Some(a), Some(l)) = (abs, lvl) else {
                        continue;
                    };
                    let levels = self.abstracts.entry(a).or_insert_with(|| {
                        vec![
                            Level {
                                start: 1,
                                ..Level::default()
                            };
                            9
                        ]
                    });
                    let v = attr(e, b"val").unwrap_or_default();
                    match name {
                        b"start" => levels[l].start = v.trim().parse().unwrap_or(1),
                        b"numFmt" => levels[l].fmt = v,
                        _ => levels[l].text = v,
                    }
                }
                _ => {}
            }
        }
    }

    fn read_styles(&mut self, xml: &[u8]) {
        let mut r = Reader::from_reader(xml);
        let mut style: Option<String> = None;
        loop {
            let ev = match r.read_event() {
                Ok(Event::Eof) | Err(_) => break,
                Ok(ev) => ev,
            };
            let e = match &ev {
                Event::Start(e) | Event::Empty(e) => e,
                Event::End(e) if e.local_name().as_ref() == b"style" => {
                    style = None;
                    continue;
                }
                _ => continue,
            };
            match e.local_name().as_ref() {
                b"style" => {
                    style = attr(e, b"styleId");
                    if let Some(s) = &style {
                        self.styles.insert(s.clone(), (None, None, None));
                    }
                }
                b"basedOn" | b"numId" | b"ilvl" => {
                    let Some(s) = style.as_ref().and_then(|s| self.styles.get_mut(s)) else {
                        continue;
                    };
                    let v = attr(e, b"val").unwrap_or_default();
                    match e.local_name().as_ref() {
                        b"basedOn" => s.2 = Some(v),
                        b"numId" => s.0 = v.trim().parse().ok(),
                        _ => s.1 = v.trim().parse().ok().filter(|&l: &usize| l < 9),
                    }
                }
                _ => {}
            }
        }
    }

    /// The number of a paragraph with `num_id`/`ilvl` from its `w:numPr` (either may be
    /// missing) and its style; advances the list's counter. `None`: not numbered.
    pub fn next(
        &mut self,
        num_id: Option<u32>,
        ilvl: Option<usize>,
        style: Option<&str>,
    ) -> Option<String> {
        let (mut id, mut level) = (num_id, ilvl);
        // The style chain, for what the paragraph does not say itself.
        let mut s = style.map(str::to_owned);
        for _ in 0..16 {
            if id.is_some() && level.is_some() {
                break;
            }
            let Some((sid, slvl, based)) = s.as_ref().and_then(|s| self.styles.get(s)) else {
                break;
            };
            id = id.or(*sid);
            level = level.or(*slvl);
            s = based.clone();
        }
        let id = id.filter(|&i| i != 0)?;
        let level = level.unwrap_or(0).min(8);
        let (abs, overrides) = self.nums.get(&id)?.clone();
        let levels = self.abstracts.get(&abs)?.clone();
        let counters = self.counters.entry(abs).or_insert([0; 9]);
        if !overrides.is_empty() && !self.started.contains_key(&id) {
            self.started.insert(id, true);
            for (&l, &v) in &overrides {
                counters[l] = v.saturating_sub(1);
            }
        }
        if counters[level] == 0 {
            counters[level] = levels[level].start;
        } else {
            counters[level] += 1;
        }
        for c in counters.iter_mut().skip(level + 1) {
            *c = 0;
        }
        let lv = &levels[level];
        if lv.fmt == "bullet" || lv.fmt == "none" {
            return None;
        }
        let mut out = String::new();
        let mut chars = lv.text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%' {
                if let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                    chars.next();
                    let l = (d as usize).saturating_sub(1).min(8);
                    let v = if counters[l] == 0 {
                        levels[l].start
                    } else {
                        counters[l]
                    };
                    out.push_str(&format_number(v, &levels[l].fmt)?);
                    continue;
                }
            }
            out.push(c);
        }
        Some(out)
    }
}

fn chinese(n: u32) -> String {
    const D: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if n < 10 {
        return D[n as usize].to_string();
    }
    if n < 100 {
        let (t, u) = (n / 10, n % 10);
        let mut s = String::new();
        if t > 1 {
            s.push(D[t as usize]);
        }
        s.push('十');
        if u > 0 {
            s.push(D[u as usize]);
        }
        return s;
    }
    n.to_string()
}

fn roman(mut n: u32) -> String {
    const R: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut s = String::new();
    for (v, r) in R {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

fn format_number(n: u32, fmt: &str) -> Option<String> {
    Some(match fmt {
        "" | "decimal" | "decimalZero" if fmt != "decimalZero" || n >= 10 => n.to_string(),
        "decimalZero" => format!("0{n}"),
        "chineseCounting"
        | "chineseCountingThousand"
        | "chineseLegalSimplified"
        | "ideographTraditional"
        | "japaneseCounting"
        | "taiwaneseCounting"
        | "taiwaneseCountingThousand" => {
            let s = chinese(n);
            if fmt == "chineseLegalSimplified" {
                s.chars()
                    .map(|c| match c {
                        '一' => '壹',
                        '二' => '贰',
                        '三' => '叁',
                        '四' => '肆',
                        '五' => '伍',
                        '六' => '陆',
                        '七' => '柒',
                        '八' => '捌',
                        '九' => '玖',
                        '十' => '拾',
                        c => c,
                    })
                    .collect()
            } else {
                s
            }
        }
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
            .collect(),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32('①' as u32 + n - 1)?.to_string()
        }
        "decimalEnclosedParen" => format!("({n})"),
        "decimalEnclosedFullstop" => format!("{n}."),
        "upperLetter" | "lowerLetter" if n >= 1 => {
            let c = (b'A' + ((n - 1) % 26) as u8) as char;
            let s: String = std::iter::repeat_n(c, ((n - 1) / 26 + 1) as usize).collect();
            if fmt == "lowerLetter" {
                s.to_lowercase()
            } else {
                s
            }
        }
        "upperRoman" => roman(n),
        "lowerRoman" => roman(n).to_lowercase(),
        _ => n.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_headings_and_sub_points() {
        let numbering = r#"<w:numbering xmlns:w="x">
<w:abstractNum w:abstractNumId="3"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%3"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="4"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="3"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="4"/></w:num>
<w:num w:numId="5"><w:abstractNumId w:val="3"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="11"/></w:lvlOverride></w:num>
</w:numbering>"#;
        let styles = r#"<w:styles xmlns:w="x"><w:style w:styleId="2"><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:styleId="3"><w:basedOn w:val="2"/><w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr></w:style></w:styles>"#;
        let mut n = Numbering::new(Some(numbering.as_bytes()), Some(styles.as_bytes()));
        assert_eq!(n.next(Some(1), Some(0), None).as_deref(), Some("一、"));
        assert_eq!(n.next(None, None, Some("3")).as_deref(), Some("（一）"));
        assert_eq!(n.next(Some(1), Some(1), None).as_deref(), Some("（二）"));
        assert_eq!(n.next(Some(1), Some(2), None).as_deref(), Some("一.1"));
        assert_eq!(n.next(None, None, Some("2")).as_deref(), Some("二、"));
        assert_eq!(n.next(Some(1), Some(1), None).as_deref(), Some("（一）"));
        assert_eq!(n.next(Some(2), Some(0), None), None);
        assert_eq!(n.next(Some(0), Some(0), None), None);
        assert_eq!(n.next(Some(9), Some(0), None), None);
        assert_eq!(n.next(Some(5), Some(0), None).as_deref(), Some("十一、"));
        assert_eq!(chinese(20), "二十");
        assert_eq!(
            format_number(3, "decimalEnclosedCircle").as_deref(),
            Some("③")
        );
        assert_eq!(
            format_number(12, "decimalFullWidth").as_deref(),
            Some("１２")
        );
    }
}
