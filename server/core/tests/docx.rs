//! The .docx reader and write-back, on the official template filled with the seeds'
//! numbers (`tests/fixtures/docx/make.py`), on mutated copies and on broken packages.

use nianbao_core::analysis::{analyze, Analysis};
use nianbao_core::config::Config;
use nianbao_core::diag::{Lang, Severity};
use nianbao_core::read::{docx, Form, Place, Rendering};
use nianbao_core::text::{apply_edits, TextEdit, TextRange};
use std::io::{Cursor, Read, Write};
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(dir().join("docx").join(name)).expect("docx fixture present")
}

fn read(name: &str) -> Rendering {
    docx::read(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {}", e.get(Lang::En)))
}

fn analysis(text: &str) -> Analysis {
    analyze(text, &Config::default())
}

/// Every zip entry: name, compression method, CRC, raw (compressed) bytes.
fn raw_entries(bytes: &[u8]) -> Vec<(String, String, u32, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index_raw(i).expect("entry");
            let mut data = Vec::new();
            f.read_to_end(&mut data).expect("raw data");
            let method = format!("{:?}", f.compression());
            (f.name().unwrap().into_owned(), method, f.crc32(), data)
        })
        .collect()
}

fn entry(bytes: &[u8], name: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut f = z.by_name(name).expect("entry present");
    let mut data = Vec::new();
    f.read_to_end(&mut data).expect("inflate");
    data
}

/// `bytes` with `word/document.xml` replaced (other entries copied raw).
fn with_document(bytes: &[u8], xml: &[u8]) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..z.len() {
        let f = z.by_index_raw(i).unwrap();
        if f.name().unwrap() == "word/document.xml" {
            drop(f);
            out.start_file(
                "word/document.xml",
                zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated),
            )
            .unwrap();
            out.write_all(xml).unwrap();
        } else {
            out.raw_copy_file(f).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

/// A one-entry package holding `body` inside a `w:document`/`w:body` with prefix `p`.
fn package(p: &str, body: &str) -> Vec<u8> {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <{p}:document xmlns:{p}=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
         xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\"><{p}:body>{}</{p}:body></{p}:document>",
        body.replace("w:", &format!("{p}:"))
    );
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    out.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    out.write_all(xml.as_bytes()).unwrap();
    out.finish().unwrap().into_inner()
}

/// Tables 三 (rows of integers), 四 and 二 (row key and values as text).
type Cells = (Vec<Vec<Option<i64>>>, Vec<Option<i64>>, Vec<Vec<String>>);

fn int_cells(a: &Analysis) -> Cells {
    let r = &a.report;
    let t3 = r.table3.as_ref().expect("table 三 read");
    let cells = |row: &nianbao_core::model::Row| -> Vec<Option<i64>> {
        row.cells.iter().flatten().map(|c| c.int()).collect()
    };
    let t3v = t3
        .rows
        .iter()
        .map(|r| r.as_ref().map(cells).unwrap_or_default())
        .collect();
    let t4v = cells(&r.table4.as_ref().expect("table 四 read").row);
    let t2 = r.table2.as_ref().expect("table 二 read");
    let t2v = t2
        .rows
        .iter()
        .map(|(k, row)| {
            let mut v = vec![format!("{k:?}")];
            if let Some(row) = row {
                v.extend(row.cells.iter().flatten().map(|c| format!("{:?}", c.value)));
            }
            v
        })
        .collect();
    (t3v, t4v, t2v)
}

fn codes(a: &Analysis, prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = a
        .diagnostics
        .iter()
        .map(|d| d.rule.code().to_string())
        .filter(|c| c.starts_with(prefix))
        .collect();
    v.sort();
    v
}

const SEEDS: [(&str, &str); 6] = [
    ("seed_000.docx", "000_010db8b7001e9e05.txt"),
    ("seed_001.docx", "001_c6179b2d5830f109.txt"),
    ("seed_002.docx", "002_fb96db60f172c7f1.txt"),
    ("seed_003.docx", "003_353fe64ea44b1a70.txt"),
    ("seed_004.docx", "004_c25dc2a8f623cf43.txt"),
    ("seed_008.docx", "008_huaian_city_gov_2024.txt"),
];

/// The index of 3.其他 of （六）其他处理 and of the 2019 single row in Table3::rows.
const OTHER_SINGLE: usize = 20;
const OTHER_OTHER: usize = 23;

