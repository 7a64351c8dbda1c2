//! The command-line front end: `nianbao check`, `nianbao lsp`, `nianbao rules`.

/// Run the CLI with the process arguments; returns the exit code.
pub fn main() -> i32 {
    0
}
