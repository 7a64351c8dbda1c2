//! The two national formats, described once as data.
//!
//! Sections, the blocks of table 2, the rows and columns of tables 三 and 四,
//! and every identity (勾稽关系) are declared here. Rules, fixes and the parser
//! read these tables; nothing else in the crate spells out a row label.

use serde::Serialize;

/// Which national template a report follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
pub enum Format {
    /// Up to 2018 (2008 条例 structure).
    #[serde(rename = "pre2019")]
    Pre2019,
    /// 国办公开办函〔2019〕60号, report years 2019 and 2020.
    #[serde(rename = "2019")]
    F2019,
    /// 国办公开办函〔2021〕30号, report years 2021 onward.
    #[serde(rename = "2021")]
    F2021,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Pre2019 => "pre2019",
            Format::F2019 => "2019",
            Format::F2021 => "2021",
        }
    }
    pub fn for_year(year: u16) -> Format {
        match year {
            0..=2018 => Format::Pre2019,
            2019 | 2020 => Format::F2019,
            _ => Format::F2021,
        }
    }
}

// ---------------------------------------------------------------- sections

pub struct SectionDef {
    pub number: &'static str,
    pub title: &'static str,
    /// Normalised substrings that identify the section's heading (official title first).
    pub keys: &'static [&'static str],
    /// Older or longer names accepted with a hint.
    pub aliases: &'static [&'static str],
}

impl SectionDef {
    pub fn official(&self) -> String {
        format!("{}、{}", self.number, self.title)
    }
}

pub static SECTIONS: [SectionDef; 6] = [
    SectionDef {
        number: "一",
        title: "总体情况",
        keys: &["总体情况", "基本情况", "概述"],
        aliases: &["概述"],
    },
    SectionDef {
        number: "二",
        title: "主动公开政府信息情况",
        keys: &["主动公开"],
        aliases: &[],
    },
    SectionDef {
        number: "三",
        title: "收到和处理政府信息公开申请情况",
        keys: &["收到和处理", "依申请公开", "公开申请情况", "公开申请办理"],
        aliases: &["政府信息依申请公开办理情况", "依申请公开政府信息情况"],
    },
    SectionDef {
        number: "四",
        title: "政府信息公开行政复议、行政诉讼情况",
        keys: &["行政复议", "行政诉讼", "行政法复议", "复议"],
        aliases: &[
            "政府信息公开申请行政复议、提起行政诉讼情况",
            "因政府信息公开申请行政复议、提起行政诉讼的情况",
            "政府信息公开行政复议和行政诉讼情况",
        ],
    },
    SectionDef {
        number: "五",
        title: "存在的主要问题及改进情况",
        keys: &["主要问题", "存在问题", "存在的问题", "改进情况", "改进措施"],
        aliases: &[
            "政府信息公开工作存在的主要问题及改进措施",
            "政府信息公开工作存在的主要问题及改进情况",
        ],
    },
    SectionDef {
        number: "六",
        title: "其他需要报告的事项",
        keys: &["其他需要报告", "其他需要说明", "其他事项"],
        aliases: &[],
    },
];

/// Headings that belong to the 2008 structure (before the 2019 format).
pub static PRE2019_HEADING_KEYS: &[&str] = &["收费及减免", "概述"];

/// Section 6 must state the 信息处理费 (2021 format). Any of these satisfies it.
pub static FEE_STATEMENT_KEYS: &[&str] = &["信息处理费", "处理费"];

// ---------------------------------------------------------------- table 2

/// A row of table 2 (in either format: [`table2_blocks`] lists which a format has).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum T2Row {
    Rules,
    Normative,
    License,
    OtherServices,
    Penalty,
    Coercion,
    Fees,
    Procurement,
}

