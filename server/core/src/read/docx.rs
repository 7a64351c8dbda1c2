//! Word documents (.docx, Word 2007+ and WPS): paragraphs and tables of `word/document.xml`.
//!
//! The rendering is what the parser reads as a draft: each body paragraph on a line of
//! its own (a `w:br` starts a new line of the same paragraph, a `w:tab` is a tab), each
//! table row as one pipe-table line `| a | b | … |`, one cell per `w:tc` (a horizontally
//! merged cell, `w:gridSpan`, is one cell; a vertically merged cell continued from the
//! row above, `w:vMerge` without `restart`, is an empty cell). Text is the text of the
//! `w:t` runs (field results included, field codes `w:instrText` and deleted text
//! `w:delText`/`w:del`/`w:moveFrom` left out); text boxes (`w:txbxContent`) and the
//! `mc:Fallback` copy of drawings are left out. A table inside a cell is read as text of
//! that cell. Numbers that Word generates for numbered body paragraphs (`w:numPr`, directly
//! or through the paragraph's style) are not in `document.xml`: they are computed from
//! `word/numbering.xml` and `word/styles.xml` ([`numbering`]) and put before the
//! paragraph's text ("一、" + "总体情况"), since the parser finds sections by their numbers.
//! Numbered paragraphs inside table cells get no number (the template's labels are text).
//!
//! Places: a non-empty body paragraph is "第 N 段" (empty paragraphs are not counted, as in
//! Word's statistics); a cell is at its table (top-level tables counted from 1), its row
//! (from 1; a vertically merged cell at the row where it starts) and its first grid column.
//!
//! Write-back re-reads the package, checks that it renders to the same text, and splices
//! each edit into the `w:t` content of its cell in the original XML bytes; every other
//! entry of the package is copied raw.

mod numbering;

use super::{Form, Place, ReadError, Rendering};
use crate::text::{apply_edits, TextEdit, TextRange};
use numbering::Numbering;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use std::io::{Cursor, Read, Write};
use std::ops::Range;

/// The WordprocessingML namespaces (transitional, strict).
const W_NS: [&[u8]; 2] = [
    b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    b"http://purl.oclc.org/ooxml/wordprocessingml/main",
];
const MC_NS: &[u8] = b"http://schemas.openxmlformats.org/markup-compatibility/2006";
/// The main part of a Word package.
const DOCUMENT: &str = "word/document.xml";
/// The most `word/document.xml` may inflate to (a real report is well under 1 MB).
pub const MAX_XML_BYTES: u64 = 64 << 20;

pub fn read(bytes: &[u8]) -> Result<Rendering, ReadError> {
    let (_, _, xml, lists) = open(bytes)?;
    let doc = parse(&xml, &lists)?;
    Ok(doc.rendering())
}

pub fn write_back(
    bytes: &[u8],
    rendering: &Rendering,
    edits: &[TextEdit],
) -> Result<Vec<u8>, ReadError> {
    let (mut archive, index, xml, lists) = open(bytes)?;
    let doc = parse(&xml, &lists)?;
    if doc.text != rendering.text {
        return Err(ReadError::new(
            "文件内容与读取时不同：请重新检查后再修改",
            "the document is not what was read: check it again before fixing it",
        ));
    }
    if edits.is_empty() {
        return Ok(bytes.to_vec());
    }
    let (new_xml, applied) = splice(&xml, &doc, edits)?;
    // The new XML must read as the old text with the edits applied, and nothing else.
    let expected = apply_edits(&doc.text, &applied);
    match parse(&new_xml, &lists) {
        Ok(d) if d.text == expected => {}
        _ => {
            return Err(ReadError::new(
                "无法把修改写入这个 .docx 文件（单元格的结构特殊）：请在 Word 中手工修改",
                "the fix cannot be written into this .docx (the cell is laid out unusually): make it by hand in Word",
            ))
        }
    }
    repack(&mut archive, index, &new_xml).map_err(|e| {
        ReadError::new(
            format!("无法写出 .docx 文件：{e}"),
            format!("the .docx file could not be written: {e}"),
        )
    })
}

// ---------------------------------------------------------------------------------------
// The package

type Archive<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// `word/numbering.xml` and `word/styles.xml`, when the document has lists.
#[derive(Default)]
struct Lists {
    numbering: Option<Vec<u8>>,
    styles: Option<Vec<u8>>,
}

