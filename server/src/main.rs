//! nianbao: a linter and language server for 政府信息公开工作年度报告 drafts.
//!
//! The binary: `check` and `rules` render the core's (`nianbao-core`) findings
//! for the terminal, JSON and SARIF; `lsp` runs the language server
//! (`nianbao-lsp`). See docs/architecture.md.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