impl T2Row {
    /// A stable name of the row ("t2.normative"), for output and test messages.
    pub fn key(self) -> &'static str {
        match self {
            T2Row::Rules => "t2.rules",
            T2Row::Normative => "t2.normative",
            T2Row::License => "t2.license",
            T2Row::OtherServices => "t2.other_services",
            T2Row::Penalty => "t2.penalty",
            T2Row::Coercion => "t2.coercion",
            T2Row::Fees => "t2.fees",
            T2Row::Procurement => "t2.procurement",
        }
    }
}

impl std::fmt::Display for T2Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

impl Serialize for T2Row {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

pub struct Table2Row {
    pub key: T2Row,
    pub label: &'static str,
    /// Normalised substring that identifies the row.
    pub matcher: &'static str,
}

pub struct Table2Block {
    pub item: &'static str,
    pub heading: &'static str,
    pub columns: &'static [&'static str],
    pub rows: &'static [Table2Row],
    /// Columns holding money (万元, decimals allowed).
    pub money_columns: &'static [usize],
    /// Columns that may be negative (the 2019 format's 本年增/减).
    pub signed_columns: &'static [usize],
}

macro_rules! t2row {
    ($key:expr, $label:expr, $matcher:expr) => {
        Table2Row {
            key: $key,
            label: $label,
            matcher: $matcher,
        }
    };
}

pub static TABLE2_2021: [Table2Block; 4] = [
    Table2Block {
        item: "（一）",
        heading: "第二十条第（一）项",
        columns: &["本年制发件数", "本年废止件数", "现行有效件数"],
        rows: &[
            t2row!(T2Row::Rules, "规章", "规章"),
            t2row!(T2Row::Normative, "行政规范性文件", "规范性文件"),
        ],
        money_columns: &[],
        signed_columns: &[],
    },
    Table2Block {
        item: "（五）",
        heading: "第二十条第（五）项",
        columns: &["本年处理决定数量"],
        rows: &[t2row!(T2Row::License, "行政许可", "行政许可")],
        money_columns: &[],
        signed_columns: &[],
    },
    Table2Block {
        item: "（六）",
        heading: "第二十条第（六）项",
        columns: &["本年处理决定数量"],
        rows: &[
            t2row!(T2Row::Penalty, "行政处罚", "行政处罚"),
            t2row!(T2Row::Coercion, "行政强制", "行政强制"),
        ],
        money_columns: &[],
        signed_columns: &[],
    },
    Table2Block {
        item: "（八）",
        heading: "第二十条第（八）项",
        columns: &["本年收费金额（单位：万元）"],
        rows: &[t2row!(T2Row::Fees, "行政事业性收费", "事业性收费")],
        money_columns: &[0],
        signed_columns: &[],
    },
];

/// Table 二 of the 2019 format (国办公开办函〔2019〕60号): five blocks.
pub static TABLE2_2019: [Table2Block; 5] = [
    Table2Block {
        item: "（一）",
        heading: "第二十条第（一）项",
        columns: &["本年新制作数量", "本年新公开数量", "对外公开总数量"],
        rows: &[
            t2row!(T2Row::Rules, "规章", "规章"),
            t2row!(T2Row::Normative, "规范性文件", "规范性文件"),
        ],
        money_columns: &[],
        signed_columns: &[],
    },
    Table2Block {
        item: "（五）",
        heading: "第二十条第（五）项",
        columns: &["上一年项目数量", "本年增/减", "处理决定数量"],
        rows: &[
            t2row!(T2Row::License, "行政许可", "行政许可"),
            t2row!(T2Row::OtherServices, "其他对外管理服务事项", "对外管理服务"),
        ],
        money_columns: &[],
        signed_columns: &[1],
    },
    Table2Block {
        item: "（六）",
        heading: "第二十条第（六）项",
        columns: &["上一年项目数量", "本年增/减", "处理决定数量"],
        rows: &[
            t2row!(T2Row::Penalty, "行政处罚", "行政处罚"),
            t2row!(T2Row::Coercion, "行政强制", "行政强制"),
        ],
        money_columns: &[],
        signed_columns: &[1],
    },
    Table2Block {
        item: "（八）",
        heading: "第二十条第（八）项",
        columns: &["上一年项目数量", "本年增/减"],
        rows: &[t2row!(T2Row::Fees, "行政事业性收费", "事业性收费")],
        money_columns: &[],
        signed_columns: &[1],
    },
    Table2Block {
        item: "（九）",
        heading: "第二十条第（九）项",
        columns: &["采购项目数量", "采购总金额"],
        rows: &[t2row!(T2Row::Procurement, "政府集中采购", "集中采购")],
        money_columns: &[1],
        signed_columns: &[],
    },
];