#[test]
fn filled_templates_read_like_their_seeds() {
    for (docx_name, seed) in SEEDS {
        let r = read(docx_name);
        assert_eq!(r.form, Form::Docx);
        let a = analysis(&r.text);
        let src = std::fs::read_to_string(dir().join("seeds").join(seed)).unwrap();
        let b = analysis(&src);
        let (d3, d4, d2) = int_cells(&a);
        let (mut s3, s4, s2) = int_cells(&b);
        // A seed with the 2019 single （六）其他处理 row was filled into 3.其他, the other
        // two sub-rows with zeros.
        if !s3[OTHER_SINGLE].is_empty() {
            s3[OTHER_OTHER] = std::mem::take(&mut s3[OTHER_SINGLE]);
            s3[OTHER_OTHER - 1] = vec![Some(0); 7];
            s3[OTHER_OTHER - 2] = vec![Some(0); 7];
        }
        assert_eq!(d3, s3, "{docx_name}: table 三");
        assert_eq!(d4, s4, "{docx_name}: table 四");
        assert_eq!(d2, s2, "{docx_name}: table 二");
        assert_eq!(codes(&a, "NB3"), codes(&b, "NB3"), "{docx_name}");
        assert_eq!(codes(&a, "NB2"), Vec::<String>::new(), "{docx_name}");
        let loud: Vec<String> = a
            .diagnostics
            .iter()
            .filter(|d| matches!(d.severity, Severity::Error | Severity::Warning))
            .map(|d| format!("{} {}", d.rule.code(), d.message.get(Lang::En)))
            .collect();
        assert!(loud.is_empty(), "{docx_name}: {loud:?}");
    }
}

#[test]
fn variants_of_the_xml_read_the_same() {
    let plain = read("seed_008.docx");
    // Split runs, another prefix, headings numbered by Word (numbering.xml): the same text.
    for name in [
        "seed_008_split_runs.docx",
        "seed_008_prefix.docx",
        "seed_008_numbered.docx",
        // Saved again by LibreOffice Writer (make_lo.sh): its own XML, numbering and styles.
        "lo_seed_008.docx",
        "lo_seed_008_numbered.docx",
    ] {
        let r = read(name);
        assert_eq!(r.text, plain.text, "{name}");
        assert_eq!(r.places, plain.places, "{name}");
    }
}

fn place_of(r: &Rendering, text: &str) -> Place {
    let at = r
        .text
        .find(text)
        .unwrap_or_else(|| panic!("{text} in rendering"));
    assert_eq!(r.text.matches(text).count(), 1, "{text} is unique");
    r.place_at(at).cloned().expect("a place")
}

#[test]
fn places_follow_the_grid_and_the_paragraphs() {
    let r = read("seed_008.docx");
    // Table 三 (the 2nd table): the label of 一 spans grid columns 1–3, so 自然人 is column
    // 4 and 总计 column 10; （一）予以公开 is row 6 (after three header rows and 一, 二).
    let row = r
        .text
        .lines()
        .find(|l| l.contains("（一）予以公开"))
        .unwrap();
    assert_eq!(
        row,
        "| 三、本年度办理结果 | （一）予以公开 | 1288 | 21 | 0 | 0 | 50 | 3 | 1362 |"
    );
    let cell = |t, row, col| Place::Cell { table: t, row, col };
    assert_eq!(place_of(&r, "1288 |"), cell(2, 6, 4));
    assert_eq!(
        r.place_at(r.text.find("1362").unwrap()),
        Some(&cell(2, 6, 10))
    );
    assert_eq!(place_of(&r, "（一）予以公开"), cell(2, 6, 2));
    // A label cell continued downwards (vMerge) is empty and placed at its first row.
    let at = r.text.find("（二）部分公开").unwrap();
    let line = r.text[..at].rfind('\n').unwrap() + 1;
    assert_eq!(&r.text[line..at], "|  | ");
    assert_eq!(r.place_at(line + 1), Some(&cell(2, 6, 1)));
    // 1.属于国家秘密: column 3 of the row where （三）不予公开 starts (row 8).
    assert_eq!(place_of(&r, "1.属于国家秘密"), cell(2, 8, 3));
    assert_eq!(place_of(&r, "2.其他法律行政法规禁止公开"), cell(2, 9, 3));
    // Table 四: the value row is row 4, its 15 cells columns 1..15.
    let last = r.text.lines().filter(|l| l.starts_with("| 72 |")).count();
    assert_eq!(last, 1);
    let t4 = r.text.find("| 72 |").unwrap() + 2;
    assert_eq!(r.place_at(t4), Some(&cell(3, 4, 1)));
    let twenty = r.text.rfind("| 20 |").unwrap() + 2;
    assert_eq!(r.place_at(twenty), Some(&cell(3, 4, 15)));
    // Table 二: 行政许可's value spans columns 2–4 and is at column 2.
    assert_eq!(place_of(&r, "447228"), cell(1, 7, 2));
    // Paragraphs: empty ones are not counted.
    assert_eq!(
        place_of(&r, "淮安市人民政府2024年政府信息公开工作年度报告"),
        Place::Paragraph { index: 1 }
    );
    assert_eq!(place_of(&r, "一、总体情况"), Place::Paragraph { index: 2 });
    assert_eq!(
        place_of(&r, "六、其他需要报告的事项"),
        Place::Paragraph { index: 9 }
    );
    // Places are sorted, do not overlap, and lie on char boundaries.
    for w in r.places.windows(2) {
        assert!(w[0].0.end <= w[1].0.start, "{:?}", w);
    }
    for (range, _) in &r.places {
        assert!(r.text.is_char_boundary(range.start) && r.text.is_char_boundary(range.end));
    }
}

