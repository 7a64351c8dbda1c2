//! The table cells of drafts as the parser reads them, one line per row, tab-separated:
//! `t2 <row> <cells…>`, `t3 <row index> <cells…>`, `t4 - <cells…>` after a line
//! `file <path>` and `title <first title line>`. `tests/fixtures/docx/make.py` fills the
//! official template with them.
//!
//!     cargo run -p nianbao-core --example seed_tables -- ../shared/seeds/*.txt > tests/fixtures/docx/seed_values.tsv

use nianbao_core::analysis::analyze;
use nianbao_core::config::Config;
use nianbao_core::model::Row;

fn cells(src: &str, row: &Row) -> Vec<String> {
    let cells = row.cells.as_ref().unwrap_or(&row.raw);
    cells
        .iter()
        .map(|c| src[c.range.start..c.range.end].trim().to_string())
        .collect()
}

fn main() {
    for path in std::env::args().skip(1) {
        let src = std::fs::read_to_string(&path).expect("a UTF-8 draft");
        let a = analyze(&src, &Config::default());
        let name = std::path::Path::new(&path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        println!("file\t{name}");
        if let Some(t) = a.report.title {
            let title = src[t.start..t.end].trim_start_matches('#');
            println!(
                "title\t{}",
                title.split_whitespace().collect::<Vec<_>>().join("")
            );
        }
        if let Some(t2) = &a.report.table2 {
            for (key, row) in &t2.rows {
                if let Some(row) = row {
                    println!("t2\t{key:?}\t{}", cells(&src, row).join("\t"));
                }
            }
        }
        if let Some(t3) = &a.report.table3 {
            for (i, row) in t3.rows.iter().enumerate() {
                if let Some(row) = row {
                    println!("t3\t{i}\t{}", cells(&src, row).join("\t"));
                }
            }
        }
        if let Some(t4) = &a.report.table4 {
            println!("t4\t-\t{}", cells(&src, &t4.row).join("\t"));
        }
    }
}
