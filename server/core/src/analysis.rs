//! The one entry point: text in, report model and diagnostics out.

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::Report;
use crate::rules::{self, Ctx};

pub struct Analysis {
    pub report: Report,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn analyze(src: &str, config: &Config) -> Analysis {
    let lines = crate::parse::Lines::new(src);
    let report = crate::parse::parse_lines(src, config.format, &lines, &mut |_, _, _| None).0;
    let mut claims = Vec::new();
    for para in crate::narrative::paragraph_spans(&lines, &report) {
        claims.extend(crate::narrative::paragraph_claims(src, &lines.ranges()[para]));
    }
    let diagnostics = rules::run(&Ctx::new(src, &report, config).with_claims(claims));
    let dirs = crate::suppress::directives_in(src, &lines);
    let diagnostics = crate::suppress::apply_with(src, &lines, &dirs, config, diagnostics);
    Analysis {
        report,
        diagnostics,
    }
}
