"""Process lifecycle of `nianbao lsp` over raw stdio: the server must end when the client says so.

Editors wait for the server to exit after `shutdown` + `exit` (Neovim, VS Code, pytest-lsp) or
kill it (eglot); a server that lingers hangs the editor's exit or piles up processes. These tests
talk JSON-RPC directly so that the order of messages is exactly the one written here.
"""

from __future__ import annotations

import json
import os
import pathlib
import queue
import subprocess
import threading
import time

import pytest
from lsprotocol.converters import get_converter
from pytest_lsp import client_capabilities

HERE = pathlib.Path(__file__).resolve().parent
BIN = os.environ.get("NIANBAO_BIN") or str(HERE.parents[2] / "target" / "debug" / "nianbao")
CLIENTS = ["visual-studio-code", "neovim@v0.7.0", "neovim@v0.11.0", "emacs"]
WAIT = 3.0


class Raw:
    def __init__(self, spec: str):
        self.caps = get_converter().unstructure(client_capabilities(spec))
        self.proc = subprocess.Popen(
            [BIN, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.inbox: queue.Queue = queue.Queue()
        self.transcript: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            header = b""
            while not header.endswith(b"\r\n\r\n"):
                c = out.read(1)
                if not c:
                    self.inbox.put(None)
                    return
                header += c
            n = next(int(l.split(b":")[1]) for l in header.split(b"\r\n") if l.lower().startswith(b"content-length"))
            msg = json.loads(out.read(n))
            self.transcript.append("<- " + json.dumps(msg, ensure_ascii=False)[:200])
            self.inbox.put(msg)

    def send(self, obj):
        self.transcript.append("-> " + json.dumps(obj, ensure_ascii=False)[:200])
        body = json.dumps(obj).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def until_reply(self, id_, answer_requests: bool, held: list):
        """Read until the reply to `id_`; server requests are answered or held back."""
        deadline = time.time() + WAIT
        while time.time() < deadline:
            try:
                msg = self.inbox.get(timeout=deadline - time.time())
            except queue.Empty:
                break
            if msg is None:
                raise AssertionError("server closed stdout\n" + self.log())
            if "method" in msg and "id" in msg:
                if answer_requests:
                    self.answer(msg)
                else:
                    held.append(msg)
            elif msg.get("id") == id_:
                return msg
        raise AssertionError(f"no reply to {id_}\n" + self.log())

    def answer(self, req):
        result = [None] * len(req["params"]["items"]) if req["method"] == "workspace/configuration" else None
        self.send({"jsonrpc": "2.0", "id": req["id"], "result": result})

    def settle(self, answer: bool = True, quiet: float = 0.4) -> list:
        """Read until the server has been quiet for `quiet` seconds; answer (or collect) its requests."""
        held = []
        while True:
            try:
                msg = self.inbox.get(timeout=quiet)
            except queue.Empty:
                return held
            if msg and "method" in msg and "id" in msg:
                if answer:
                    self.answer(msg)
                else:
                    held.append(msg)

    def initialize(self):
        self.send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                   "params": {"processId": os.getpid(), "rootUri": None, "capabilities": self.caps}})
        self.until_reply(1, True, [])
        self.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})

    def wait_exit(self) -> int | None:
        try:
            return self.proc.wait(WAIT)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log(self) -> str:
        return "\n".join(self.transcript[-20:])


@pytest.fixture(params=CLIENTS)
def raw(request):
    r = Raw(request.param)
    yield r
    r.kill()


def test_shutdown_exit_ends_with_status_0(raw: Raw):
    raw.initialize()
    held: list = []
    raw.settle()  # answer whatever the server asks at startup
    raw.send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    raw.until_reply(2, True, held)
    raw.send({"jsonrpc": "2.0", "method": "exit"})
    rc = raw.wait_exit()
    assert rc == 0, f"exit status {rc} (None = still running {WAIT}s after exit)\n{raw.log()}"


def test_exit_while_server_awaits_a_reply(raw: Raw):
    """shutdown + exit right after initialized, before the client answered the server's own
    startup requests (client/registerCapability, workspace/configuration), answered only later."""
    raw.initialize()
    held: list = []
    raw.send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    raw.until_reply(2, False, held)
    raw.send({"jsonrpc": "2.0", "method": "exit"})
    time.sleep(0.2)
    try:
        while True:
            msg = raw.inbox.get_nowait()
            if msg and "method" in msg and "id" in msg:
                held.append(msg)
    except queue.Empty:
        pass
    for req in held:
        try:
            raw.answer(req)
        except (BrokenPipeError, ValueError):  # the server has already gone: that is fine
            break
    rc = raw.wait_exit()
    if rc is None:
        raw.proc.stdin.close()
        rc_after_eof = raw.wait_exit()
        pytest.fail(
            f"server still running {WAIT}s after exit; after closing stdin: "
            f"{'still running' if rc_after_eof is None else f'exited {rc_after_eof}'}\n{raw.log()}"
        )


def test_stdin_eof_ends_server(raw: Raw):
    """An editor that dies closes the pipe without exit: the server must not linger."""
    raw.initialize()
    raw.settle()
    raw.proc.stdin.close()
    rc = raw.wait_exit()
    assert rc is not None, f"server still running {WAIT}s after stdin closed\n{raw.log()}"


def test_stdin_eof_while_server_awaits_a_reply(raw: Raw):
    """The editor dies while the server waits for the answer to one of its own requests."""
    raw.initialize()
    held = raw.settle(answer=False)
    raw.proc.stdin.close()
    rc = raw.wait_exit()
    asked = [m["method"] for m in held]
    assert rc is not None, f"server still running {WAIT}s after stdin closed (unanswered: {asked})\n{raw.log()}"