/// The blocks of table 2 in a format (the 2008 structure had no such table: the 2019 one is closest).
pub fn table2_blocks(format: Format) -> &'static [Table2Block] {
    match format {
        Format::F2021 => &TABLE2_2021,
        Format::F2019 | Format::Pre2019 => &TABLE2_2019,
    }
}

/// Words that only the 2019 format's table 2 uses.
pub static TABLE2_2019_MARKERS: &[&str] = &[
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "第二十条第(九)项",
    "政府集中采购",
    "采购总金额",
];

// ---------------------------------------------------------------- table 3

/// What part a row of table 3 plays in identities B and C.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Role {
    /// 一、本年新收
    New,
    /// 二、上年结转
    CarriedIn,
    /// A 办理结果 row summed by identity B.
    Outcome,
    /// （七）总计
    OutcomeTotal,
    /// 四、结转下年度继续办理
    CarriedOut,
}

/// Which formats a row belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Only {
    Both,
    F2019,
    F2021,
}

/// A row of table 3, in template order: the discriminant is the row's index
/// in [`TABLE3_ROWS`] (and in [`crate::model::Table3::rows`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum T3Row {
    New,
    CarriedIn,
    Open,
    Partial,
    RefuseSecret,
    RefuseLaw,
    RefuseSafety,
    RefuseThird,
    RefuseInternal,
    RefuseProcess,
    RefuseEnforce,
    RefuseQuery,
    UnableNone,
    UnableCreate,
    UnableUnclear,
    RejectPetition,
    RejectRepeat,
    RejectPublished,
    RejectMassive,
    RejectConfirm,
    Other,
    OtherOverdue,
    OtherUnpaid,
    OtherOther,
    Total,
    CarriedOut,
}

impl T3Row {
    /// The row's index in [`TABLE3_ROWS`].
    pub const fn index(self) -> usize {
        self as usize
    }
    /// The row's definition.
    pub fn def(self) -> &'static Table3Row {
        &TABLE3_ROWS[self as usize]
    }
    /// One of the 2021 format's sub-rows of （六）其他处理.
    pub fn is_other_sub_row(self) -> bool {
        matches!(
            self,
            T3Row::OtherOverdue | T3Row::OtherUnpaid | T3Row::OtherOther
        )
    }
    /// A stable name of the row ("t3.carried_in"), for test output.
    pub fn key(self) -> &'static str {
        match self {
            T3Row::New => "t3.new",
            T3Row::CarriedIn => "t3.carried_in",
            T3Row::Open => "t3.open",
            T3Row::Partial => "t3.partial",
            T3Row::RefuseSecret => "t3.refuse.secret",
            T3Row::RefuseLaw => "t3.refuse.law",
            T3Row::RefuseSafety => "t3.refuse.safety",
            T3Row::RefuseThird => "t3.refuse.third",
            T3Row::RefuseInternal => "t3.refuse.internal",
            T3Row::RefuseProcess => "t3.refuse.process",
            T3Row::RefuseEnforce => "t3.refuse.enforce",
            T3Row::RefuseQuery => "t3.refuse.query",
            T3Row::UnableNone => "t3.unable.none",
            T3Row::UnableCreate => "t3.unable.create",
            T3Row::UnableUnclear => "t3.unable.unclear",
            T3Row::RejectPetition => "t3.reject.petition",
            T3Row::RejectRepeat => "t3.reject.repeat",
            T3Row::RejectPublished => "t3.reject.published",
            T3Row::RejectMassive => "t3.reject.massive",
            T3Row::RejectConfirm => "t3.reject.confirm",
            T3Row::Other => "t3.other",
            T3Row::OtherOverdue => "t3.other.overdue",
            T3Row::OtherUnpaid => "t3.other.unpaid",
            T3Row::OtherOther => "t3.other.other",
            T3Row::Total => "t3.total",
            T3Row::CarriedOut => "t3.carried_out",
        }
    }
}