impl Lists {
    fn numbering(&self) -> Numbering {
        Numbering::new(self.numbering.as_deref(), self.styles.as_deref())
    }
}

/// An entry other than the main part, inflated (at most [`MAX_XML_BYTES`]); `None` when
/// it is missing or cannot be read (the document is then read without it).
fn optional_entry(archive: &mut Archive<'_>, name: &str) -> Option<Vec<u8>> {
    let file = archive.by_name(name).ok()?;
    if file.size() > MAX_XML_BYTES {
        return None;
    }
    let mut out = Vec::new();
    file.take(MAX_XML_BYTES + 1).read_to_end(&mut out).ok()?;
    (out.len() as u64 <= MAX_XML_BYTES).then_some(out)
}

/// The package, its `word/document.xml` inflated (at most [`MAX_XML_BYTES`]), and the
/// parts that say how its numbered paragraphs are numbered.
fn open(bytes: &[u8]) -> Result<(Archive<'_>, usize, Vec<u8>, Lists), ReadError> {
    if !bytes.starts_with(b"PK") {
        return Err(not_a_package());
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        ReadError::new(
            format!("这个 .docx 文件已损坏或不完整（{e}）：请在 Word 或 WPS 中打开并重新保存"),
            format!(
                "this .docx file is damaged or incomplete ({e}): open it in Word or WPS and save it again"
            ),
        )
    })?;
    let Some(index) = main_part(&mut archive) else {
        let names: Vec<String> = archive
            .file_names()
            .flatten()
            .map(|n| n.into_owned())
            .collect();
        let what = if names.iter().any(|n| n.starts_with("xl/")) {
            Some(("Excel 工作簿（.xlsx）", "an Excel workbook (.xlsx)"))
        } else if names.iter().any(|n| n.starts_with("ppt/")) {
            Some((
                "PowerPoint 演示文稿（.pptx）",
                "a PowerPoint presentation (.pptx)",
            ))
        } else if names.iter().any(|n| n == "content.xml") {
            Some(("OpenDocument 文件（.odt）", "an OpenDocument file (.odt)"))
        } else {
            None
        };
        return Err(match what {
            Some((zh, en)) => ReadError::new(
                format!("这是{zh}，不是 Word 文档：请把年度报告另存为 .docx 后再检查"),
                format!("this is {en}, not a Word document: save the report as .docx and check that"),
            ),
            None => ReadError::new(
                "压缩包中没有 word/document.xml，不是 Word 文档：请把年度报告另存为 .docx 后再检查",
                "the package has no word/document.xml, so it is not a Word document: save the report as .docx and check that",
            ),
        });
    };
    let damaged = |e: &dyn std::fmt::Display| {
        ReadError::new(
            format!("这个 .docx 文件中的 word/document.xml 已损坏（{e}）：请在 Word 或 WPS 中打开并重新保存"),
            format!(
                "word/document.xml in this .docx file is damaged ({e}): open it in Word or WPS and save it again"
            ),
        )
    };
    let mut xml = Vec::new();
    {
        let file = archive.by_index(index).map_err(|e| damaged(&e))?;
        if file.size() > MAX_XML_BYTES {
            return Err(too_big());
        }
        let mut limited = file.take(MAX_XML_BYTES + 1);
        limited.read_to_end(&mut xml).map_err(|e| damaged(&e))?;
    }
    if xml.len() as u64 > MAX_XML_BYTES {
        return Err(too_big());
    }
    let mut lists = Lists::default();
    if memchr::memmem::find(&xml, b"numPr").is_some()
        || memchr::memmem::find(&xml, b"pStyle").is_some()
    {
        lists.numbering = optional_entry(&mut archive, "word/numbering.xml");
        if lists.numbering.is_some() {
            lists.styles = optional_entry(&mut archive, "word/styles.xml");
        }
    }
    Ok((archive, index, xml, lists))
}

fn not_a_package() -> ReadError {
    ReadError::new(
        "这个文件不是 .docx（不是 zip 压缩包）：请在 Word 或 WPS 中打开，另存为 .docx 后再检查",
        "this file is not a .docx (it is not a zip package): open it in Word or WPS, save it as .docx and check that",
    )
}

