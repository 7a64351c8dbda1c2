//! The skeleton of a report in the 2021 format (国办公开办函〔2021〕30号): a
//! title, the opening paragraph, the six sections in order, and tables 二, 三
//! and 四 as Markdown pipe tables filled with 0 — every identity holds.
//!
//! Built from the template data, so that it always matches what the rules expect.

use crate::template::{
    Only, TABLE2_2021, TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_GROUPS, TABLE4_GROUP_COLUMNS,
};
use crate::template::{T2Row, T3Row};

/// The report year a draft written today is most likely about (last calendar year).
pub fn default_year() -> u16 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (y, _, _) = civil_from_days((secs / 86_400) as i64);
    (y - 1).clamp(2021, 9999) as u16
}

/// Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn row(cells: &[&str]) -> String {
    let mut s = String::from("|");
    for c in cells {
        s.push(' ');
        s.push_str(c);
        s.push_str(" |");
    }
    s.push('\n');
    s
}

fn delimiter(n: usize) -> String {
    let mut s = String::from("|");
    for _ in 0..n {
        s.push_str("---|");
    }
    s.push('\n');
    s
}

/// Table 二 (2021 format): one pipe table per block of 第二十条. `values(key)`
/// gives a row's cells (rows without are left out).
pub fn table2_with(values: &dyn Fn(T2Row) -> Option<Vec<String>>) -> String {
    let mut s = String::new();
    for block in TABLE2_2021.iter() {
        let rows: Vec<(&str, Vec<String>)> = block
            .rows
            .iter()
            .filter_map(|r| Some((r.label, values(r.key)?)))
            .collect();
        if rows.is_empty() {
            continue;
        }
        if !s.is_empty() {
            s.push('\n');
        }
        let n = block.columns.len() + 1;
        let mut head = vec![block.heading];
        head.extend(std::iter::repeat_n("", n - 1));
        s.push_str(&row(&head));
        s.push_str(&delimiter(n));
        let mut cols = vec!["信息内容"];
        cols.extend(block.columns.iter().copied());
        s.push_str(&row(&cols));
        for (label, vals) in rows {
            let mut cells = vec![label];
            cells.extend(vals.iter().map(String::as_str));
            s.push_str(&row(&cells));
        }
    }
    s
}

/// Table 二 with every count 0.
pub fn table2() -> String {
    table2_with(&|key| {
        let block = TABLE2_2021
            .iter()
            .find(|b| b.rows.iter().any(|r| r.key == key))?;
        Some(vec!["0".to_string(); block.columns.len()])
    })
}

/// Table 三: the template's header rows, then the rows for which `values(row)`
/// (an index into [`TABLE3_ROWS`]) gives cells, in template order.
pub fn table3_with(values: &dyn Fn(usize) -> Option<Vec<String>>) -> String {
    let mut s = String::new();
    let width = 2 + TABLE3_COLUMNS.len();
    s.push_str(&row(&[
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "",
        "申请人情况",
        "",
        "",
        "",
        "",
        "",
        "",
    ]));
    s.push_str(&delimiter(width));
    s.push_str(&row(&[
        "",
        "",
        "自然人",
        "法人或其他组织",
        "",
        "",
        "",
        "",
        "总计",
    ]));
    s.push_str(&row(&[
        "",
        "",
        "",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "",
    ]));
    let mut last_group: Option<&str> = None;
    for (i, def) in TABLE3_ROWS.iter().enumerate() {
        let Some(vals) = values(i) else { continue };
        let (first, second): (&str, &str) = match (def.group, def.key) {
            (None, T3Row::New | T3Row::CarriedIn | T3Row::CarriedOut) => (def.label, ""),
            (None, T3Row::Open) => ("三、本年度办理结果", def.label),
            (None, _) => ("", def.label),
            (Some(g), _) if last_group != Some(g) => (g, def.label),
            (Some(_), _) => ("", def.label),
        };
        last_group = def.group;
        let mut cells = vec![first, second];
        cells.extend(vals.iter().map(String::as_str));
        s.push_str(&row(&cells));
    }
    s
}

/// Table 三 (2021 format) with every count 0.
pub fn table3() -> String {
    table3_with(&|i| {
        (TABLE3_ROWS[i].only != Only::F2019).then(|| vec!["0".to_string(); TABLE3_COLUMNS.len()])
    })
}

