//! The PDF reader (poppler's `pdftotext -layout`, which must be installed: `tests/run-all.sh`
//! installs poppler-utils) on the real published PDF `tests/fixtures/pdf/szfgs2024.pdf`, whose
//! text pdfplumber extracted as `seeds/008_huaian_city_gov_2024.txt`: both give the same report
//! and the same findings. A scan, a broken file, a missing or hanging extractor are refused
//! with a message that says what to do.

mod common;

use common::{fixtures_dir, tables_line};
use nianbao_core::analysis::{analyze, Analysis};
use nianbao_core::config::Config;
use nianbao_core::diag::Lang;
use nianbao_core::read::{self, Form, Place};
use std::time::{Duration, Instant};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join(name)).unwrap()
}

fn analyse(text: &str) -> Analysis {
    analyze(text, &Config::default())
}

fn read_pdf(bytes: &[u8]) -> read::Rendering {
    read::pdf::read(bytes).unwrap_or_else(|e| {
        panic!(
            "{} (the PDF tests need poppler-utils installed)",
            e.get(Lang::En)
        )
    })
}

/// Every value of tables 三 and 四 (the cells the identities read), and table 二's rows.
fn values(a: &Analysis) -> Vec<String> {
    let r = &a.report;
    let mut v: Vec<String> = common::all_cells(r.table3_format())
        .into_iter()
        .map(|c| format!("{c:?}={:?}", r.cell(c).map(|c| &c.value)))
        .collect();
    if let Some(t) = &r.table2 {
        for (k, row) in &t.rows {
            let cells = row.as_ref().and_then(|r| r.cells.as_ref());
            v.push(format!(
                "{k:?}={:?}",
                cells.map(|c| c.iter().map(|c| c.value.clone()).collect::<Vec<_>>())
            ));
        }
    }
    v
}

fn findings(a: &Analysis) -> Vec<(String, String)> {
    a.diagnostics
        .iter()
        .map(|d| (d.code().to_string(), d.message.get(Lang::Zh).to_string()))
        .collect()
}

#[test]
fn pdf_gives_the_report_and_findings_of_its_extracted_text() {
    let bytes = fixture("pdf/szfgs2024.pdf");
    assert_eq!(Form::sniff(Some("szfgs2024.pdf"), &bytes), Form::Pdf);
    let r = read_pdf(&bytes);
    assert_eq!(r.form, Form::Pdf);
    let from_pdf = analyse(&r.text);
    let text = String::from_utf8(fixture("seeds/008_huaian_city_gov_2024.txt")).unwrap();
    let from_text = analyse(&text);
    assert_eq!(from_pdf.report.year, Some(2024));
    assert_eq!(from_pdf.report.year, from_text.report.year);
    assert_eq!(from_pdf.report.format, from_text.report.format);
    // Both read every row of every table, with the same values.
    assert_eq!(
        tables_line(&from_pdf.report),
        "tables: 二 whitespace 6/6 rows | 三 whitespace 25/25 rows | 四 whitespace 15/15 cells"
    );
    assert_eq!(
        tables_line(&from_pdf.report),
        tables_line(&from_text.report)
    );
    let v = values(&from_pdf);
    assert!(v.iter().all(|c| !c.contains("None")), "{v:#?}");
    assert_eq!(v, values(&from_text));
    assert_eq!(findings(&from_pdf), findings(&from_text));
}

#[test]
fn pages_are_places() {
    let r = read_pdf(&fixture("pdf/szfgs2024.pdf"));
    let pages = r.text.matches('\u{c}').count();
    assert!(pages >= 2, "{pages} pages");
    assert_eq!(
        r.places.len(),
        pages + usize::from(!r.text.ends_with('\u{c}'))
    );
    // Contiguous, each page numbered in turn.
    let mut end = 0;
    for (i, (range, place)) in r.places.iter().enumerate() {
        assert_eq!(range.start, end);
        assert_eq!(place, &Place::Page { page: i + 1 });
        end = range.end;
    }
    assert_eq!(end, r.text.len());
    // The title is on page 1; table 四 comes after table 三, on a later page or the same.
    assert_eq!(r.place_at(0), Some(&Place::Page { page: 1 }));
    let page_of = |s: &str| match r.place_at(r.text.find(s).unwrap()) {
        Some(Place::Page { page }) => *page,
        p => panic!("{p:?}"),
    };
    let p3 = page_of("本年新收政府信息公开申请数量");
    assert!(p3 > 1, "table 三 on page {p3}");
    assert!(page_of("存在的主要问题") >= p3);
}

#[test]
fn scan_without_text_layer_needs_ocr() {
    let e = read::pdf::read(&fixture("pdf/scan.pdf")).unwrap_err();
    assert!(
        e.get(Lang::Zh).contains("OCR") && e.get(Lang::Zh).contains("文字层"),
        "{}",
        e.get(Lang::Zh)
    );
    assert!(e.get(Lang::En).contains("OCR"), "{}", e.get(Lang::En));
}

#[test]
fn broken_pdf_is_refused_with_the_extractors_reason() {
    let mut truncated = fixture("pdf/szfgs2024.pdf");
    truncated.truncate(2000);
    for bytes in [b"%PDF-1.4\ngarbage".to_vec(), truncated, Vec::new()] {
        let e = read::pdf::read(&bytes).unwrap_err();
        assert!(
            e.get(Lang::Zh).contains("无法读取该 PDF") || e.get(Lang::Zh).contains("OCR"),
            "{}",
            e.get(Lang::Zh)
        );
    }
}

#[test]
fn missing_extractor_says_to_install_poppler() {
    let e = read::pdf::read_with(
        &fixture("pdf/szfgs2024.pdf"),
        "/nonexistent/pdftotext".as_ref(),
        read::pdf::TIMEOUT,
    )
    .unwrap_err();
    assert!(
        e.get(Lang::Zh).contains("poppler-utils"),
        "{}",
        e.get(Lang::Zh)
    );
    assert!(
        e.get(Lang::En).contains("install poppler-utils"),
        "{}",
        e.get(Lang::En)
    );
}

#[test]
fn hanging_extractor_is_stopped_at_the_time_limit() {
    let dir = tempfile::tempdir().unwrap();
    let tool = dir.path().join("pdftotext");
    std::fs::write(&tool, "#!/bin/sh\nexec sleep 30\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    let t = Instant::now();
    let e = read::pdf::read_with(b"%PDF-1.4", tool.as_os_str(), Duration::from_millis(300))
        .unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert!(e.get(Lang::Zh).contains("超时"), "{}", e.get(Lang::Zh));
}