#[test]
fn the_empty_template_gives_blank_cells_and_nothing_else() {
    let r = read("template.docx");
    let a = analysis(&r.text);
    let mut per_table = [0usize; 4];
    for d in &a.diagnostics {
        match d.rule.code() {
            "NB205" => match r.place_at(d.range.start) {
                Some(Place::Cell { table, .. }) => per_table[*table] += 1,
                p => panic!("NB205 at {p:?}"),
            },
            "NB204" => {
                assert!(
                    matches!(
                        r.place_at(d.range.start),
                        Some(Place::Cell { table: 3, .. })
                    ),
                    "NB204 is table 四's empty row"
                );
                per_table[0] += 1;
            }
            c => assert!(
                matches!(d.severity, Severity::Hint | Severity::Information),
                "{c}: {}",
                d.message.get(Lang::En)
            ),
        }
    }
    // Table 二: 6 + 1 + 2 + 1 value cells; table 三: 25 rows × 7.
    assert_eq!(per_table, [1, 10, 175, 0]);
}

/// Replace the only occurrence of `old` in the document XML of `name`.
fn mutated(name: &str, old: &str, new: &str) -> Vec<u8> {
    let bytes = fixture(name);
    let xml = String::from_utf8(entry(&bytes, "word/document.xml")).unwrap();
    assert_eq!(xml.matches(old).count(), 1, "{old} once in {name}");
    with_document(&bytes, xml.replace(old, new).as_bytes())
}

#[test]
fn a_wrong_cell_is_found_at_its_place_and_fix_restores_it() {
    for (name, old, new) in [
        ("seed_008.docx", ">1362</w:t>", ">1363</w:t>"),
        // The value is in two runs ("13" "62"): the fix writes the first, clears the second.
        ("seed_008_split_runs.docx", ">62</w:t>", ">63</w:t>"),
    ] {
        let original = fixture(name);
        let bytes = mutated(name, old, new);
        let r = docx::read(&bytes).unwrap();
        let a = analysis(&r.text);
        let nb301: Vec<_> = a
            .diagnostics
            .iter()
            .filter(|d| d.rule.code() == "NB301")
            .collect();
        assert_eq!(nb301.len(), 1, "{name}: {:?}", codes(&a, "NB"));
        assert_eq!(
            r.place_at(nb301[0].range.start),
            Some(&Place::Cell {
                table: 2,
                row: 6,
                col: 10
            }),
            "{name}"
        );
        let edits = nianbao_core::fix::fix_all(&r.text, &a.report);
        assert!(!edits.is_empty());
        let fixed = docx::write_back(&bytes, &r, &edits).expect("written back");
        let again = docx::read(&fixed).unwrap();
        assert_eq!(
            again.text,
            read(name).text,
            "{name}: reads as before the mutation"
        );
        assert!(
            analysis(&again.text)
                .diagnostics
                .iter()
                .all(|d| !d.rule.code().starts_with("NB3")),
            "{name}"
        );
        // Every other entry byte for byte as it was, in the same order.
        let before = raw_entries(&bytes);
        let after = raw_entries(&fixed);
        assert_eq!(before.len(), after.len());
        for (b, f) in before.iter().zip(&after) {
            assert_eq!(b.0, f.0, "order of entries");
            if b.0 != "word/document.xml" {
                assert_eq!(b, f, "{name}: entry {} unchanged", b.0);
            }
        }
        // document.xml: only the cell's text changed.
        let x0 = entry(&bytes, "word/document.xml");
        let x1 = entry(&fixed, "word/document.xml");
        if name == "seed_008.docx" {
            assert_eq!(
                x1,
                entry(&original, "word/document.xml"),
                "restored exactly"
            );
        } else {
            let s0 = String::from_utf8(x0).unwrap();
            let s1 = String::from_utf8(x1).unwrap();
            assert_eq!(
                s1,
                s0.replacen(">13</w:t>", ">1362</w:t>", 1)
                    .replace(">63</w:t>", "></w:t>"),
                "the first run holds the value, the second is emptied"
            );
        }
    }
}