fn too_big() -> ReadError {
    ReadError::new(
        format!(
            "word/document.xml 解压后超过 {} MB，不像年度报告：请检查文件是否正确",
            MAX_XML_BYTES >> 20
        ),
        format!(
            "word/document.xml inflates to more than {} MB, which no annual report does: check that this is the right file",
            MAX_XML_BYTES >> 20
        ),
    )
}

/// The index of the main document part: `word/document.xml`, or the target of the
/// package's `officeDocument` relationship (`_rels/.rels`) when a generator named it
/// otherwise.
fn main_part(archive: &mut Archive<'_>) -> Option<usize> {
    if let Some(i) = archive.index_for_name(DOCUMENT) {
        return Some(i);
    }
    let rels = optional_entry(archive, "_rels/.rels")?;
    let mut r = quick_xml::Reader::from_reader(&rels[..]);
    loop {
        match r.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"Relationship" => {
                let attr = |name: &[u8]| {
                    e.attributes().flatten().find_map(|a| {
                        (a.key.local_name().as_ref() == name)
                            .then(|| String::from_utf8_lossy(&a.value).into_owned())
                    })
                };
                let kind = attr(b"Type").unwrap_or_default();
                if kind.ends_with("/officeDocument") {
                    let target = attr(b"Target")?;
                    let target = target.trim_start_matches('/');
                    return archive.index_for_name(target);
                }
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

/// The package with its main part (entry `index`) replaced by `xml`; every other entry
/// copied raw (its compressed bytes, CRC and times as they were), in the same order.
fn repack(archive: &mut Archive<'_>, index: usize, xml: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(
        archive.clone().into_inner().get_ref().len() + 4096,
    )));
    for i in 0..archive.len() {
        if i == index {
            let file = archive.by_index_raw(i)?;
            let name = file.name()?.into_owned();
            let mut options = zip::write::SimpleFileOptions::default()
                .compression_method(match file.compression() {
                    zip::CompressionMethod::Stored => zip::CompressionMethod::Stored,
                    _ => zip::CompressionMethod::Deflated,
                })
                .large_file(xml.len() as u64 >= u32::MAX as u64);
            if let Some(t) = file.last_modified() {
                options = options.last_modified_time(t);
            }
            drop(file);
            out.start_file(name, options)?;
            out.write_all(xml)?;
        } else {
            let file = archive.by_index_raw(i)?;
            out.raw_copy_file(file)?;
        }
    }
    let comment = archive.comment().to_vec();
    if !comment.is_empty() {
        out.set_raw_comment(comment.into_boxed_slice())?;
    }
    Ok(out.finish()?.into_inner())
}

// ---------------------------------------------------------------------------------------
// The XML

/// `word/document.xml` read: the rendering, and for each cell where its text is in the XML.
struct Doc {
    text: String,
    places: Vec<(TextRange, Place)>,
    cells: Vec<CellSrc>,
}

impl Doc {
    fn rendering(self) -> Rendering {
        Rendering {
            form: Form::Docx,
            text: self.text,
            places: self.places,
        }
    }
}

/// A cell's text in the rendering and where each piece of it is in the XML.
struct CellSrc {
    range: TextRange,
    /// The `w:t` elements of the cell: their text's range in the rendering and their
    /// content's byte range in the XML.
    pieces: Vec<(TextRange, Range<usize>)>,
    /// Where a run can be added when the cell has no `w:t`: the byte offset of the end
    /// tag of its first paragraph, the paragraph mark's run properties (raw XML) and the
    /// prefix the document uses for the WordprocessingML namespace.
    insert: Option<(usize, String, String)>,
}

/// A cell being read.
#[derive(Default)]
struct CellBuf {
    text: String,
    /// Ranges in `text` and in the XML.
    pieces: Vec<(Range<usize>, Range<usize>)>,
    span: usize,
    /// `Some(true)` restart, `Some(false)` continue.
    vmerge: Option<bool>,
    hmerge_continue: bool,
    paragraphs: usize,
    /// A paragraph (or inner table) boundary was passed: a space goes before more text.
    pending_space: bool,
    insert: Option<(usize, String, String)>,
}

struct RowCell {
    text: String,
    pieces: Vec<(Range<usize>, Range<usize>)>,
    col: usize,
    row: usize,
    insert: Option<(usize, String, String)>,
}

