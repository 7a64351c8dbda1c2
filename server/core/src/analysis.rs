//! The one entry point: text in, report model and diagnostics out.

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::Report;

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

/// The analysis of `src` from scratch: the incremental engine's pipeline
/// ([`crate::incremental`]) with nothing to reuse.
pub fn analyze(src: &str, config: &Config) -> Analysis {
    crate::incremental::fresh(src, config)
}