#[test]
fn a_libreoffice_file_is_fixed_in_place() {
    let bytes = fixture("lo_seed_008_wrong_total.docx");
    let r = docx::read(&bytes).unwrap();
    let a = analysis(&r.text);
    let found: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.rule.code() == "NB301")
        .map(|d| r.place_at(d.range.start).cloned())
        .collect();
    assert_eq!(
        found,
        [Some(Place::Cell {
            table: 2,
            row: 6,
            col: 10
        })]
    );
    let edits = nianbao_core::fix::fix_all(&r.text, &a.report);
    let fixed = docx::write_back(&bytes, &r, &edits).unwrap();
    assert_eq!(
        docx::read(&fixed).unwrap().text,
        read("lo_seed_008.docx").text
    );
    for (b, f) in raw_entries(&bytes).iter().zip(&raw_entries(&fixed)) {
        assert_eq!(b.0, f.0);
        if b.0 != "word/document.xml" {
            assert_eq!(b, f, "entry {} unchanged", b.0);
        }
    }
    let x0 = String::from_utf8(entry(&bytes, "word/document.xml")).unwrap();
    let x1 = String::from_utf8(entry(&fixed, "word/document.xml")).unwrap();
    assert_eq!(x0.matches(">1363<").count(), 1);
    assert_eq!(x1, x0.replace(">1363<", ">1362<"));
}

#[test]
fn a_blank_cell_gets_a_run_with_the_cells_formatting() {
    let bytes = fixture("template.docx");
    let r = docx::read(&bytes).unwrap();
    // 一、本年新收 · 自然人: an empty cell with no w:t.
    let (range, _) = r
        .places
        .iter()
        .find(|(_, p)| {
            *p == Place::Cell {
                table: 2,
                row: 4,
                col: 4,
            }
        })
        .cloned()
        .unwrap();
    // The place covers the two spaces between the pipes.
    assert_eq!(&r.text[range.start..range.end], "  ");
    let edit = TextEdit {
        range: TextRange::new(range.start + 1, range.start + 1),
        new_text: "7".into(),
    };
    let fixed = docx::write_back(&bytes, &r, std::slice::from_ref(&edit)).unwrap();
    let again = docx::read(&fixed).unwrap();
    assert_eq!(again.text, apply_edits(&r.text, &[edit]));
    let x0 = String::from_utf8(entry(&bytes, "word/document.xml")).unwrap();
    let x1 = String::from_utf8(entry(&fixed, "word/document.xml")).unwrap();
    let end = x1.find(">7</w:t></w:r>").unwrap() + ">7</w:t></w:r>".len();
    let at = x1[..end].rfind("<w:r>").unwrap();
    let added = &x1[at..end];
    assert!(added.starts_with("<w:r><w:rPr>"), "{added}");
    assert!(added.ends_with(">7</w:t></w:r>"), "{added}");
    assert_eq!(format!("{}{}", &x1[..at], &x1[at + added.len()..]), x0);
}

