//! What the parser understood of a report. Every piece carries the byte range it
//! was read from, so that rules can point at exactly the text they judge.

use crate::template::{CellRef, Format};
use crate::template::{T2Row, T3Row};
use crate::text::TextRange;

/// How the tables of a report are laid out in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Markdown pipe tables (with or without outer pipes).
    Pipe,
    /// One row per line, cells separated by tabs.
    Tab,
    /// Cells separated by spaces, one per line, or in fixed columns (PDF / web text).
    Whitespace,
    /// Mixed: some rows delimited, some not.
    Mixed,
}

/// The value of a cell as read.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An integer (possibly negative: the rules judge that).
    Int { value: i64 },
    /// A number with a fractional part (money may have one; counts may not).
    Decimal { text: String, value: f64 },
    /// An empty cell.
    Blank,
    /// "/", "—", "无", or other text where a number belongs.
    Text { text: String },
}

/// Digit style of a number as written, so a rewritten cell keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct NumStyle {
    pub fullwidth: bool,
    pub thousands: bool,
    /// Written out in Chinese numerals ("三", "叁拾", "十二"): read as that number,
    /// and NB205 hints to write the digits.
    pub chinese: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// The whole cell text (for a blank cell: the space between its delimiters).
    pub range: TextRange,
    /// The digits only (sign and unit excluded); what a fix rewrites.
    pub number_range: TextRange,
    pub value: Value,
    pub style: NumStyle,
    /// The line is a pipe row (padding may be adjusted on rewrite).
    pub in_pipe_row: bool,
}

impl Cell {
    pub fn int(&self) -> Option<i64> {
        match self.value {
            Value::Int { value } => Some(value),
            _ => None,
        }
    }
}

/// A row matched to the template.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Range of the matched label text.
    pub label_range: TextRange,
    /// The label cell as written on the row's first line (from the matched label to the values).
    pub label_cell: TextRange,
    /// Text of `label_cell`.
    pub label_text: String,
    /// The label is a single delimited cell on one line (variant reporting is reliable).
    pub label_is_cell: bool,
    /// Every value token found for the row, before fitting to the template width.
    pub raw: Vec<Cell>,
    /// The cells, when `raw` fits the template width.
    pub cells: Option<Vec<Cell>>,
    /// The row's digits, when they are glued to the label ("行政规范性文件693665")
    /// or to each other ("1009200101012" where seven cells belong) and the cells cannot be read.
    pub glued: Option<TextRange>,
}

impl Row {
    pub fn range(&self) -> TextRange {
        self.raw
            .iter()
            .fold(self.label_range, |r, c| r.cover(c.range))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table2 {
    pub range: TextRange,
    /// The template the table follows: 2019 when it carries 2019 words (`markers_2019`), else 2021.
    pub format: Format,
    /// Rows by key of the rows of [`crate::template::table2_blocks`]`(format)`, in template order.
    pub rows: Vec<(T2Row, Option<Row>)>,
    pub layout: Layout,
    /// Words of the 2019 table found (NB501).
    pub markers_2019: Vec<(TextRange, String)>,
    /// Labels of rows that carry values but are not in the template.
    pub unknown: Vec<TextRange>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table3 {
    pub range: TextRange,
    /// Indexed like [`crate::template::TABLE3_ROWS`].
    pub rows: Vec<Option<Row>>,
    pub layout: Layout,
    /// Row labels were found out of template order: values cannot be trusted.
    pub disordered: bool,
    /// Labels of rows that carry values but are not in the template.
    pub unknown: Vec<TextRange>,
}

impl Table3 {
    pub fn row(&self, key: T3Row) -> Option<&Row> {
        self.rows[key.index()].as_ref()
    }
    /// Was this row seen with values of its own?
    pub fn has_values(&self, key: T3Row) -> bool {
        self.row(key).map(|r| !r.raw.is_empty()).unwrap_or(false)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table4 {
    pub range: TextRange,
    pub row: Row,
    pub layout: Layout,
}

/// How a numbered top-level heading was understood.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadingKind {
    /// Heading of section `section` (0-based), first occurrence.
    Section { section: usize },
    /// A second heading for a section already seen.
    Duplicate { section: usize },
    /// A top-level number inside a section that starts no section.
    Stray,
    /// A heading of the 2008 structure ("收费及减免情况").
    Pre2019,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Heading {
    /// From the numeral to the end of the title.
    pub range: TextRange,
    pub line: usize,
    /// 1 for 一, 2 for 二, …
    pub number: u32,
    pub title: String,
    /// Range of the title text (after "X、").
    pub title_range: TextRange,
    /// The title is the official one (or the heading is not a section heading).
    pub official: bool,
    /// The heading is glued to the paragraph after it, or sits mid-line.
    pub inline: bool,
    pub kind: HeadingKind,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    pub heading: usize,
    /// From the heading's line start to the next section heading's line start.
    pub range: TextRange,
    /// From the end of the heading line.
    pub body: TextRange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatSource {
    Config,
    Year,
    Tables,
    Default,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub title: Option<TextRange>,
    pub year: Option<u16>,
    pub year_range: Option<TextRange>,
    pub format: Format,
    pub format_source: FormatSource,
    pub headings: Vec<Heading>,
    pub sections: [Option<Section>; 6],
    pub table2: Option<Table2>,
    pub table3: Option<Table3>,
    pub table4: Option<Table4>,
}

impl Report {
    /// The cell an identity refers to, if the table was read and the row fits.
    pub fn cell(&self, r: CellRef) -> Option<&Cell> {
        match r {
            CellRef::T3 { row, col } => {
                let t = self.table3.as_ref()?;
                if t.disordered {
                    return None;
                }
                t.rows[row].as_ref()?.cells.as_ref()?.get(col)
            }
            CellRef::T4 { col } => self.table4.as_ref()?.row.cells.as_ref()?.get(col),
        }
    }

    /// The cell of table 三 or 四 whose text holds `offset` (its value, or the space of an
    /// empty cell).
    pub fn cell_at(&self, offset: usize) -> Option<CellRef> {
        let holds =
            |c: &Cell| c.range.start <= offset && offset < c.range.end.max(c.range.start + 1);
        if let Some(t) = self.table3.as_ref().filter(|t| !t.disordered) {
            for (row, r) in t.rows.iter().enumerate() {
                let Some(cells) = r.as_ref().and_then(|r| r.cells.as_ref()) else {
                    continue;
                };
                if let Some(col) = cells.iter().position(holds) {
                    return Some(CellRef::T3 { row, col });
                }
            }
        }
        let cells = self.table4.as_ref()?.row.cells.as_ref()?;
        cells.iter().position(holds).map(|col| CellRef::T4 { col })
    }

    /// The format whose rows table 三 actually uses, for the identities: a 2021
    /// report with the single 2019 （六）其他处理 row (NB502) is summed with that row,
    /// a 2019/2020 report with the 2021 sub-rows (NB504) with the sub-rows.
    pub fn table3_format(&self) -> Format {
        let Some(t3) = &self.table3 else {
            return self.format;
        };
        let single = t3.has_values(T3Row::Other);
        let split = t3.has_values(T3Row::OtherOverdue) || t3.has_values(T3Row::OtherUnpaid);
        match self.format {
            Format::F2021 if single && !split => Format::F2019,
            Format::F2019 | Format::Pre2019 if split && !single => Format::F2021,
            f => f,
        }
    }
}
