//! The one entry point: text in, report model and diagnostics out.

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::Report;
use crate::rules::{self, Ctx};

pub struct Analysis {
    pub report: Report,
    pub diagnostics: Vec<Diagnostic>,
    /// The identities of tables 三 and 四 evaluated on `report` (by the rules,
    /// or on first use), for fix-all and the editor features.
    pub identities: std::sync::OnceLock<crate::identities::Evaluation>,
}

impl Analysis {
    pub fn identities(&self) -> &crate::identities::Evaluation {
        self.identities
            .get_or_init(|| crate::identities::Evaluation::of(&self.report))
    }
}

pub fn analyze(src: &str, config: &Config) -> Analysis {
    let lines = crate::parse::Lines::new(src);
    let report = crate::parse::parse_lines(src, config.format, &lines, &mut |_, _, _| None).0;
    let mut claims = Vec::new();
    for para in crate::narrative::paragraph_spans(&lines, &report) {
        claims.extend(crate::narrative::paragraph_claims(
            src,
            &lines.ranges()[para],
        ));
    }
    let ctx = Ctx::new(src, &report, config).with_claims(claims);
    let diagnostics = rules::run(&ctx);
    let identities = ctx
        .identities
        .into_inner()
        .map(Into::into)
        .unwrap_or_default();
    let dirs = crate::suppress::directives_in(src, &lines);
    let diagnostics = crate::suppress::apply_with(src, &lines, &dirs, config, diagnostics);
    Analysis {
        report,
        diagnostics,
        identities,
    }
}