impl std::fmt::Display for T3Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

pub struct Table3Row {
    pub key: T3Row,
    /// Official label as printed in the template.
    pub label: &'static str,
    /// The group label printed beside it (e.g. "（三）不予公开"), if any.
    pub group: Option<&'static str>,
    /// Normalised substrings; a row is recognised by the first that occurs.
    pub matchers: &'static [&'static str],
    pub role: Role,
    pub only: Only,
}

/// English names of the rows of table 3, for English messages.
pub static TABLE3_ROWS_EN: &[(T3Row, &str)] = &[
    (T3Row::New, "1. new applications this year"),
    (T3Row::CarriedIn, "2. carried over from last year"),
    (T3Row::Open, "(1) disclosed"),
    (T3Row::Partial, "(2) partly disclosed"),
    (T3Row::RefuseSecret, "(3) refused · 1. state secret"),
    (
        T3Row::RefuseLaw,
        "(3) refused · 2. prohibited by other laws",
    ),
    (
        T3Row::RefuseSafety,
        "(3) refused · 3. endangers the “three securities and one stability”",
    ),
    (T3Row::RefuseThird, "(3) refused · 4. third-party rights"),
    (T3Row::RefuseInternal, "(3) refused · 5. internal affairs"),
    (T3Row::RefuseProcess, "(3) refused · 6. process information"),
    (T3Row::RefuseEnforce, "(3) refused · 7. enforcement files"),
    (T3Row::RefuseQuery, "(3) refused · 8. query matters"),
    (T3Row::UnableNone, "(4) unable · 1. not held"),
    (
        T3Row::UnableCreate,
        "(4) unable · 2. would need to be created",
    ),
    (
        T3Row::UnableUnclear,
        "(4) unable · 3. still unclear after correction",
    ),
    (
        T3Row::RejectPetition,
        "(5) not processed · 1. petitions and complaints",
    ),
    (
        T3Row::RejectRepeat,
        "(5) not processed · 2. repeated application",
    ),
    (
        T3Row::RejectPublished,
        "(5) not processed · 3. published material",
    ),
    (
        T3Row::RejectMassive,
        "(5) not processed · 4. massive repeated applications",
    ),
    (
        T3Row::RejectConfirm,
        "(5) not processed · 5. confirmation of information already obtained",
    ),
    (T3Row::Other, "(6) other handling"),
    (T3Row::OtherOverdue, "(6) other · 1. no correction in time"),
    (T3Row::OtherUnpaid, "(6) other · 2. fee not paid"),
    (T3Row::OtherOther, "(6) other · 3. other"),
    (T3Row::Total, "(7) total"),
    (T3Row::CarriedOut, "4. carried over to next year"),
];

/// English names of the columns of table 3.
pub static TABLE3_COLUMNS_EN: [&str; 7] = [
    "natural persons",
    "businesses",
    "research institutions",
    "public-interest organisations",
    "legal service providers",
    "other",
    "total",
];

/// English names of the groups and columns of table 4.
pub static TABLE4_GROUPS_EN: [&str; 3] = [
    "administrative review",
    "litigation without review",
    "litigation after review",
];
pub static TABLE4_GROUP_COLUMNS_EN: [&str; 5] =
    ["upheld", "corrected", "other result", "pending", "total"];

