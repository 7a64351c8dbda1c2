//! The one entry point: text in, report model and diagnostics out.

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::Report;

pub struct Analysis {
    pub report: Report,
    pub diagnostics: Vec<Diagnostic>,
}

/// The analysis of `src` from scratch: the incremental engine's pipeline
/// ([`crate::incremental`]) with nothing to reuse.
pub fn analyze(src: &str, config: &Config) -> Analysis {
    crate::incremental::fresh(src, config)
}
