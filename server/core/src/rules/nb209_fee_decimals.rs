use super::{Check, Ctx, Input, Rule, RuleMeta};
use crate::template::T2Row;
use crate::diag::{Diagnostic, Fix, FixKind, Msg, Severity};
use crate::model::Value;
use crate::template::Format;
use crate::text::{TextEdit, TextRange};

pub static RULE: RuleMeta = RuleMeta {
    code: "NB209",
    name: "fee-decimals",
    severity: Severity::Warning,
    what: (
        "表二「行政事业性收费」金额的小数位数不符合本地要求（profile.feeDecimals）。",
        "The 行政事业性收费 amount in table 2 does not have the decimal places the local profile requires (profile.feeDecimals).",
    ),
    why: (
        "收费金额以万元为单位，国家格式不限定小数位数；一些地方模板要求「保留4位小数」（精确到元）。这是本地要求，只在设置 profile.feeDecimals 时检查。金额为 0 时不论写法都是准确的，不报告。",
        "The amount is in 万元 and the national format sets no number of decimals; some local templates say “保留4位小数” (exact to the yuan). This is a local requirement, checked only with profile.feeDecimals. A zero amount is exact however it is written and is not reported.",
    ),
    example: "| 行政事业性收费 | 12.3 |",
    fix: (
        "补足小数位（12.3 → 12.3000），或按要求四舍五入。",
        "Pad the decimals (12.3 → 12.3000), or round as required.",
    ),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Tables, Input::TableText],
    },
};

/// The integer and fraction digits of a decimal text ("-12.34" → ("12", "34")).
fn split(text: &str) -> (&str, &str) {
    let t = text.trim_start_matches('-');
    t.split_once('.').unwrap_or((t, ""))
}

/// `int.frac` rounded half up to `places` decimals.
fn round(int: &str, frac: &str, places: usize) -> String {
    let mut digits: Vec<u8> = int.bytes().chain(frac.bytes().take(places)).collect();
    if frac.as_bytes().get(places).is_some_and(|d| *d >= b'5') {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - places;
    let (i, f) = digits.split_at(split);
    let mut s = String::from_utf8_lossy(i).into_owned();
    if places > 0 {
        s.push('.');
        s.push_str(&String::from_utf8_lossy(f));
    }
    s
}

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let Some(places) = ctx.config.profile.fee_decimals.map(usize::from) else {
        return;
    };
    let Some(t2) = ctx
        .report
        .table2
        .as_ref()
        .filter(|t| t.format == Format::F2021)
    else {
        return;
    };
    let Some(Some(row)) = t2
        .rows
        .iter()
        .find(|(k, _)| *k == T2Row::Fees)
        .map(|(_, r)| r)
    else {
        return;
    };
    let Some(cell) = row.cells.as_ref().and_then(|c| c.first()) else {
        return;
    };
    let text = match &cell.value {
        Value::Int { value } if *value > 0 => value.to_string(),
        Value::Decimal { text, value } if *value > 0.0 => text.clone(),
        // Zero is exact however it is written; negative, blank or text: NB205/NB206.
        _ => return,
    };
    let (int, frac) = split(&text);
    if frac.len() == places {
        return;
    }
    let range: TextRange = cell.number_range;
    let written = &ctx.src[range.start..range.end];
    let mut d = Diagnostic::new(
        Rule::FeeDecimals,
        range,
        Msg::new(
            format!("行政事业性收费金额「{written}」有 {} 位小数，本地要求保留 {places} 位", frac.len()),
            format!("The 行政事业性收费 amount “{written}” has {} decimal places; the local profile requires {places}", frac.len()),
        ),
    );
    if frac.len() < places {
        // Pad with zeros in the digits' own style.
        let (zero, point) = if cell.style.fullwidth {
            ('０', '．')
        } else {
            ('0', '.')
        };
        let mut pad = String::new();
        if frac.is_empty() {
            pad.push(point);
        }
        pad.extend(std::iter::repeat_n(zero, places - frac.len()));
        d = d.with_fix(Fix {
            title: Msg::new(
                format!("补足为 {places} 位小数"),
                format!("Pad to {places} decimal places"),
            ),
            kind: FixKind::Edit,
            preferred: true,
            edits: vec![TextEdit {
                range: TextRange::empty(range.end),
                new_text: pad,
            }],
        });
    } else if !cell.style.fullwidth && !cell.style.thousands {
        let rounded = round(int, frac, places);
        d = d.with_fix(Fix {
            title: Msg::new(
                format!("四舍五入为 {rounded}"),
                format!("Round to {rounded}"),
            ),
            kind: FixKind::Edit,
            preferred: false,
            edits: vec![TextEdit {
                range,
                new_text: rounded,
            }],
        });
    }
    out.push(d);
}

#[cfg(test)]
mod tests {
    use super::round;

    #[test]
    fn rounds_half_up() {
        assert_eq!(round("12", "34567", 4), "12.3457");
        assert_eq!(round("12", "34564", 4), "12.3456");
        assert_eq!(round("99", "99995", 4), "100.0000");
        assert_eq!(round("0", "5", 0), "1");
    }
}
