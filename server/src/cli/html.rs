//! `check --format html`: one self-contained audit page for a reviewer — a summary of every
//! report (sortable, filterable), charts of the figures across the reports (inline SVG), and
//! per report its findings with the line they are on and the fix proposed. No network, no
//! external script, style or font: the page works from a USB stick.

use super::check::{FileResult, Outcome, Render};
use nianbao_core::across_years::AgencyYear;
use nianbao_core::diag::{Lang, Severity};
use nianbao_core::extract::cells;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

pub struct Html {
    lang: Lang,
}

impl Html {
    pub fn new(lang: Lang) -> Html {
        Html { lang }
    }
    fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// One report's share of the page.
pub struct Piece {
    path: String,
    agency: String,
    year: Option<u16>,
    format: &'static str,
    errors: usize,
    warnings: usize,
    others: usize,
    figures: HashMap<&'static str, f64>,
    /// The report's findings section.
    section: String,
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The figures the charts show, by name.
fn figures(f: &FileResult) -> HashMap<&'static str, f64> {
    let mut by: HashMap<(String, String), f64> = HashMap::new();
    for c in cells(&f.src, &f.analysis) {
        if let Some(v) = c.value {
            by.insert((c.row_key.to_string(), c.col_key), v);
        }
    }
    let get = |row: &str, col: &str| by.get(&(row.to_string(), col.to_string())).copied();
    let sum = |prefix: &str| -> Option<f64> {
        let vals: Vec<f64> = by
            .iter()
            .filter(|((r, c), _)| r.starts_with(prefix) && c == "total")
            .map(|(_, v)| *v)
            .collect();
        (!vals.is_empty()).then(|| vals.iter().sum())
    };
    let mut out = HashMap::new();
    let mut put = |k: &'static str, v: Option<f64>| {
        if let Some(v) = v {
            out.insert(k, v);
        }
    };
    put("new", get("t3.new", "total"));
    put("carried_in", get("t3.carried_in", "total"));
    put("carried_out", get("t3.carried_out", "total"));
    put("open", get("t3.open", "total"));
    put("partial", get("t3.partial", "total"));
    put("refuse", sum("t3.refuse."));
    put("unable", sum("t3.unable."));
    put("reject", sum("t3.reject."));
    // （六）其他处理: the 2019 single row, or the 2021 sub-rows.
    put(
        "other",
        get("t3.other", "total").or_else(|| sum("t3.other.")),
    );
    put("outcomes", get("t3.total", "total"));
    for (k, col) in [
        ("review_total", "review.total"),
        ("review_corrected", "review.corrected"),
        ("litigation_total", "litigation.total"),
        ("litigation_corrected", "litigation.corrected"),
        ("after_review_total", "litigation_after_review.total"),
        (
            "after_review_corrected",
            "litigation_after_review.corrected",
        ),
    ] {
        put(k, get("t4", col));
    }
    out
}

const OUTCOMES: [(&str, &str, &str, &str); 6] = [
    ("open", "予以公开", "disclosed", "#2e7d32"),
    ("partial", "部分公开", "partly disclosed", "#7cb342"),
    ("refuse", "不予公开", "refused", "#c62828"),
    ("unable", "无法提供", "cannot provide", "#f9a825"),
    ("reject", "不予处理", "not handled", "#6d4c41"),
    ("other", "其他处理", "other handling", "#5e35b1"),
];