impl Table3Row {
    pub fn display_en(&self) -> &'static str {
        TABLE3_ROWS_EN
            .iter()
            .find(|(k, _)| *k == self.key)
            .map(|(_, v)| *v)
            .unwrap_or(self.label)
    }
    pub fn display(&self) -> String {
        match self.group {
            Some(g) => format!("{}{}", g, self.label),
            None => self.label.to_string(),
        }
    }
}

macro_rules! row {
    ($key:expr, $label:expr, $group:expr, [$($m:expr),*], $role:ident, $only:ident) => {
        Table3Row { key: $key, label: $label, group: $group, matchers: &[$($m),*], role: Role::$role, only: Only::$only }
    };
}

/// Every row of table 3 in either format, in template order.
pub static TABLE3_ROWS: [Table3Row; 26] = [
    row!(
        T3Row::New,
        "一、本年新收政府信息公开申请数量",
        None,
        ["本年新收"],
        New,
        Both
    ),
    row!(
        T3Row::CarriedIn,
        "二、上年结转政府信息公开申请数量",
        None,
        ["上年结转"],
        CarriedIn,
        Both
    ),
    row!(
        T3Row::Open,
        "（一）予以公开",
        None,
        ["予以公开"],
        Outcome,
        Both
    ),
    row!(
        T3Row::Partial,
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        None,
        ["部分公开"],
        Outcome,
        Both
    ),
    row!(
        T3Row::RefuseSecret,
        "1.属于国家秘密",
        Some("（三）不予公开"),
        ["国家秘密"],
        Outcome,
        Both
    ),
    row!(
        T3Row::RefuseLaw,
        "2.其他法律行政法规禁止公开",
        Some("（三）不予公开"),
        ["其他法律", "法规禁止公开", "行政止公开"],
        Outcome,
        Both
    ),
    row!(
        T3Row::RefuseSafety,
        "3.危及“三安全一稳定”",
        Some("（三）不予公开"),
        ["三安全一稳定", "危及"],
        Outcome,
        Both
    ),
    row!(
        T3Row::RefuseThird,
        "4.保护第三方合法权益",
        Some("（三）不予公开"),
        ["第三方合法权益", "保护第三方"],
        Outcome,
        Both
    ),
    row!(
        T3Row::RefuseInternal,
        "5.属于三类内部事务信息",
        Some("（三）不予公开"),
        ["内部事务"],
        Outcome,
        Both
    ),
    row!(
        T3Row::RefuseProcess,
        "6.属于四类过程性信息",
        Some("（三）不予公开"),
        ["过程性信息"],
        Outcome,
        Both
    ),
    row!(
        T3Row::RefuseEnforce,
        "7.属于行政执法案卷",
        Some("（三）不予公开"),
        ["执法案卷"],
        Outcome,
        Both
    ),
    row!(
        T3Row::RefuseQuery,
        "8.属于行政查询事项",
        Some("（三）不予公开"),
        ["查询事项"],
        Outcome,
        Both
    ),
    row!(
        T3Row::UnableNone,
        "1.本机关不掌握相关政府信息",
        Some("（四）无法提供"),
        ["不掌握"],
        Outcome,
        Both
    ),
    row!(
        T3Row::UnableCreate,
        "2.没有现成信息需要另行制作",
        Some("（四）无法提供"),
        ["没有现成信息", "另行制作"],
        Outcome,
        Both
    ),
    row!(
        T3Row::UnableUnclear,
        "3.补正后申请内容仍不明确",
        Some("（四）无法提供"),
        ["补正后申请", "仍不明确"],
        Outcome,
        Both
    ),
    row!(
        T3Row::RejectPetition,
        "1.信访举报投诉类申请",
        Some("（五）不予处理"),
        ["信访举报"],
        Outcome,
        Both
    ),
    row!(
        T3Row::RejectRepeat,
        "2.重复申请",
        Some("（五）不予处理"),
        ["重复申请"],
        Outcome,
        Both
    ),
    row!(
        T3Row::RejectPublished,
        "3.要求提供公开出版物",
        Some("（五）不予处理"),
        ["公开出版物"],
        Outcome,
        Both
    ),
    row!(
        T3Row::RejectMassive,
        "4.无正当理由大量反复申请",
        Some("（五）不予处理"),
        ["大量反复"],
        Outcome,
        Both
    ),
    row!(
        T3Row::RejectConfirm,
        "5.要求行政机关确认或重新出具已获取信息",
        Some("（五）不予处理"),
        ["重新出具", "已获取信息", "确认或重"],
        Outcome,
        Both
    ),
    row!(
        T3Row::Other,
        "（六）其他处理",
        None,
        ["(六)其他处理"],
        Outcome,
        F2019
    ),
    row!(
        T3Row::OtherOverdue,
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        Some("（六）其他处理"),
        ["逾期不补正", "不补正"],
        Outcome,
        F2021
    ),
    row!(
        T3Row::OtherUnpaid,
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        Some("（六）其他处理"),
        ["缴纳费用", "收费通知"],
        Outcome,
        F2021
    ),
    row!(
        T3Row::OtherOther,
        "3.其他",
        Some("（六）其他处理"),
        ["3.其他"],
        Outcome,
        F2021
    ),
    row!(
        T3Row::Total,
        "（七）总计",
        None,
        ["(七)总计", "(七)合计"],
        OutcomeTotal,
        Both
    ),
    row!(
        T3Row::CarriedOut,
        "四、结转下年度继续办理",
        None,
        ["结转下年度"],
        CarriedOut,
        Both
    ),
];

