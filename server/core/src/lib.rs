//! nianbao-core: the text model, the report template, the parser, the identity
//! arithmetic, the rules and the fixes for 政府信息公开工作年度报告 drafts.
//!
//! This crate knows nothing of LSP, the terminal or async runtimes; the
//! language server (`nianbao-lsp`) and the command line (`nianbao`) render what
//! it produces. See docs/architecture.md.

pub mod across_years;
pub mod analysis;
pub mod config;
pub mod convert;
pub mod detect;
pub mod diag;
pub mod extract;
pub mod fix;
pub mod identities;
pub mod incremental;
pub mod locate;
pub mod model;
pub mod narrative;
pub mod parse;
pub mod project;
pub mod read;
pub mod rules;
pub mod skeleton;
pub mod sum;
pub mod suppress;
pub mod table_format;
pub mod template;
pub mod text;
pub mod wrong_cells;

pub use analysis::{analyze, Analysis};