impl Html {
    fn section(&self, f: &FileResult, id: usize) -> String {
        let mut s = String::new();
        let _ = write!(
            s,
            "<section class=\"report\" id=\"r{id}\"><h3>{}</h3>",
            escape(&f.path)
        );
        if f.analysis.diagnostics.is_empty() {
            let _ = write!(
                s,
                "<p class=\"ok\">{}</p>",
                self.t("未发现问题。", "Nothing found.")
            );
        } else {
            let _ = write!(
                s,
                "<table class=\"findings\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
                self.t("位置", "Where"),
                self.t("级别", "Severity"),
                self.t("规则", "Rule"),
                self.t("问题", "Finding"),
                self.t("建议修改", "Proposed fix"),
            );
            for d in &f.analysis.diagnostics {
                let p = f.position(d.range.start);
                let line = f.index.line_range(p.line as usize);
                let text = f.src.get(line.start..line.end).unwrap_or("").trim_end();
                let snippet: String = text.chars().take(160).collect();
                let place = f.place(d.range.start).unwrap_or_default();
                let fix = d
                    .fixes
                    .first()
                    .map(|x| x.title.get(f.lang).to_string())
                    .unwrap_or_default();
                let _ = write!(
                    s,
                    "<tr class=\"sev-{sev}\"><td>{}:{}{}</td><td>{sev}</td><td><code>{}</code></td><td>{}<div class=\"snippet\">{}</div></td><td>{}</td></tr>",
                    p.line + 1,
                    p.character + 1,
                    if place.is_empty() { String::new() } else { format!("<br><small>{}</small>", escape(&place)) },
                    d.code(),
                    escape(d.message.get(f.lang)),
                    escape(&snippet),
                    escape(&fix),
                    sev = d.severity.as_str(),
                );
            }
            s.push_str("</tbody></table>");
        }
        s.push_str("</section>");
        s
    }

