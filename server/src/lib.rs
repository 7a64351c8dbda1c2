//! nianbao: a linter and language server for 政府信息公开工作年度报告 drafts.
//!
//! The core — `text`, `template`, `parse`, `model`, `rules`, `fix`, `analysis` —
//! knows nothing of LSP or the terminal. `cli` renders diagnostics for the
//! terminal, JSON and SARIF; `lsp` is the only module that speaks LSP.

pub mod across_years;
pub mod analysis;
pub mod cli;
pub mod config;
pub mod convert;
pub mod diag;
pub mod fix;
pub mod incremental;
pub mod invariants;
pub mod lsp;
pub mod model;
pub mod narrative;
pub mod parse;
pub mod project;
pub mod rules;
pub mod skeleton;
pub mod suppress;
pub mod table_format;
pub mod template;
pub mod text;

pub use analysis::{analyze, Analysis};
