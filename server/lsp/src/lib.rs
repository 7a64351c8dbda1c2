//! The language server. This is the only module that imports tower-lsp-server
//! types and converts positions.
//!
//! One file per concern: `server` implements `LanguageServer` and dispatches to
//! `did_change` (document sync), `diagnostics` (push worker and pull), the
//! feature files (`code_action`, `hover`, `inlay_hint`, `code_lens`,
//! `document_symbol`, `folding_range`, `formatting`, `execute_command`), and
//! `settings`. `document` keeps the ropes and analysis snapshots; `encoding`
//! converts positions in the negotiated encoding; `caps` reads what the client
//! declared; `edit` builds workspace edits.

mod caps;
mod code_action;
mod code_lens;
mod diagnostics;
mod did_change;
mod document;
mod document_symbol;
mod edit;
mod encoding;
mod execute_command;
mod folding_range;
mod formatting;
mod hover;
mod inlay_hint;
mod memory;
mod peers;
mod server;
mod settings;
mod trace;
mod transport;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

/// Serve LSP over stdin/stdout until the client exits. Returns the process exit code:
/// 0 when the client sent `shutdown` before `exit`, 1 otherwise (as LSP specifies).
pub fn serve_stdio() -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("nianbao lsp: cannot start the async runtime: {e}");
            return 1;
        }
    };
    let clean = runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // Stdin is read on a blocking thread that may still wait for input: do not wait for it.
    runtime.shutdown_background();
    if clean {
        0
    } else {
        1
    }
}

/// How long the server still answers after its input ended or `exit` came.
pub const LINGER: std::time::Duration = std::time::Duration::from_secs(2);

/// Serve LSP over any byte streams (stdio, a socket, or an in-memory pipe in tests)
/// until the client sends `exit` or closes the input. Returns whether `shutdown`
/// was received first.
pub async fn serve<I, O>(input: I, output: O) -> bool
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let gate = std::sync::Arc::new(transport::Gate::default());
    let for_backend = gate.clone();
    let builder =
        LspService::build(move |client| server::Backend::new(client, for_backend.clone()))
            .custom_method("nianbao/documentText", server::Backend::document_text)
            .custom_method("nianbao/invalidMessage", server::Backend::invalid_message)
            .custom_method("nianbao/invalidRequest", server::Backend::invalid_request)
            .custom_method("nianbao/repairedMessage", server::Backend::repaired_message);
    #[cfg(debug_assertions)]
    let builder = builder
        .custom_method("nianbao/debugPanic", server::Backend::debug_panic)
        .custom_method("nianbao/debugMemory", server::Backend::debug_memory);
    let (service, socket) = builder.finish();
    let state = service.inner().state();
    let trace = trace::Trace::from_env();
    let input = transport::GatedReader::new(trace::Traced::new(input, trace.clone()), gate.clone());
    let output = trace::Traced::new(transport::CountingWriter::new(output, gate.clone()), trace);
    let serving = Server::new(input, output, socket).serve(service);
    tokio::pin!(serving);
    tokio::select! {
        _ = &mut serving => {}
        _ = gate.input_ended() => {
            // Nothing more will come: answers in flight get a moment, but an
            // analysis still running does not keep the process alive.
            let _ = tokio::time::timeout(LINGER, &mut serving).await;
        }
    }
    state.shutdown_requested() || gate.shutdown_seen()
}
