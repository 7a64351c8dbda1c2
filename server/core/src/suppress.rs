//! Suppression comments:
//!
//! - `<!-- nianbao-disable NB401 NB302 -->` … `<!-- nianbao-enable NB401 -->`: the codes
//!   (separated by commas or spaces; none = every code; a prefix such as `NB4` = a family)
//!   are silenced between the two comments (or to the end of the file);
//! - `<!-- nianbao-disable-next-line NB301 -->`: on the line after the comment;
//! - `<!-- nianbao-disable-file NB106 -->`: in the whole file.
//!
//! Applied after the rules run. A comment that silences nothing gets a hint (NB107).

use crate::config::Config;
use crate::diag::{Diagnostic, Msg};
use crate::rules::{prefixed, Rule, RuleSet};
use crate::text::{TextEdit, TextRange};
use regex::Regex;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Disable,
    Enable,
    NextLine,
    File,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub kind: Kind,
    /// Codes or prefixes as written (upper case); empty = every code.
    pub codes: Vec<String>,
    /// The rules the codes stand for (every rule when there are none).
    pub rules: RuleSet,
    /// The whole comment.
    pub range: TextRange,
    /// 0-based line of the comment.
    pub line: usize,
}

impl Directive {
    fn matches(&self, rule: Rule) -> bool {
        self.rules.contains(rule)
    }
}

fn re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"<!--\s*nianbao-(disable-next-line|disable-file|disable|enable)\b([^>]*?)\s*-->",
        )
        .unwrap()
    })
}

/// The comment at the very start of a text.
fn anchored_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(&format!(r"\A(?:{})", re().as_str())).unwrap())
}

/// Every suppression comment of `src`.
pub fn directives(src: &str) -> Vec<Directive> {
    directives_in(src, &crate::parse::Lines::new(src))
}

/// Every suppression comment, looked for only on the lines holding "<!--".
pub fn directives_in(src: &str, lines: &crate::parse::Lines) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut pos = 0;
    for (l, (r, f)) in lines.ranges().iter().zip(&lines.facts).enumerate() {
        if !f.comment || r.end <= pos {
            continue;
        }
        for (i, _) in src[r.start..r.end].match_indices("<!--") {
            let at = r.start + i;
            if at < pos {
                continue;
            }
            let Some(c) = anchored_re().captures(&src[at..]) else {
                continue;
            };
            let m = c.get(0).unwrap();
            let kind = match &c[1] {
                "disable" => Kind::Disable,
                "enable" => Kind::Enable,
                "disable-next-line" => Kind::NextLine,
                _ => Kind::File,
            };
            let codes: Vec<String> = c[2]
                .split(|ch: char| ch == ',' || ch == '，' || ch.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(|s| s.to_ascii_uppercase())
                .collect();
            let rules = if codes.is_empty() {
                RuleSet::all()
            } else {
                codes.iter().flat_map(|c| prefixed(c)).collect()
            };
            pos = at + m.end();
            out.push(Directive {
                kind,
                codes,
                rules,
                range: TextRange::new(at, pos),
                line: l,
            });
        }
    }
    out
}

/// Drop the diagnostics that comments silence; add an NB107 hint for each
/// comment that silences nothing.
pub fn apply(src: &str, config: &Config, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let lines = crate::parse::Lines::new(src);
    let dirs = directives_in(src, &lines);
    apply_with(src, &lines, &dirs, config, diags)
}

/// [`apply`] with the lines and directives already known.
pub fn apply_with(
    src: &str,
    lines: &crate::parse::Lines,
    dirs: &[Directive],
    config: &Config,
    diags: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    if dirs.is_empty() {
        return diags;
    }
    // Regions of disable … enable: (directive index, start offset, end offset).
    let mut regions: Vec<(usize, usize, usize)> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for (i, d) in dirs.iter().enumerate() {
        match d.kind {
            Kind::Disable => open.push(i),
            Kind::Enable => {
                open.retain(|&o| {
                    let od = &dirs[o];
                    let closes = d.codes.is_empty()
                        || od.codes.is_empty()
                        || od.codes.iter().any(|c| d.codes.contains(c));
                    if closes {
                        regions.push((o, od.range.end, d.range.start));
                    }
                    !closes
                });
            }
            _ => {}
        }
    }
    for o in open {
        regions.push((o, dirs[o].range.end, src.len()));
    }
    let mut used = vec![false; dirs.len()];
    let mut out = Vec::new();
    for diag in diags {
        let line = lines.line_of(diag.range.start);
        let mut by: Option<usize> = None;
        for (i, d) in dirs.iter().enumerate() {
            if !d.matches(diag.rule) {
                continue;
            }
            let hit = match d.kind {
                Kind::File => true,
                Kind::NextLine => line == d.line + 1,
                Kind::Disable => regions
                    .iter()
                    .any(|&(o, s, e)| o == i && diag.range.start >= s && diag.range.start < e),
                Kind::Enable => false,
            };
            if hit {
                by = Some(i);
                break;
            }
        }
        match by {
            Some(i) => used[i] = true,
            None => out.push(diag),
        }
    }
    if config.rule_enabled(Rule::UnusedSuppression) {
        for (i, d) in dirs.iter().enumerate() {
            if used[i] || d.kind == Kind::Enable {
                continue;
            }
            let codes = if d.codes.is_empty() {
                "全部".to_string()
            } else {
                d.codes.join(", ")
            };
            let codes_en = if d.codes.is_empty() {
                "any code".to_string()
            } else {
                d.codes.join(", ")
            };
            let mut diag = Diagnostic::new(
                Rule::UnusedSuppression,
                d.range,
                Msg::new(
                    format!("此抑制注释（{}）没有抑制任何诊断，可以删除", codes),
                    format!(
                        "This suppression comment ({}) suppresses nothing and can be removed",
                        codes_en
                    ),
                ),
            );
            diag.severity = config.severity(Rule::UnusedSuppression, diag.severity);
            out.push(diag);
        }
    }
    out.sort_by(|a, b| {
        (a.range.start, a.range.end, a.rule).cmp(&(b.range.start, b.range.end, b.rule))
    });
    out
}