pub fn table3_rows(format: Format) -> impl Iterator<Item = (usize, &'static Table3Row)> {
    TABLE3_ROWS
        .iter()
        .enumerate()
        .filter(move |(_, r)| match r.only {
            Only::Both => true,
            Only::F2019 => format != Format::F2021,
            Only::F2021 => format == Format::F2021,
        })
}

/// The seven value columns of table 3.
pub static TABLE3_COLUMNS: [&str; 7] = [
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
    "总计",
];
/// Index of the 总计 column, the total of identity A.
pub const TABLE3_TOTAL_COL: usize = 6;

// ---------------------------------------------------------------- table 4

pub static TABLE4_GROUPS: [&str; 3] = [
    "行政复议",
    "行政诉讼·未经复议直接起诉",
    "行政诉讼·复议后起诉",
];
pub static TABLE4_GROUP_COLUMNS: [&str; 5] =
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];
pub const TABLE4_WIDTH: usize = 15;

/// The names of the 15 columns of table 4, built once.
pub fn table4_column_names() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| (0..TABLE4_WIDTH).map(table4_column_name).collect())
}

pub fn table4_column_name(col: usize) -> String {
    format!(
        "{}·{}",
        TABLE4_GROUPS[col / 5],
        TABLE4_GROUP_COLUMNS[col % 5]
    )
}

// ---------------------------------------------------------------- identities

/// A cell of table 3 (row index into [`TABLE3_ROWS`], column) or of table 4 (row 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
pub enum CellRef {
    T3 { row: usize, col: usize },
    T4 { col: usize },
}