#[test]
fn write_back_refuses_what_it_cannot_do() {
    let bytes = fixture("seed_008.docx");
    let r = docx::read(&bytes).unwrap();
    // An edit in a paragraph.
    let at = r.text.find("一、总体情况").unwrap();
    let e = TextEdit {
        range: TextRange::new(at, at + 3),
        new_text: "二".into(),
    };
    let err = docx::write_back(&bytes, &r, &[e]).unwrap_err();
    assert!(
        err.get(Lang::Zh).contains("单元格"),
        "{}",
        err.get(Lang::Zh)
    );
    assert!(
        err.get(Lang::En).contains("table cell"),
        "{}",
        err.get(Lang::En)
    );
    // An edit across two cells.
    let at = r.text.find("1288 | 21").unwrap();
    let e = TextEdit {
        range: TextRange::new(at, at + 9),
        new_text: "1".into(),
    };
    assert!(docx::write_back(&bytes, &r, &[e]).is_err());
    // Ranges inside a character or past the end.
    let at = r.text.find("一、总体情况").unwrap();
    for range in [
        TextRange::new(at + 1, at + 2),
        TextRange::new(r.text.len() + 5, r.text.len() + 6),
    ] {
        let e = TextEdit {
            range,
            new_text: "1".into(),
        };
        assert!(docx::write_back(&bytes, &r, &[e]).is_err());
    }
    // A rendering of another file.
    let other = read("seed_000.docx");
    let err = docx::write_back(&bytes, &other, &[]).unwrap_err();
    assert!(err.get(Lang::En).contains("not what was read"));
}

