//! JSON-RPC framing and message decoding: an initialize, then arbitrary bytes,
//! fed to the real `nianbao_lsp::serve`; it must return (no panic, no hang).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    })
}

fn frame(body: &str) -> Vec<u8> {
    let mut v = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    v.extend_from_slice(body.as_bytes());
    v
}

fuzz_target!(|data: &[u8]| {
    let mut input = frame(
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{"textDocument":{"diagnostic":{}}}}}"#,
    );
    input.extend(frame(
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
    ));
    input.extend_from_slice(data);
    let done = runtime().block_on(async {
        tokio::time::timeout(
            std::time::Duration::from_secs(5),
            nianbao_lsp::serve(std::io::Cursor::new(input), tokio::io::sink()),
        )
        .await
    });
    assert!(done.is_ok(), "serve did not return within 5 s");
});