/// Table 四: the template's three header rows, then `values` as its one value row.
pub fn table4_with(values: &[String]) -> String {
    let mut s = String::new();
    let mut top = vec![TABLE4_GROUPS[0], "", "", "", "", "行政诉讼"];
    top.extend(std::iter::repeat_n("", 9));
    s.push_str(&row(&top));
    s.push_str(&delimiter(15));
    let mut second = vec![""; 5];
    second.push("未经复议直接起诉");
    second.extend(std::iter::repeat_n("", 4));
    second.push("复议后起诉");
    second.extend(std::iter::repeat_n("", 4));
    s.push_str(&row(&second));
    let cols: Vec<&str> = (0..3)
        .flat_map(|_| TABLE4_GROUP_COLUMNS.iter().copied())
        .collect();
    s.push_str(&row(&cols));
    let vals: Vec<&str> = values.iter().map(String::as_str).collect();
    s.push_str(&row(&vals));
    s
}

/// Table 四 with every count 0.
pub fn table4() -> String {
    table4_with(&vec!["0".to_string(); 15])
}

/// The title line of the skeleton (with its line break).
pub fn title(year: u16) -> String {
    format!("# XX（机关名称）{year}年政府信息公开工作年度报告\n")
}

/// Everything after the title: the opening paragraph and the six sections.
pub fn body(year: u16) -> String {
    format!(
        "本报告由XX（机关名称）根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）要求编制。报告中所列数据统计期限自{year}年1月1日起至{year}年12月31日止。本报告电子版可在XX网站政府信息公开专栏查阅。如对本报告有疑问，请与XX联系（地址：XX，邮编：XX，电话：XX）。\n\
         \n\
         ## 一、总体情况\n\
         \n\
         （一）主动公开情况。\n\
         \n\
         （二）依申请公开情况。\n\
         \n\
         （三）政府信息管理情况。\n\
         \n\
         （四）政府信息公开平台建设情况。\n\
         \n\
         （五）监督保障情况。\n\
         \n\
         ## 二、主动公开政府信息情况\n\
         \n\
         {t2}\n\
         ## 三、收到和处理政府信息公开申请情况\n\
         \n\
         {t3}\n\
         ## 四、政府信息公开行政复议、行政诉讼情况\n\
         \n\
         {t4}\n\
         ## 五、存在的主要问题及改进情况\n\
         \n\
         （一）存在的主要问题。\n\
         \n\
         （二）改进情况。\n\
         \n\
         ## 六、其他需要报告的事项\n\
         \n\
         本年度没有产生信息处理费。\n",
        t2 = table2(),
        t3 = table3(),
        t4 = table4(),
    )
}

/// The whole skeleton for report year `year`, with `\n` line breaks.
pub fn skeleton(year: u16) -> String {
    format!("{}\n{}", title(year), body(year))
}

/// `s` (written with `\n`) with the line breaks of the document it goes into.
pub fn with_eol(s: String, eol: &str) -> String {
    if eol == "\n" {
        s
    } else {
        s.replace('\n', eol)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze, config::Config};

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
    }

    #[test]
    fn skeleton_has_no_structure_table_or_arithmetic_errors() {
        for year in [2021, 2024] {
            let s = skeleton(year);
            let a = analyze(&s, &Config::default());
            let bad: Vec<_> = a
                .diagnostics
                .iter()
                .filter(|d| {
                    d.code().starts_with("NB1")
                        || d.code().starts_with("NB2")
                        || d.code().starts_with("NB3")
                })
                .map(|d| {
                    format!(
                        "{} {} ⟦{}⟧",
                        d.code(),
                        d.message.zh,
                        &s[d.range.start..d.range.end]
                    )
                })
                .collect();
            assert!(bad.is_empty(), "{bad:#?}");
            assert!(a.report.sections.iter().all(|s| s.is_some()));
            assert!(
                a.report.table2.is_some() && a.report.table3.is_some() && a.report.table4.is_some()
            );
            let t3 = a.report.table3.as_ref().unwrap();
            for (i, def) in TABLE3_ROWS.iter().enumerate() {
                if def.only != Only::F2019 {
                    let r = t3.rows[i]
                        .as_ref()
                        .unwrap_or_else(|| panic!("row {} read", def.key));
                    assert_eq!(r.cells.as_ref().map(|c| c.len()), Some(7), "{}", def.key);
                }
            }
            assert_eq!(
                a.report
                    .table4
                    .as_ref()
                    .unwrap()
                    .row
                    .cells
                    .as_ref()
                    .map(|c| c.len()),
                Some(15)
            );
            assert_eq!(a.report.year, Some(year));
        }
    }

    #[test]
    fn skeleton_is_already_formatted() {
        let s = skeleton(2024);
        let f = crate::table_format::format(&s);
        let a = analyze(&f, &Config::default());
        assert!(a
            .diagnostics
            .iter()
            .all(|d| !d.code().starts_with("NB2") && !d.code().starts_with("NB3")));
    }
}