#[test]
fn broken_packages_get_messages() {
    for (name, zh, en) in [
        ("bad_bomb.docx", "64 MB", "64 MB"),
        ("bad_xlsx.docx", "Excel", "Excel"),
        (
            "bad_truncated.docx",
            "损坏或不完整",
            "damaged or incomplete",
        ),
        ("bad_xml.docx", "不是有效的 XML", "not valid XML"),
    ] {
        let t = std::time::Instant::now();
        let err = docx::read(&fixture(name)).unwrap_err();
        assert!(
            err.get(Lang::Zh).contains(zh),
            "{name}: {}",
            err.get(Lang::Zh)
        );
        assert!(
            err.get(Lang::En).contains(en),
            "{name}: {}",
            err.get(Lang::En)
        );
        assert!(t.elapsed().as_secs() < 5, "{name} refused quickly");
    }
    for bytes in [&b""[..], b"PK", b"PK\x03\x04garbage", b"# a Markdown draft"] {
        let err = docx::read(bytes).unwrap_err();
        assert!(!err.get(Lang::Zh).is_empty() && !err.get(Lang::En).is_empty());
    }
    // A zip without word/document.xml.
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    z.start_file("readme.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(b"hi").unwrap();
    let bytes = z.finish().unwrap().into_inner();
    let err = docx::read(&bytes).unwrap_err();
    assert!(err.get(Lang::En).contains("no word/document.xml"));
}

#[test]
fn any_prefix_or_flipped_byte_is_read_or_refused_never_a_panic() {
    let bytes = fixture("seed_008.docx");
    for n in (0..bytes.len()).step_by(331) {
        let _ = docx::read(&bytes[..n]);
    }
    let xml = entry(&bytes, "word/document.xml");
    for n in (0..xml.len()).step_by(4099) {
        let _ = docx::read(&with_document(&bytes, &xml[..n]));
    }
    let mut flipped = bytes.clone();
    for i in (30..bytes.len()).step_by(97) {
        flipped[i] ^= 0x55;
        let _ = docx::read(&flipped);
        flipped[i] = bytes[i];
    }
}

#[test]
fn runs_fields_revisions_and_nested_tables() {
    let body = r#"
<w:p><w:r><w:t>一、总体</w:t></w:r><w:ins><w:r><w:t>情况</w:t></w:r></w:ins><w:del><w:r><w:delText>删掉</w:delText></w:r></w:del></w:p>
<w:p/>
<w:p><w:r><w:t xml:space="preserve">共 </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> = 1+2 </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:tab/><w:t>件&amp;次</w:t><w:br/><w:t>第二行</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>主动公开政府信息情况</w:t></w:r></w:p>
<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing/></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>
<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>
<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr><w:tc><w:p><w:r><w:t>a|b</w:t></w:r></w:p><w:p><w:r><w:t>c</w:t></w:r></w:p></w:tc><w:tc><w:p><w:fldSimple w:instr="PAGE"><w:r><w:t>9</w:t></w:r></w:fldSimple></w:p></w:tc></w:tr>
<w:tr><w:trPr><w:del w:id="1" w:author="a"/></w:trPr><w:tc><w:p><w:r><w:delText>删行</w:delText></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:tbl><w:tr><w:tc><w:p><w:r><w:t>内</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>表</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p/></w:tc><w:tc><w:p><w:r><w:t>5</w:t></w:r></w:p></w:tc></w:tr>
</w:tbl>
<w:p><w:r><w:ruby><w:rt><w:r><w:t>wán</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>完</w:t></w:r></w:rubyBase></w:ruby></w:r></w:p>"#;
    for prefix in ["w", "wx"] {
        let r = docx::read(&package(prefix, body)).unwrap();
        assert_eq!(
            r.text,
            "一、总体情况\n\n共 3\t件&次\n第二行\n主动公开政府信息情况\n\n| a｜b c | 9 |\n| 内 表 | 5 |\n完\n",
            "prefix {prefix}"
        );
        let cell = |row, col| Place::Cell { table: 1, row, col };
        assert_eq!(r.place_at(r.text.find("a｜b").unwrap()), Some(&cell(1, 2)));
        assert_eq!(r.place_at(r.text.find('9').unwrap()), Some(&cell(1, 3)));
        // Row 2 was deleted with tracked changes: not read, still counted.
        assert_eq!(r.place_at(r.text.find("内").unwrap()), Some(&cell(3, 1)));
        assert_eq!(r.place_at(r.text.find('5').unwrap()), Some(&cell(3, 3)));
        assert_eq!(
            r.place_at(r.text.find("第二行").unwrap()),
            Some(&Place::Paragraph { index: 2 })
        );
        assert_eq!(
            r.place_at(r.text.find("完").unwrap()),
            Some(&Place::Paragraph { index: 4 })
        );
    }
}

#[test]
fn the_main_part_is_found_through_the_package_relationship() {
    let bytes = package("w", "<w:p><w:r><w:t>正文</w:t></w:r></w:p>");
    let xml = entry(&bytes, "word/document.xml");
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default();
    z.start_file("_rels/.rels", o).unwrap();
    z.write_all(
        br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/document2.xml"/></Relationships>"#,
    )
    .unwrap();
    z.start_file("word/document2.xml", o).unwrap();
    z.write_all(&xml).unwrap();
    let bytes = z.finish().unwrap().into_inner();
    assert_eq!(docx::read(&bytes).unwrap().text, "正文\n");
}

#[test]
fn a_document_without_a_body_is_refused() {
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    z.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    z.write_all(b"<?xml version=\"1.0\"?><root><p>x</p></root>")
        .unwrap();
    let bytes = z.finish().unwrap().into_inner();
    let err = docx::read(&bytes).unwrap_err();
    assert!(
        err.get(Lang::En).contains("no body"),
        "{}",
        err.get(Lang::En)
    );
}

#[test]
fn cells_can_be_rewritten_and_read_back_as_written() {
    let bytes = fixture("seed_008_split_runs.docx");
    let r = docx::read(&bytes).unwrap();
    let cells: Vec<&(TextRange, Place)> = r
        .places
        .iter()
        .filter(|(_, p)| matches!(p, Place::Cell { .. }))
        .collect();
    // One place per w:tc: table 二 30 cells; table 三 2 + 4 + 8 header cells, 8 for 一
    // and 二 each, 9 for （一）, （二） and （七）, 10 for each of the 19 numbered sub-rows, 8
    // for 四; table 四 2 + 7 + 15 + 15.
    assert_eq!(cells.len(), 30 + (14 + 16 + 27 + 190 + 8) + 39);
    let (mut written, mut refused) = (0, 0);
    // Every 5th cell (each write-back deflates the document again, slow in debug builds).
    for (range, place) in cells.iter().step_by(5) {
        // The cell's text, without the spaces next to its pipes.
        let edit = TextEdit {
            range: TextRange::new(range.start + 1, range.end - 1),
            new_text: "9".into(),
        };
        match docx::write_back(&bytes, &r, std::slice::from_ref(&edit)) {
            Ok(fixed) => {
                let again = docx::read(&fixed).unwrap();
                assert_eq!(again.text, apply_edits(&r.text, &[edit]), "{place:?}");
                assert_eq!(again.places.len(), r.places.len(), "{place:?}");
                written += 1;
            }
            Err(e) => {
                // Refused: a cell continued from the row above (vMerge), which has no
                // paragraph of its own to write into, or an edit over a line break
                // (a label written on two lines: "尚未" <w:br/> "审结"), which would stay.
                let text = &r.text[range.start..range.end];
                assert!(
                    text == "  " || text.trim().contains(' '),
                    "{place:?} {text:?}: {}",
                    e.get(Lang::En)
                );
                refused += 1;
            }
        }
    }
    assert!(
        written > 40 && refused > 0,
        "{written} written, {refused} refused"
    );
}