#[derive(Default)]
struct RowBuf {
    col: usize,
    cells: Vec<RowCell>,
    /// A row deleted with tracked changes (`w:trPr/w:del`): counted, not read.
    deleted: bool,
}

#[derive(Default)]
struct TableBuf {
    rows: usize,
    /// For each grid column, the row where the vertical merge covering it started.
    vorigin: Vec<Option<usize>>,
    row: Option<RowBuf>,
    cell: Option<CellBuf>,
}

fn xml_error(what: impl std::fmt::Display, at: u64) -> ReadError {
    ReadError::new(
        format!(
            "这个 .docx 文件中的 word/document.xml 不是有效的 XML（第 {at} 字节：{what}）：请在 Word 或 WPS 中打开并重新保存"
        ),
        format!(
            "word/document.xml in this .docx file is not valid XML (byte {at}: {what}): open it in Word or WPS and save it again"
        ),
    )
}

/// Text of a cell goes on one pipe-table line: no line breaks, no pipes.
fn push_cell_char(buf: &mut String, c: char) {
    match c {
        '|' => buf.push('｜'),
        '\n' | '\r' | '\t' => buf.push(' '),
        c => buf.push(c),
    }
}

fn parse(xml: &[u8], lists: &Lists) -> Result<Doc, ReadError> {
    let mut numbering = lists.numbering();
    // The body paragraph's numPr and style.
    let mut num: (Option<u32>, Option<usize>, Option<String>) = (None, None, None);
    let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
    let src = std::str::from_utf8(xml).map_err(|e| {
        ReadError::new(
            format!("word/document.xml 不是 UTF-8 编码（第 {} 字节）：请在 Word 或 WPS 中打开并重新保存", e.valid_up_to()),
            format!("word/document.xml is not UTF-8 (byte {}): open it in Word or WPS and save it again", e.valid_up_to()),
        )
    })?;
    // Offsets below are into `src` (after a BOM, if there is one).
    let mut reader = NsReader::from_str(src);
    reader.config_mut().check_end_names = true;

    let mut out = Doc {
        text: String::with_capacity(src.len() / 8),
        places: Vec::new(),
        cells: Vec::new(),
    };
    let mut paragraph_no = 0usize;
    let mut table_no = 0usize;
    let mut saw_body = false;

    // Element depth, and the depth at which skipping started (0: not skipping).
    let mut depth = 0usize;
    let mut skip_from = 0usize;
    // Tables open (the first is the top-level one; inner ones are read into its cell).
    let mut tables: Vec<TableBuf> = Vec::new();
    // The body paragraph being read (outside tables).
    let mut para: Option<String> = None;
    // Inside `w:t`: its content's start in the XML, and the text start in the buffer.
    let mut in_t: Option<(usize, usize)> = None;
    // Inside `w:pPr` of a cell's first paragraph: where its `w:rPr` starts.
    let mut in_ppr = false;
    let mut rpr_start: Option<usize> = None;
    let mut para_rpr = String::new();
    let mut prefix = String::from("w");

    loop {
        let before = reader.buffer_position() as usize;
        let (ns, event) = match reader.read_resolved_event() {
            Ok(x) => x,
            Err(e) => return Err(xml_error(e, reader.error_position())),
        };
        let is_w = matches!(ns, ResolveResult::Bound(n) if W_NS.contains(&n.as_ref()));
        let is_mc = matches!(ns, ResolveResult::Bound(n) if n.as_ref() == MC_NS);
        let after = reader.buffer_position() as usize;
        // How many tables are open (1: a top-level table; more: a table inside a cell).
        let open = tables.len();
        match event {
            Event::Start(e) => {
                depth += 1;
                if skip_from > 0 {
                    continue;
                }
                let local = e.local_name();
                let name = local.as_ref();
                if (is_w
                    && matches!(
                        name,
                        b"del" | b"moveFrom" | b"txbxContent" | b"instrText" | b"rt"
                    ))
                    || (is_mc && name == b"Fallback")
                {
                    skip_from = depth;
                    continue;
                }
                if !is_w {
                    continue;
                }
                match name {
                    b"body" => saw_body = true,
                    b"tbl" => {
                        if tables.is_empty() {
                            table_no += 1;
                        } else if let Some(c) = tables[0].cell.as_mut() {
                            c.pending_space = true;
                        }
                        tables.push(TableBuf::default());
                    }
                    b"tr" if tables.len() == 1 => {
                        let t = &mut tables[0];
                        t.rows += 1;
                        t.row = Some(RowBuf::default());
                    }
                    b"tc" if tables.len() == 1 => {
                        tables[0].cell = Some(CellBuf {
                            span: 1,
                            ..CellBuf::default()
                        });
                    }
                    b"p" => {
                        if let Some(c) = tables.first_mut().and_then(|t| t.cell.as_mut()) {
                            if c.paragraphs > 0 || open > 1 {
                                c.pending_space = true;
                            }
                            c.paragraphs += 1;
                            if c.paragraphs == 1 && open == 1 {
                                para_rpr.clear();
                                if let Some(p) = e.name().prefix() {
                                    prefix = String::from_utf8_lossy(p.as_ref()).into_owned();
                                } else {
                                    prefix.clear();
                                }
                            }
                        } else if tables.is_empty() {
                            para = Some(String::new());
                            num = (None, None, None);
                        }
                    }
                    b"pPr" => in_ppr = true,
                    b"rPr" if in_ppr => rpr_start = Some(before),
                    b"t" => {
                        let at = match tables.first_mut().and_then(|t| t.cell.as_mut()) {
                            Some(c) => c.text.len(),
                            None => para.as_ref().map_or(0, String::len),
                        };
                        in_t = Some((after, at));
                    }
                    _ => {}
                }
            }
            Event::End(e) => {
                let was_skip = skip_from == depth;
                depth = depth.saturating_sub(1);
                if skip_from > 0 {
                    if was_skip {
                        skip_from = 0;
                    }
                    continue;
                }
                if !is_w {
                    continue;
                }
                let local = e.local_name();
                match local.as_ref() {
                    b"t" => {
                        if let Some((start, at)) = in_t.take() {
                            if let Some(c) = tables.first_mut().and_then(|t| t.cell.as_mut()) {
                                c.pieces.push((at..c.text.len(), start..before));
                            }
                        }
                    }
                    b"pPr" => in_ppr = false,
                    b"rPr" if in_ppr => {
                        if let Some(s) = rpr_start.take() {
                            para_rpr = src[s..after].to_owned();
                        }
                    }
                    b"p" => {
                        if let Some(t) = tables.first_mut() {
                            if open == 1 {
                                if let Some(c) = t.cell.as_mut() {
                                    if c.paragraphs == 1 && c.insert.is_none() {
                                        c.insert = Some((
                                            before,
                                            std::mem::take(&mut para_rpr),
                                            prefix.clone(),
                                        ));
                                    }
                                }
                            }
                        } else if let Some(p) = para.take() {
                            let (id, lvl, style) = std::mem::take(&mut num);
                            let number =
                                if numbering.is_empty() || (id.is_none() && style.is_none()) {
                                    None
                                } else {
                                    numbering.next(id, lvl, style.as_deref())
                                };
                            match number {
                                Some(n) => push_paragraph(&mut out, &mut paragraph_no, &(n + &p)),
                                None => push_paragraph(&mut out, &mut paragraph_no, &p),
                            }
                        }
                    }
                    b"tc" if tables.len() == 1 => {
                        let t = &mut tables[0];
                        if let (Some(mut c), Some(r)) = (t.cell.take(), t.row.as_mut()) {
                            let keep = c.pieces.last().map_or(0, |p| p.0.end);
                            while c.text.len() > keep && c.text.ends_with(' ') {
                                c.text.pop();
                            }
                            let col = r.col + 1;
                            let span = c.span.max(1);
                            if t.vorigin.len() < col + span {
                                t.vorigin.resize(col + span, None);
                            }
                            let (row, text, pieces, insert) = match c.vmerge {
                                Some(false) => {
                                    let origin = t.vorigin[col].unwrap_or(t.rows);
                                    (origin, String::new(), Vec::new(), None)
                                }
                                restart => {
                                    let v = restart.map(|_| t.rows);
                                    for o in &mut t.vorigin[col..col + span] {
                                        *o = v;
                                    }
                                    if c.hmerge_continue {
                                        (t.rows, String::new(), Vec::new(), None)
                                    } else {
                                        (t.rows, c.text, c.pieces, c.insert)
                                    }
                                }
                            };
                            r.col += span;
                            r.cells.push(RowCell {
                                text,
                                pieces,
                                col,
                                row,
                                insert,
                            });
                        }
                    }
                    b"tr" if tables.len() == 1 => {
                        let t = &mut tables[0];
                        if let Some(r) = t.row.take() {
                            push_row(&mut out, table_no, t.rows, r);
                        }
                    }
                    b"tbl" => {
                        let t = tables.pop();
                        if let (Some(mut t), true) = (t, tables.is_empty()) {
                            // A row left open by a damaged file is still shown.
                            if let Some(r) = t.row.take() {
                                push_row(&mut out, table_no, t.rows, r);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Empty(e) => {
                if skip_from > 0 || !is_w {
                    continue;
                }
                let local = e.local_name();
                let name = local.as_ref();
                let val = || -> Option<String> {
                    e.attributes().flatten().find_map(|a| {
                        (a.key.local_name().as_ref() == b"val")
                            .then(|| String::from_utf8_lossy(&a.value).into_owned())
                    })
                };
                let cell = tables.first_mut().and_then(|t| t.cell.as_mut());
                match name {
                    b"tab" | b"br" | b"cr" | b"noBreakHyphen" if !in_ppr => {
                        let c = match name {
                            b"tab" => '\t',
                            b"noBreakHyphen" => '-',
                            _ => '\n',
                        };
                        if let Some(cell) = cell {
                            cell.push(c, &mut None);
                        } else if let Some(p) = para.as_mut() {
                            p.push(c);
                        }
                    }
                    b"gridSpan" if open == 1 => {
                        if let Some(cell) = cell {
                            cell.span = val()
                                .and_then(|v| v.trim().parse().ok())
                                .filter(|&n: &usize| (1..=64).contains(&n))
                                .unwrap_or(1);
                        }
                    }
                    b"vMerge" if open == 1 => {
                        if let Some(cell) = cell {
                            cell.vmerge = Some(val().as_deref() == Some("restart"));
                        }
                    }
                    b"hMerge" if open == 1 => {
                        if let Some(cell) = cell {
                            cell.hmerge_continue = val().as_deref() != Some("restart");
                        }
                    }
                    b"gridBefore" if open == 1 => {
                        if let Some(r) = tables[0].row.as_mut() {
                            r.col = val()
                                .and_then(|v| v.trim().parse().ok())
                                .filter(|&n: &usize| n <= 64)
                                .unwrap_or(0);
                        }
                    }
                    b"rPr" if in_ppr => para_rpr = src[before..after].to_owned(),
                    b"del" if open == 1 => {
                        let t = &mut tables[0];
                        if let (Some(r), None) = (t.row.as_mut(), t.cell.as_ref()) {
                            r.deleted = true;
                        }
                    }
                    b"numId" | b"ilvl" | b"pStyle" if in_ppr && para.is_some() => {
                        let v = val();
                        match name {
                            b"numId" => num.0 = v.and_then(|v| v.trim().parse().ok()),
                            b"ilvl" => num.1 = v.and_then(|v| v.trim().parse().ok()),
                            _ => num.2 = v,
                        }
                    }
                    b"p" => {
                        if let Some(cell) = cell {
                            if cell.paragraphs > 0 {
                                cell.pending_space = true;
                            }
                            cell.paragraphs += 1;
                        } else if tables.is_empty() {
                            // An empty paragraph: an empty line, not counted.
                            out.text.push('\n');
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(e) => {
                if skip_from > 0 || in_t.is_none() {
                    continue;
                }
                let s = e.unescape().map_err(|err| xml_error(err, before as u64))?;
                push_text(&mut tables, &mut para, &mut in_t, &s);
            }
            Event::CData(e) => {
                if skip_from > 0 || in_t.is_none() {
                    continue;
                }
                let s = String::from_utf8_lossy(&e).into_owned();
                push_text(&mut tables, &mut para, &mut in_t, &s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth != 0 {
        return Err(xml_error(
            "文件在元素结束前截断 / truncated before the end of an element",
            src.len() as u64,
        ));
    }
    if !saw_body {
        return Err(ReadError::new(
            "word/document.xml 中没有正文（w:body）：这不像 Word 文档，请在 Word 或 WPS 中打开并另存为 .docx",
            "word/document.xml has no body (w:body): this does not look like a Word document; open it in Word or WPS and save it as .docx",
        ));
    }
    Ok(out)
}

impl CellBuf {
    /// A character of the cell's text. Before the first character after a paragraph
    /// boundary, the space that separates it from the text before (none at the start,
    /// none after a space, none when no text follows: an emptied paragraph adds nothing);
    /// `in_t` (the `w:t` being read, and where its text starts) then starts after it.
    fn push(&mut self, c: char, in_t: &mut Option<(usize, usize)>) {
        if std::mem::take(&mut self.pending_space)
            && !self.text.is_empty()
            && !self.text.ends_with(' ')
        {
            let len = self.text.len();
            self.text.push(' ');
            if let Some((_, at)) = in_t.as_mut().filter(|(_, at)| *at == len) {
                *at = len + 1;
            }
        }
        push_cell_char(&mut self.text, c);
    }
}

fn push_text(
    tables: &mut [TableBuf],
    para: &mut Option<String>,
    in_t: &mut Option<(usize, usize)>,
    s: &str,
) {
    if let Some(c) = tables.first_mut().and_then(|t| t.cell.as_mut()) {
        for ch in s.chars() {
            c.push(ch, in_t);
        }
    } else if tables.is_empty() {
        if let Some(p) = para.as_mut() {
            p.extend(s.chars().map(|c| if c == '\r' { '\n' } else { c }));
        }
    }
}

fn push_paragraph(out: &mut Doc, paragraph_no: &mut usize, p: &str) {
    let start = out.text.len();
    out.text.push_str(p);
    let end = out.text.len();
    out.text.push('\n');
    if !p.trim().is_empty() {
        *paragraph_no += 1;
        out.places.push((
            TextRange::new(start, end),
            Place::Paragraph {
                index: *paragraph_no,
            },
        ));
    }
}

fn push_row(out: &mut Doc, table: usize, _rows: usize, r: RowBuf) {
    if r.cells.is_empty() || r.deleted {
        return;
    }
    out.text.push('|');
    for c in r.cells {
        out.text.push(' ');
        let start = out.text.len();
        out.text.push_str(&c.text);
        let end = out.text.len();
        out.text.push_str(" |");
        let range = TextRange::new(start, end);
        // The place covers the padding too: a blank cell is the space between its pipes.
        out.places.push((
            TextRange::new(start - 1, end + 1),
            Place::Cell {
                table,
                row: c.row,
                col: c.col,
            },
        ));
        out.cells.push(CellSrc {
            range,
            pieces: c
                .pieces
                .into_iter()
                .map(|(t, x)| (TextRange::new(start + t.start, start + t.end), x))
                .collect(),
            insert: c.insert,
        });
    }
    out.text.push('\n');
}

// ---------------------------------------------------------------------------------------
// Write-back

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

fn outside_cell(doc: &Doc, edit: &TextEdit) -> ReadError {
    let line = doc.text[..edit.range.start.min(doc.text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1;
    ReadError::new(
        format!("第 {line} 行的修改不在表格的一个单元格内：.docx 文件只能修改表格单元格中的数字，请在 Word 中手工修改"),
        format!("the fix on line {line} is not inside one table cell: only the numbers in table cells of a .docx can be fixed; make it by hand in Word"),
    )
}

/// The XML with each edit written into the `w:t` of its cell.
/// An edit of one `w:t`: start and end in its text, and the new text.
type LocalEdit = (usize, usize, String);

/// Also the edits as written (an edit of a cell's padding is narrowed to its text).
fn splice(
    xml: &[u8],
    doc: &Doc,
    edits: &[TextEdit],
) -> Result<(Vec<u8>, Vec<TextEdit>), ReadError> {
    let bom = if xml.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let (head, xml) = xml.split_at(bom);
    let Ok(src) = std::str::from_utf8(xml) else {
        return Err(xml_error("UTF-8", 0));
    };
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    for w in sorted.windows(2) {
        if w[1].range.start < w[0].range.end {
            return Err(ReadError::new(
                "修改相互重叠，无法写入 .docx 文件",
                "the fixes overlap and cannot be written into the .docx file",
            ));
        }
    }
    // For each piece (cell, piece index): local edits (start, end, new text).
    let mut local: std::collections::BTreeMap<(usize, usize), Vec<LocalEdit>> = Default::default();
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut applied = Vec::with_capacity(edits.len());
    for edit in sorted {
        let (s, e) = (edit.range.start, edit.range.end);
        if s > e || !doc.text.is_char_boundary(s) || !doc.text.is_char_boundary(e) {
            return Err(ReadError::new(
                "修改的位置不在文本中：请重新检查后再修改",
                "a fix is not at a place in the text: check the document again before fixing it",
            ));
        }
        // A cell's padding (the spaces next to its pipes) belongs to it: an edit of a
        // blank cell may replace the space between the pipes.
        let ci = doc.cells.partition_point(|c| c.range.end + 1 < s);
        let Some(cell) = doc
            .cells
            .get(ci..)
            .into_iter()
            .flatten()
            .take_while(|c| c.range.start <= s + 1)
            .position(|c| c.range.start <= s + 1 && e <= c.range.end + 1)
            .map(|k| ci + k)
        else {
            return Err(outside_cell(doc, edit));
        };
        let r = doc.cells[cell].range;
        let mut new_text = edit.new_text.as_str();
        let (s, e) = (s.max(r.start), e.min(r.end).max(s.max(r.start)));
        if edit.range.start < r.start {
            new_text = new_text.trim_start();
        }
        if edit.range.end > r.end {
            new_text = new_text.trim_end();
        }
        applied.push(TextEdit {
            range: TextRange::new(s, e),
            new_text: new_text.to_owned(),
        });
        let c = &doc.cells[cell];
        let mut hit: Vec<usize> = (0..c.pieces.len())
            .filter(|&k| {
                let r = c.pieces[k].0;
                r.start < e && s < r.end
            })
            .collect();
        if hit.is_empty() {
            if s < e {
                return Err(outside_cell(doc, edit));
            }
            if let Some(k) = (0..c.pieces.len()).find(|&k| {
                let r = c.pieces[k].0;
                r.start <= s && s <= r.end
            }) {
                hit.push(k);
            }
        }
        if hit.is_empty() {
            let Some((at, rpr, prefix)) = &c.insert else {
                return Err(outside_cell(doc, edit));
            };
            let p = if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}:")
            };
            let run = format!(
                "<{p}r>{rpr}<{p}t xml:space=\"preserve\">{}</{p}t></{p}r>",
                escape(new_text)
            );
            inserts.push((*at, run));
            continue;
        }
        for (n, &k) in hit.iter().enumerate() {
            let r = c.pieces[k].0;
            let ls = s.max(r.start) - r.start;
            let le = e.min(r.end).max(s.max(r.start)) - r.start;
            let text = if n == 0 {
                new_text.to_owned()
            } else {
                String::new()
            };
            local.entry((cell, k)).or_default().push((ls, le, text));
        }
    }
    let mut splices: Vec<(Range<usize>, String)> = Vec::new();
    for ((cell, k), mut edits) in local {
        let (trange, xrange) = &doc.cells[cell].pieces[k];
        let old = &doc.text[trange.start..trange.end];
        // The piece's text as it is in the XML must be what the rendering shows.
        let raw = &src[xrange.clone()];
        let unescaped =
            quick_xml::escape::unescape(raw).map_err(|e| xml_error(e, xrange.start as u64))?;
        if unescaped != old {
            return Err(ReadError::new(
                "这个单元格的文字含有无法安全改写的字符：请在 Word 中手工修改",
                "this cell's text has characters that cannot be rewritten safely: make the fix by hand in Word",
            ));
        }
        edits.sort_by_key(|x| (x.0, x.1));
        let mut new = String::with_capacity(old.len() + 8);
        let mut at = 0;
        for (ls, le, t) in edits {
            new.push_str(&old[at..ls]);
            new.push_str(&t);
            at = le;
        }
        new.push_str(&old[at..]);
        splices.push((xrange.clone(), escape(&new)));
    }
    splices.extend(inserts.into_iter().map(|(at, s)| (at..at, s)));
    splices.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = Vec::with_capacity(xml.len() + 64);
    out.extend_from_slice(head);
    let mut at = 0;
    for (r, s) in splices {
        out.extend_from_slice(&xml[at..r.start]);
        out.extend_from_slice(s.as_bytes());
        at = r.end;
    }
    out.extend_from_slice(&xml[at..]);
    Ok((out, applied))
}