impl CellRef {
    pub fn describe(&self) -> String {
        match *self {
            CellRef::T3 { row, col } => {
                format!("{}·{}", TABLE3_ROWS[row].display(), TABLE3_COLUMNS[col])
            }
            CellRef::T4 { col } => table4_column_name(col),
        }
    }
    pub fn describe_en(&self) -> String {
        match *self {
            CellRef::T3 { row, col } => format!(
                "{} · {}",
                TABLE3_ROWS[row].display_en(),
                TABLE3_COLUMNS_EN[col]
            ),
            CellRef::T4 { col } => format!(
                "{} · {}",
                TABLE4_GROUPS_EN[col / 5],
                TABLE4_GROUP_COLUMNS_EN[col % 5]
            ),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum IdentityKind {
    /// 总计 column = sum of the six applicant columns.
    A,
    /// （七）总计 = sum of the outcome rows.
    B,
    /// 一 + 二 = （七）总计 + 四.
    C,
    /// Table 四: group 总计 = 维持 + 纠正 + 其他 + 尚未审结.
    T4,
}

impl IdentityKind {
    /// The rule that reports a wrong total of this kind.
    pub fn rule(self) -> crate::rules::Rule {
        use crate::rules::Rule;
        match self {
            IdentityKind::A => Rule::RowTotal,
            IdentityKind::B => Rule::OutcomeTotal,
            IdentityKind::C => Rule::Balance,
            IdentityKind::T4 => Rule::ReviewTotal,
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            IdentityKind::A => "勾稽关系A（总计列 = 各类申请人之和）",
            IdentityKind::B => "勾稽关系B（（七）总计 = 各项办理结果之和）",
            IdentityKind::C => "勾稽关系C（第一项 + 第二项 = 第三项（七）总计 + 第四项）",
            IdentityKind::T4 => "表四合计（总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结）",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            IdentityKind::A => "identity A (total column = sum of applicant columns)",
            IdentityKind::B => "identity B ((7) total = sum of outcome rows)",
            IdentityKind::C => "identity C (item 1 + item 2 = (7) total + item 4)",
            IdentityKind::T4 => {
                "table 4 group total (total = upheld + corrected + other + pending)"
            }
        }
    }
}

/// `sum(lhs) == sum(rhs)`; `target` is the cell a fix solves for.
#[derive(Clone, Debug, Serialize)]
pub struct Identity {
    pub kind: IdentityKind,
    pub lhs: Vec<CellRef>,
    pub rhs: Vec<CellRef>,
    pub target: CellRef,
}

impl Identity {
    /// All cells, target first.
    pub fn cells(&self) -> impl Iterator<Item = CellRef> + '_ {
        std::iter::once(self.target)
            .chain(self.lhs.iter().copied().filter(move |c| *c != self.target))
            .chain(self.rhs.iter().copied().filter(move |c| *c != self.target))
    }
}

/// Every identity of a format, in fix order: A (all rows), B (all columns), C, then table 4.
pub fn identities(format: Format) -> Vec<Identity> {
    identity_table(format).to_vec()
}

/// [`identities`], built once per format.
pub fn identity_table(format: Format) -> &'static [Identity] {
    static TABLES: [std::sync::OnceLock<Vec<Identity>>; 3] = [
        std::sync::OnceLock::new(),
        std::sync::OnceLock::new(),
        std::sync::OnceLock::new(),
    ];
    let i = match format {
        Format::Pre2019 => 0,
        Format::F2019 => 1,
        Format::F2021 => 2,
    };
    TABLES[i].get_or_init(|| build_identities(format))
}

fn build_identities(format: Format) -> Vec<Identity> {
    let rows: Vec<(usize, &Table3Row)> = table3_rows(format).collect();
    let mut out = Vec::new();
    for &(r, _) in &rows {
        out.push(Identity {
            kind: IdentityKind::A,
            lhs: vec![CellRef::T3 {
                row: r,
                col: TABLE3_TOTAL_COL,
            }],
            rhs: (0..TABLE3_TOTAL_COL)
                .map(|col| CellRef::T3 { row: r, col })
                .collect(),
            target: CellRef::T3 {
                row: r,
                col: TABLE3_TOTAL_COL,
            },
        });
    }
    let find = |role: Role| {
        rows.iter()
            .find(|(_, d)| d.role == role)
            .map(|(i, _)| *i)
            .expect("role")
    };
    let (new, carried_in, total, carried_out) = (
        find(Role::New),
        find(Role::CarriedIn),
        find(Role::OutcomeTotal),
        find(Role::CarriedOut),
    );
    for col in 0..TABLE3_COLUMNS.len() {
        out.push(Identity {
            kind: IdentityKind::B,
            lhs: vec![CellRef::T3 { row: total, col }],
            rhs: rows
                .iter()
                .filter(|(_, d)| d.role == Role::Outcome)
                .map(|(r, _)| CellRef::T3 { row: *r, col })
                .collect(),
            target: CellRef::T3 { row: total, col },
        });
    }
    for col in 0..TABLE3_COLUMNS.len() {
        out.push(Identity {
            kind: IdentityKind::C,
            lhs: vec![
                CellRef::T3 { row: new, col },
                CellRef::T3 {
                    row: carried_in,
                    col,
                },
            ],
            rhs: vec![
                CellRef::T3 { row: total, col },
                CellRef::T3 {
                    row: carried_out,
                    col,
                },
            ],
            target: CellRef::T3 {
                row: carried_out,
                col,
            },
        });
    }
    for g in 0..3 {
        out.push(Identity {
            kind: IdentityKind::T4,
            lhs: vec![CellRef::T4 { col: g * 5 + 4 }],
            rhs: (0..4).map(|i| CellRef::T4 { col: g * 5 + i }).collect(),
            target: CellRef::T4 { col: g * 5 + 4 },
        });
    }
    out
}

/// Is this cell computed by some identity (a cell that fix-all may rewrite)?
pub fn is_total_cell(format: Format, cell: CellRef) -> bool {
    identity_table(format).iter().any(|i| i.target == cell)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_keys_index_the_template() {
        // T3Row's discriminant is the row's place in TABLE3_ROWS.
        for (i, r) in TABLE3_ROWS.iter().enumerate() {
            assert_eq!(r.key.index(), i, "{}", r.key);
            assert!(std::ptr::eq(r.key.def(), r));
            assert!(TABLE3_ROWS_EN.iter().any(|(k, _)| *k == r.key), "{}", r.key);
        }
        // Every table-二 row is in some format's blocks, with the same key
        // naming the same row in both formats.
        for f in [Format::F2019, Format::F2021] {
            let keys: Vec<T2Row> = table2_blocks(f)
                .iter()
                .flat_map(|b| b.rows.iter().map(|r| r.key))
                .collect();
            let mut unique = keys.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), keys.len(), "{f:?}");
        }
    }

    #[test]
    fn row_counts_match_the_notices() {
        assert_eq!(table3_rows(Format::F2021).count(), 25);
        assert_eq!(table3_rows(Format::F2019).count(), 23);
    }

    #[test]
    fn identity_counts() {
        // 25 rows (A) + 7 columns (B) + 7 columns (C) + 3 groups
        assert_eq!(identities(Format::F2021).len(), 25 + 7 + 7 + 3);
        assert_eq!(identities(Format::F2019).len(), 23 + 7 + 7 + 3);
        let b = identities(Format::F2021)
            .into_iter()
            .find(|i| i.kind == IdentityKind::B)
            .unwrap();
        assert_eq!(b.rhs.len(), 2 + 8 + 3 + 5 + 3);
    }
}

/// The English name of a column of table 二 (either format), by its template label.
pub fn table2_column_en(zh: &str) -> &'static str {
    match zh {
        "本年制发件数" => "issued this year",
        "本年废止件数" => "repealed this year",
        "现行有效件数" => "in force",
        "本年处理决定数量" | "处理决定数量" => "decisions this year",
        "本年收费金额（单位：万元）" => "fees this year (10,000 yuan)",
        "本年新制作数量" => "newly made this year",
        "本年新公开数量" => "newly published this year",
        "对外公开总数量" => "published in total",
        "上一年项目数量" => "items last year",
        "本年增/减" => "change this year",
        "采购项目数量" => "procurement items",
        "采购总金额" => "procurement amount",
        _ => "column",
    }
}
