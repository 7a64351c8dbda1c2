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
    let report = crate::parse::parse(src, config.format);
    let diagnostics = rules::run(&Ctx::new(src, &report, config));
    let diagnostics = crate::suppress::apply(src, config, diagnostics);
    Analysis {
        report,
        diagnostics,
    }
}