    /// Horizontal bars, one row per report: `series` (name, colour) stacked, each row's
    /// values in `rows`; with `percent`, each row is scaled to 100 %.
    fn bars(
        &self,
        title: &str,
        series: &[(&str, &str)],
        rows: &[(String, Vec<f64>)],
        percent: bool,
        note: &str,
    ) -> String {
        let row_h = 22.0;
        let label_w = 220.0;
        let bar_w = 520.0;
        let h = 40.0 + row_h * rows.len() as f64 + 30.0;
        let max = rows
            .iter()
            .map(|(_, v)| v.iter().sum::<f64>())
            .fold(0.0_f64, f64::max)
            .max(1.0);
        let mut s = String::new();
        let _ = write!(
            s,
            "<figure class=\"chart\"><figcaption>{}</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">",
            escape(title),
            label_w + bar_w + 80.0,
            escape(title)
        );
        // Legend.
        let mut x = label_w;
        for (name, colour) in series {
            let _ = write!(
                s,
                "<rect x=\"{x}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{}\" y=\"17\" font-size=\"12\">{}</text>",
                x + 16.0,
                escape(name)
            );
            x += 24.0 + 13.0 * name.chars().count() as f64;
        }
        for (i, (label, values)) in rows.iter().enumerate() {
            let y = 30.0 + row_h * i as f64;
            let total: f64 = values.iter().sum();
            let scale = if percent {
                if total > 0.0 {
                    bar_w / total
                } else {
                    0.0
                }
            } else {
                bar_w / max
            };
            let short = label;
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>",
                label_w - 6.0,
                y + 14.0,
                escape(short)
            );
            let mut x = label_w;
            for (v, (name, colour)) in values.iter().zip(series) {
                let w = v * scale;
                if w > 0.0 {
                    let _ = write!(
                        s,
                        "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{colour}\"><title>{}：{} {}</title></rect>",
                        row_h - 6.0,
                        escape(label),
                        escape(name),
                        num(*v)
                    );
                }
                x += w;
            }
            let shown = if percent { String::new() } else { num(total) };
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\">{}</text>",
                x + 4.0,
                y + 13.0,
                shown
            );
        }
        s.push_str("</svg>");
        if !note.is_empty() {
            let _ = write!(s, "<p class=\"note\">{}</p>", escape(note));
        }
        s.push_str("</figure>");
        s
    }

    fn charts(&self, pieces: &[Piece]) -> String {
        let label = |p: &Piece| {
            let who = if p.agency.is_empty() {
                p.path.rsplit('/').next().unwrap_or(&p.path).to_string()
            } else {
                p.agency.clone()
            };
            // Long names are cut so that the year stays in view (the full name is in the table).
            let who: String = if who.chars().count() > 14 {
                who.chars().take(13).chain(['…']).collect()
            } else {
                who
            };
            match p.year {
                Some(y) => format!("{who} {y}"),
                None => who,
            }
        };
        let with: Vec<&Piece> = pieces
            .iter()
            .filter(|p| p.figures.contains_key("new"))
            .collect();
        if with.is_empty() {
            return format!(
                "<p>{}</p>",
                self.t(
                    "没有可读的表三，无法作图。",
                    "No table 三 could be read: no charts."
                )
            );
        }
        let mut s = String::new();
        let g = |p: &Piece, k: &str| p.figures.get(k).copied().unwrap_or(0.0);
        s.push_str(
            &self.bars(
                self.t("收到和结转的申请", "Applications received and carried over"),
                &[
                    (self.t("本年新收", "received"), "#1565c0"),
                    (self.t("上年结转", "carried in"), "#90caf9"),
                ],
                &with
                    .iter()
                    .map(|p| (label(p), vec![g(p, "new"), g(p, "carried_in")]))
                    .collect::<Vec<_>>(),
                false,
                "",
            ),
        );
        let series: Vec<(&str, &str)> = OUTCOMES
            .iter()
            .map(|(_, zh, en, c)| (self.t(zh, en), *c))
            .collect();
        s.push_str(
            &self.bars(
                self.t("办理结果构成", "Outcome mix"),
                &series,
                &with
                    .iter()
                    .map(|p| (label(p), OUTCOMES.iter().map(|(k, ..)| g(p, k)).collect()))
                    .collect::<Vec<_>>(),
                true,
                "",
            ),
        );
        let high: Vec<String> = with
            .iter()
            .filter(|p| {
                let total = g(p, "outcomes");
                total >= 10.0 && g(p, "other") / total > 0.2
            })
            .map(|p| label(p))
            .collect();
        let note = if high.is_empty() {
            String::new()
        } else {
            match self.lang {
                Lang::Zh => format!(
                    "（六）其他处理占比超过 20%，宜重点核查：{}",
                    high.join("、")
                ),
                Lang::En => format!(
                    "More than 20 % of outcomes are (6) other handling — worth a closer look: {}",
                    high.join(", ")
                ),
            }
        };
        s.push_str(
            &self.bars(
                self.t("（六）其他处理的占比", "Share of (6) other handling"),
                &[
                    (self.t("其他处理", "other handling"), "#5e35b1"),
                    (self.t("其余办理结果", "all other outcomes"), "#e0e0e0"),
                ],
                &with
                    .iter()
                    .map(|p| {
                        (
                            label(p),
                            vec![g(p, "other"), (g(p, "outcomes") - g(p, "other")).max(0.0)],
                        )
                    })
                    .collect::<Vec<_>>(),
                true,
                &note,
            ),
        );
        // 复议/诉讼 and their correction rate.
        let _ = write!(
            s,
            "<figure class=\"chart\"><figcaption>{}</figcaption><table class=\"t4\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            self.t("行政复议、行政诉讼及纠错率（结果纠正 / 总计）", "Reviews, litigation and their correction rate (corrected / total)"),
            self.t("报告", "Report"),
            self.t("行政复议", "Reviews"),
            self.t("复议纠错率", "Corrected"),
            self.t("行政诉讼", "Litigation"),
            self.t("诉讼纠错率", "Corrected"),
        );
        let rate = |c: f64, t: f64| {
            if t > 0.0 {
                format!("{:.0}%", 100.0 * c / t)
            } else {
                "—".into()
            }
        };
        for p in &with {
            let lit = g(p, "litigation_total") + g(p, "after_review_total");
            let lit_c = g(p, "litigation_corrected") + g(p, "after_review_corrected");
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&label(p)),
                num(g(p, "review_total")),
                rate(g(p, "review_corrected"), g(p, "review_total")),
                num(lit),
                rate(lit_c, lit),
            );
        }
        s.push_str("</tbody></table></figure>");
        s
    }
}