/// The edit that inserts `<!-- nianbao-disable-next-line CODE -->` above the
/// line of `diag`, with that line's indentation (for a code action).
pub fn next_line_comment_edit(src: &str, diag: &Diagnostic) -> TextEdit {
    let start = crate::text::line_around(src, diag.range.start).start;
    let indent: String = src[start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\u{3000}')
        .collect();
    let eol = crate::rules::shared::eol(src);
    TextEdit {
        range: TextRange::empty(start),
        new_text: format!(
            "{}<!-- nianbao-disable-next-line {} -->{}",
            indent, diag.rule, eol
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn codes(src: &str) -> Vec<(&'static str, usize)> {
        let index = crate::text::LineIndex::new(src);
        crate::analyze(src, &Config::default())
            .diagnostics
            .iter()
            .map(|d| (d.code(), index.line_of(d.range.start)))
            .collect()
    }

    const DOC: &str = "六、其他需要报告的事项\n无\n";

    #[test]
    fn parses_directives() {
        let d = directives("a\n<!-- nianbao-disable NB401, NB3 nb107 -->\n<!--nianbao-enable-->\r\n<!-- nianbao-disable-next-line -->");
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].codes, ["NB401", "NB3", "NB107"]);
        let named = [
            Rule::NarrativeApplications,
            Rule::RowTotal,
            Rule::OutcomeTotal,
            Rule::Balance,
            Rule::ReviewTotal,
            Rule::WrongPart,
            Rule::UnusedSuppression,
        ];
        assert_eq!(d[0].rules, named.into_iter().collect());
        assert_eq!(d[1].rules, RuleSet::all());
        // A code that names no rule silences nothing (and is reported unused).
        assert!(directives("<!-- nianbao-disable NB999 -->")[0]
            .rules
            .is_empty());
        assert_eq!((d[0].kind, d[0].line), (Kind::Disable, 1));
        assert_eq!((d[1].kind, d[1].codes.len()), (Kind::Enable, 0));
        assert_eq!((d[2].kind, d[2].line), (Kind::NextLine, 3));
    }

    #[test]
    fn file_next_line_and_regions() {
        let base = codes(DOC);
        assert!(base.iter().any(|c| c.0 == "NB106"));
        let file = format!("<!-- nianbao-disable-file NB1 -->\n{DOC}");
        assert!(codes(&file).iter().all(|c| !c.0.starts_with("NB1")));
        let next = format!("<!-- nianbao-disable-next-line NB106 -->\n{DOC}");
        assert!(codes(&next).iter().all(|c| c.0 != "NB106"));
        let region = format!("<!-- nianbao-disable -->\n{DOC}<!-- nianbao-enable -->\n");
        assert!(codes(&region).iter().all(|c| c.0 != "NB106"));
        // Enabled again before the finding: the disable silences nothing.
        let closed =
            format!("<!-- nianbao-disable NB106 -->\n<!-- nianbao-enable NB106 -->\n{DOC}");
        let got = codes(&closed);
        assert!(got.contains(&("NB106", 2)));
        assert!(got.contains(&("NB107", 0)));
    }

    #[test]
    fn edit_for_code_action() {
        let src = "一、总体情况\r\n  本年度共收到申请5件。\r\n";
        let d = Diagnostic::new(
            Rule::NarrativeApplications,
            TextRange::new(src.find('5').unwrap(), src.find('5').unwrap() + 1),
            Msg::new("", ""),
        );
        let e = next_line_comment_edit(src, &d);
        assert_eq!(e.range, TextRange::empty(src.find("  本").unwrap()));
        assert_eq!(e.new_text, "  <!-- nianbao-disable-next-line NB401 -->\r\n");
        let edited = crate::text::apply_edits(src, &[e]);
        let dirs = directives(&edited);
        assert_eq!(dirs[0].line + 1, 2);
    }
}