pub fn num(v: f64) -> String {
    nianbao_core::sum::number_text(v)
}

impl Render for Html {
    type Piece = Piece;
    type State = Vec<Piece>;

    fn piece(&self, f: &FileResult) -> Piece {
        let who = AgencyYear::of(&f.src, &f.analysis.report);
        let count = |s: Severity| f.count(s);
        Piece {
            path: f.path.clone(),
            agency: who.map(|w| w.agency).unwrap_or_default(),
            year: f.analysis.report.year,
            format: f.analysis.report.format.as_str(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            others: count(Severity::Information) + count(Severity::Hint),
            figures: figures(f),
            // Numbered when written (the id is the report's place on the page).
            section: self.section(f, usize::MAX),
        }
    }

    fn begin(&self, _out: &mut dyn Write) -> io::Result<Vec<Piece>> {
        Ok(Vec::new())
    }

    fn write(
        &self,
        state: &mut Vec<Piece>,
        _out: &mut dyn Write,
        mut piece: Piece,
    ) -> io::Result<()> {
        let id = state.len();
        piece.section = piece.section.replacen(
            &format!("id=\"r{}\"", usize::MAX),
            &format!("id=\"r{id}\""),
            1,
        );
        state.push(piece);
        Ok(())
    }

    fn finish(&self, pieces: Vec<Piece>, out: &mut dyn Write, outcome: &Outcome) -> io::Result<()> {
        let lang_attr = if self.lang == Lang::En { "en" } else { "zh-CN" };
        let title = self.t("政府信息公开工作年度报告审核", "Annual report audit");
        let mut s = String::new();
        let _ = write!(
            s,
            "<!DOCTYPE html><html lang=\"{lang_attr}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title><style>{CSS}</style></head><body><h1>{title}</h1>"
        );
        let _ = write!(
            s,
            "<p class=\"totals\">{}</p>",
            escape(&match self.lang {
                Lang::Zh => format!(
                    "共 {} 份报告：{} 个错误，{} 个警告；{} 份无法读取。",
                    pieces.len(),
                    outcome.totals.errors,
                    outcome.totals.warnings,
                    outcome.problems.len()
                ),
                Lang::En => format!(
                    "{} reports: {} errors, {} warnings; {} could not be read.",
                    pieces.len(),
                    outcome.totals.errors,
                    outcome.totals.warnings,
                    outcome.problems.len()
                ),
            })
        );
        let _ = write!(
            s,
            "<div class=\"controls\"><input id=\"filter\" type=\"search\" placeholder=\"{}\"> <select id=\"status\"><option value=\"\">{}</option><option value=\"error\">{}</option><option value=\"warning\">{}</option><option value=\"ok\">{}</option></select> <span id=\"shown\"></span></div>",
            self.t("按机关、年度或文件筛选", "Filter by agency, year or file"),
            self.t("全部", "All"),
            self.t("有错误", "With errors"),
            self.t("仅有警告", "Warnings only"),
            self.t("通过", "Passed"),
        );
        let _ = write!(
            s,
            "<table id=\"summary\"><thead><tr><th data-k=\"s\">{}</th><th data-k=\"s\">{}</th><th data-k=\"n\">{}</th><th data-k=\"s\">{}</th><th data-k=\"n\">{}</th><th data-k=\"n\">{}</th><th data-k=\"n\">{}</th><th data-k=\"s\">{}</th></tr></thead><tbody>",
            self.t("报告", "Report"),
            self.t("机关", "Agency"),
            self.t("年度", "Year"),
            self.t("格式", "Format"),
            self.t("错误", "Errors"),
            self.t("警告", "Warnings"),
            self.t("提示", "Notes"),
            self.t("状态", "Status"),
        );
        for (i, p) in pieces.iter().enumerate() {
            let (status, word) = if p.errors > 0 {
                ("error", self.t("✗ 有错误", "✗ errors"))
            } else if p.warnings > 0 {
                ("warning", self.t("! 有警告", "! warnings"))
            } else {
                ("ok", self.t("✓ 通过", "✓ passed"))
            };
            let _ = write!(
                s,
                "<tr class=\"st-{status}\" data-status=\"{status}\"><td><a href=\"#r{i}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{word}</td></tr>",
                escape(&p.path),
                escape(&p.agency),
                p.year.map(|y| y.to_string()).unwrap_or_default(),
                p.format,
                p.errors,
                p.warnings,
                p.others,
            );
        }
        s.push_str("</tbody></table>");
        if !outcome.problems.is_empty() {
            let _ = write!(
                s,
                "<h2>{}</h2><ul class=\"problems\">",
                self.t("无法读取的文件", "Files that could not be read")
            );
            for (_, why) in &outcome.problems {
                let _ = write!(s, "<li>{}</li>", escape(why));
            }
            s.push_str("</ul>");
        }
        let _ = write!(s, "<h2>{}</h2>", self.t("图表", "Charts"));
        s.push_str(&self.charts(&pieces));
        let _ = write!(
            s,
            "<h2>{}</h2>",
            self.t("各报告的检查结果", "Findings per report")
        );
        for p in &pieces {
            s.push_str(&p.section);
        }
        let _ = writeln!(s, "<script>{JS}</script></body></html>");
        out.write_all(s.as_bytes())
    }
}

const CSS: &str = "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:1.5em;color:#222}\
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}\
th{background:#f0f0f0;cursor:pointer}#summary td:nth-child(n+5):nth-child(-n+7){text-align:right}\
tr.st-error td:last-child{color:#c62828;font-weight:bold}tr.st-warning td:last-child{color:#e65100}tr.st-ok td:last-child{color:#2e7d32}\
.controls{margin:.8em 0}#filter{width:20em;padding:3px}.snippet{font-family:monospace;color:#555;font-size:90%;white-space:pre-wrap}\
tr.sev-error td:nth-child(2){color:#c62828}tr.sev-warning td:nth-child(2){color:#e65100}\
figure.chart{margin:1em 0}figcaption{font-weight:bold;margin-bottom:.3em}.note{color:#c62828}.ok{color:#2e7d32}\
section.report{border-top:1px solid #ddd;margin-top:1em}";

const JS: &str = "(function(){\
var f=document.getElementById('filter'),st=document.getElementById('status'),tb=document.querySelector('#summary tbody'),shown=document.getElementById('shown');\
function apply(){var q=f.value.trim().toLowerCase(),s=st.value,n=0,rows=tb.rows;\
for(var i=0;i<rows.length;i++){var r=rows[i],ok=(!q||r.textContent.toLowerCase().indexOf(q)>=0)&&(!s||r.dataset.status===s);\
r.style.display=ok?'':'none';var id=r.querySelector('a').getAttribute('href').slice(1),sec=document.getElementById(id);if(sec)sec.style.display=ok?'':'none';if(ok)n++;}\
shown.textContent=n+' / '+rows.length;}\
f.addEventListener('input',apply);st.addEventListener('change',apply);\
document.querySelectorAll('#summary th').forEach(function(th,col){var asc=true;th.addEventListener('click',function(){\
var rows=Array.prototype.slice.call(tb.rows),num=th.dataset.k==='n';\
rows.sort(function(a,b){var x=a.cells[col].textContent,y=b.cells[col].textContent;var c=num?(parseFloat(x||'0')-parseFloat(y||'0')):x.localeCompare(y,'zh');return asc?c:-c;});\
asc=!asc;rows.forEach(function(r){tb.appendChild(r);});});});apply();})();";
