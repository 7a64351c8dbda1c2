"""End-to-end tests of `nianbao lsp` with pytest-lsp, posing as four real clients.

Each test runs once per capability snapshot that pytest-lsp ships (VS Code, Neovim 0.7,
Neovim 0.11, Emacs). pytest-lsp decodes every server message into lsprotocol types and
checks results against the client's capabilities; it does not check what ranges *mean*, so
every range here is turned back into text (in the negotiated position encoding) and compared
with the cell it should cover, computed from the fixture text.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import pathlib
import re
import shutil
import tempfile
import unicodedata

import pytest
import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features
from pygls.protocol import default_converter

pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")

HERE = pathlib.Path(__file__).resolve().parent
FIXTURE = HERE.parent / "fixtures" / "report.md"
TEXT = FIXTURE.read_text(encoding="utf-8")
BIN = os.environ.get("NIANBAO_BIN") or str(HERE.parents[2] / "target" / "debug" / "nianbao")
TIMEOUT = float(os.environ.get("E2E_TIMEOUT", "15"))
CLIENTS = ["visual-studio-code", "neovim@v0.7.0", "neovim@v0.11.0", "emacs"]
WORKDIR = pathlib.Path(tempfile.mkdtemp(prefix="nianbao-e2e-pytest-"))
atexit.register(shutil.rmtree, WORKDIR, True)


# ------------------------------------------------------------------ text and positions
def lines_of(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)


def units(s: str, enc: str) -> int:
    if enc == T.PositionEncodingKind.Utf8:
        return len(s.encode("utf-8"))
    if enc == T.PositionEncodingKind.Utf32:
        return len(s)
    return len(s.encode("utf-16-le")) // 2


def col_to_index(line: str, col: int, enc: str) -> int:
    """Code-point index in `line` of column `col` counted in `enc`; fails on a split character."""
    n = 0
    for i, ch in enumerate(line):
        if n == col:
            return i
        n += units(ch, enc)
        if n > col:
            raise AssertionError(f"column {col} ({enc}) falls inside {ch!r} in {line!r}")
    assert n == col, f"column {col} ({enc}) is past the end of line {line!r} ({n})"
    return len(line)


def pos_to_offset(text: str, pos: T.Position, enc: str) -> int:
    ls = re.split(r"(\r\n|\r|\n)", text)  # lines and their breaks
    off = 0
    for i in range(pos.line):
        off += len(ls[2 * i]) + len(ls[2 * i + 1])
    return off + col_to_index(ls[2 * pos.line], pos.character, enc)


def range_text(text: str, r: T.Range, enc: str) -> str:
    return text[pos_to_offset(text, r.start, enc) : pos_to_offset(text, r.end, enc)]


def cells(line: str) -> list[tuple[int, int, str]]:
    """Trimmed `|`-separated fields of a line as (start, end, text), code-point offsets."""
    out, pos = [], 0
    for part in line.split("|"):
        stripped = part.strip()
        if stripped:
            lead = len(part) - len(part.lstrip())
            out.append((pos + lead, pos + lead + len(stripped), stripped))
        pos += len(part) + 1
    return out


def numbers(line: str) -> list[tuple[int, int, str]]:
    return [c for c in cells(line) if re.fullmatch(r"[0-9]+", c[2])]


def find_row(text: str, pred) -> int:
    for i, line in enumerate(lines_of(text)):
        if pred(line):
            return i
    raise AssertionError("fixture row not found")


def row_yi(text):  # 三、本年度办理结果 | (一)予以公开 | …
    return find_row(text, lambda l: "|" in l and "予以公开" in l)


def row_qi(text):  # (七)总计 | …
    return find_row(text, lambda l: "|" in l and re.search(r"[（(]七[）)]总计", l))


def row_si(text):  # 四、结转下年度继续办理 | …
    return find_row(text, lambda l: l.lstrip("| ").startswith("四、结转下年度继续办理"))


def cell_range(text: str, row: int, idx: int, enc: str) -> T.Range:
    line = lines_of(text)[row]
    s, e, _ = numbers(line)[idx - 1]
    return T.Range(T.Position(row, units(line[:s], enc)), T.Position(row, units(line[:e], enc)))


def row_values(text: str, row: int) -> list[int]:
    return [int(c[2]) for c in numbers(lines_of(text)[row])]


def expected_targets(text: str, enc: str) -> dict[str, list[T.Range]]:
    """Three independent mistakes, each the one cell the localiser names (one finding per
    wrong cell, none on the correct totals whose identities the mistakes break)."""
    return {
        "NB301": [cell_range(text, row_yi(text), 7, enc)],  # 总计 of （一）予以公开 (0, parts 3)
        "NB302": [cell_range(text, row_qi(text), 1, enc)],  # 自然人 of （七）总计 (0, column 3)
        "NB303": [cell_range(text, row_si(text), 1, enc)],  # 自然人 of 四、结转 (0, balance 1)
        "NB304": [],
        "NB305": [],
    }


def apply_edits(text: str, edits, enc: str) -> str:
    spans = sorted(
        ((pos_to_offset(text, e.range.start, enc), pos_to_offset(text, e.range.end, enc), e.new_text) for e in edits),
        reverse=True,
    )
    for i in range(len(spans) - 1):
        assert spans[i + 1][1] <= spans[i][0], f"overlapping edits: {spans}"
    for s, e, new in spans:
        text = text[:s] + new + text[e:]
    return text


def fmt_range(r: T.Range) -> str:
    return f"{r.start.line}:{r.start.character}-{r.end.line}:{r.end.character}"


# ------------------------------------------------------------------ the client
def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)

    def publish(client: LanguageClient, params: T.PublishDiagnosticsParams):
        client.diagnostics[params.uri] = params.diagnostics
        client.all_pushes.append(params)

    def register(client: LanguageClient, params: T.RegistrationParams):
        client.registrations.extend(params.registrations)

    def unregister(client: LanguageClient, params: T.UnregistrationParams):
        return None

    def apply_edit(client: LanguageClient, params: T.ApplyWorkspaceEditParams):
        client.applied_edits.append(params.edit)
        return T.ApplyWorkspaceEditResult(applied=True)

    def show_message_request(client: LanguageClient, params: T.ShowMessageRequestParams):
        return None

    features[T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[T.CLIENT_REGISTER_CAPABILITY] = register
    features[T.CLIENT_UNREGISTER_CAPABILITY] = unregister
    features[T.WORKSPACE_APPLY_EDIT] = apply_edit
    features[T.WINDOW_SHOW_MESSAGE_REQUEST] = show_message_request
    register_lsp_features(client, features)
    client.all_pushes = []
    client.registrations = []
    client.applied_edits = []
    return client


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[BIN, "lsp"], client_factory=make_client),
    params=CLIENTS,
)
async def client(request, lsp_client: LanguageClient):
    caps = client_capabilities(request.param)
    result = await lsp_client.initialize_session(
        T.InitializeParams(
            capabilities=caps,
            root_uri=WORKDIR.as_uri(),
            workspace_folders=[T.WorkspaceFolder(uri=WORKDIR.as_uri(), name="e2e")],
            client_info=T.ClientInfo(name=request.param),
        )
    )
    lsp_client.spec = request.param
    lsp_client.init_result = result
    lsp_client.server_caps = result.capabilities
    lsp_client.enc = result.capabilities.position_encoding or T.PositionEncodingKind.Utf16
    td = caps.text_document
    lsp_client.pulls = bool(td and td.diagnostic is not None)
    yield
    # A server that does not exit after shutdown + exit would hang pytest-lsp's teardown for good:
    # give it a few seconds, then kill it and fail the test.
    try:
        await asyncio.wait_for(lsp_client.shutdown_session(), 5)
    except asyncio.TimeoutError:
        server = lsp_client._server
        pid = server.pid if server else None
        if server and server.returncode is None:
            server.kill()
        pytest.fail(f"server (pid {pid}) did not exit within 5 s of shutdown + exit ({request.param})")


# ------------------------------------------------------------------ document state
class Doc:
    """One open document, kept in sync with the server."""

    counter = 0

    def __init__(self, client: LanguageClient, text: str = TEXT):
        Doc.counter += 1
        path = WORKDIR / f"report-{Doc.counter}.md"
        path.write_text(text, encoding="utf-8")
        self.client, self.uri, self.text, self.version = client, path.as_uri(), text, 1

    @property
    def enc(self) -> str:
        return self.client.enc

    def pushes_for_me(self):
        return [p for p in self.client.all_pushes if p.uri == self.uri]

    async def _await_push(self, send):
        """Send, then wait for the server to publish diagnostics for this version of the document."""
        before = len(self.pushes_for_me())
        send()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TIMEOUT
        while not [p for p in self.pushes_for_me()[before:] if p.version in (None, self.version)]:
            assert loop.time() < deadline, f"no publishDiagnostics for version {self.version} within {TIMEOUT}s"
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)  # a second publish for the same version would replace this one

    async def open(self, language_id: str = "markdown"):
        item = T.TextDocumentItem(uri=self.uri, language_id=language_id, version=self.version, text=self.text)
        send = lambda: self.client.text_document_did_open(T.DidOpenTextDocumentParams(text_document=item))
        if self.client.pulls:
            send()
        else:
            await self._await_push(send)

    async def change(self, edits):
        """Apply TextEdits locally and tell the server, incrementally when it asked for that."""
        new_text = apply_edits(self.text, edits, self.enc)
        self.version += 1
        sync = self.client.server_caps.text_document_sync
        kind = sync if isinstance(sync, T.TextDocumentSyncKind) else getattr(sync, "change", None)
        if kind == T.TextDocumentSyncKind.Incremental:
            # send the edits one by one from the end, each range valid in the text before it
            ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True)
            changes = [T.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in ordered]
        else:
            changes = [T.TextDocumentContentChangeWholeDocument(text=new_text)]
        self.text = new_text
        params = T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
            content_changes=changes,
        )
        send = lambda: self.client.text_document_did_change(params)
        if self.client.pulls:
            send()
        else:
            await self._await_push(send)

    async def diagnostics(self) -> list[T.Diagnostic]:
        if self.client.pulls:
            assert self.client.server_caps.diagnostic_provider is not None, (
                "client can pull but server offers no diagnosticProvider"
            )
            report = await asyncio.wait_for(
                self.client.text_document_diagnostic_async(
                    T.DocumentDiagnosticParams(text_document=T.TextDocumentIdentifier(uri=self.uri))
                ),
                TIMEOUT,
            )
            assert report.kind == "full", f"expected a full report, got {report}"
            return list(report.items)
        return list(self.client.diagnostics.get(self.uri, []))

    async def code_actions(self, rng: T.Range, diagnostics, only=None):
        res = await asyncio.wait_for(
            self.client.text_document_code_action_async(
                T.CodeActionParams(
                    text_document=T.TextDocumentIdentifier(uri=self.uri),
                    range=rng,
                    context=T.CodeActionContext(
                        diagnostics=diagnostics,
                        only=only,
                        trigger_kind=T.CodeActionTriggerKind.Invoked,
                    ),
                )
            ),
            TIMEOUT,
        )
        return [a for a in (res or []) if isinstance(a, T.CodeAction)], [a for a in (res or []) if isinstance(a, T.Command)]

    async def edit_of(self, action: T.CodeAction) -> T.WorkspaceEdit:
        """The action's edit: inline, or resolved when the client declared resolveSupport for it."""
        if action.edit is not None:
            return action.edit
        ca = self.client.capabilities.text_document.code_action
        resolvable = ca and ca.resolve_support and "edit" in ca.resolve_support.properties
        assert resolvable, f"action {action.title!r} has no edit and this client cannot resolve edits"
        assert self.client.server_caps.code_action_provider.resolve_provider, "no edit and no resolveProvider"
        resolved = await asyncio.wait_for(self.client.code_action_resolve_async(action), TIMEOUT)
        assert resolved.edit is not None, f"codeAction/resolve returned no edit: {resolved}"
        return resolved.edit

    def my_edits(self, wedit: T.WorkspaceEdit) -> list[T.TextEdit]:
        edits = []
        if wedit.document_changes:
            for dc in wedit.document_changes:
                assert isinstance(dc, T.TextDocumentEdit), f"unexpected document change {dc}"
                assert dc.text_document.uri == self.uri, f"edit for another document: {dc.text_document.uri}"
                assert dc.text_document.version in (None, self.version), (
                    f"edit for version {dc.text_document.version}, document is at {self.version}"
                )
                edits.extend(dc.edits)
        elif wedit.changes:
            assert set(wedit.changes) == {self.uri}, f"edits for other documents: {list(wedit.changes)}"
            edits.extend(wedit.changes[self.uri])
        return edits


def nb(diags, prefix="NB"):
    return [d for d in diags if isinstance(d.code, str) and d.code.startswith(prefix)]


def describe(doc: Doc, diags) -> str:
    return "; ".join(f"{d.code}@{fmt_range(d.range)}={range_text(doc.text, d.range, doc.enc)!r}" for d in diags)


def skip_unless(cond, what: str, client: LanguageClient):
    if not cond:
        pytest.skip(f"server does not advertise {what} (client snapshot {client.spec})")


# ------------------------------------------------------------------ tests
async def test_initialize(client: LanguageClient):
    caps = client.server_caps
    offered = None
    gen = client.capabilities.general
    if gen and gen.position_encodings:
        offered = list(gen.position_encodings)
    if offered:
        assert client.enc in offered, f"server chose {client.enc}, client offered {offered}"
    else:
        assert client.enc == T.PositionEncodingKind.Utf16, f"client offered none, server chose {client.enc}"
    assert caps.text_document_sync is not None
    assert caps.code_action_provider, "no codeActionProvider"
    if client.pulls:
        assert caps.diagnostic_provider is not None, "client pulls diagnostics, server offers no diagnosticProvider"
    print(
        f"{client.spec}: encoding={client.enc} sync={caps.text_document_sync} pull={client.pulls} "
        f"hover={caps.hover_provider} symbols={caps.document_symbol_provider} folding={caps.folding_range_provider} "
        f"formatting={caps.document_formatting_provider} commands={caps.execute_command_provider}"
    )


@pytest.mark.parametrize("language_id,eol", [("markdown", "\n"), ("plaintext", "\r\n")], ids=["md-lf", "txt-crlf"])
async def test_diagnostics_on_wrong_cells(client: LanguageClient, language_id: str, eol: str):
    doc = Doc(client, TEXT.replace("\n", eol))
    await doc.open(language_id)
    diags = await doc.diagnostics()
    want = expected_targets(doc.text, doc.enc)
    for code, ranges in want.items():
        got = nb(diags, code)
        assert sorted(fmt_range(d.range) for d in got) == sorted(fmt_range(r) for r in ranges), (
            f"{code}: expected at {[fmt_range(r) for r in ranges]}, got {describe(doc, got)}"
        )
        for d in got:
            assert range_text(doc.text, d.range, doc.enc) == "0", describe(doc, [d])
            assert d.source == "nianbao"
            assert d.severity is not None
            assert d.code_description is not None and d.code_description.href.startswith(("http://", "https://")), (
                f"{code}: codeDescription.href missing: {d.code_description}"
            )
            assert d.related_information, f"{code}: no relatedInformation"
            for ri in d.related_information:
                assert ri.location.uri == doc.uri
                covered = range_text(doc.text, ri.location.range, doc.enc)
                assert covered.strip(), f"{code}: related {fmt_range(ri.location.range)} covers nothing"
    assert len(nb(diags, "NB3")) == 3, f"one finding per wrong cell: {describe(doc, nb(diags, 'NB3'))}"
    # the wrong 总计 of （一） breaks its row's A and the 总计 column's B: one related entry each,
    # A on another cell of the (一) row, B on the column's total (七)总计·总计
    d301 = nb(diags, "NB301")[0]
    assert "应为 3" in d301.message and "实为 0" in d301.message, d301.message
    rel = {ri.message[:5]: ri.location.range for ri in d301.related_information}
    assert sorted(rel) == ["勾稽关系A", "勾稽关系B"], f"NB301 related: {[ri.message for ri in d301.related_information]}"
    yi = row_yi(doc.text)
    assert rel["勾稽关系A"].start.line == yi, fmt_range(rel["勾稽关系A"])
    assert rel["勾稽关系B"] == cell_range(doc.text, row_qi(doc.text), 7, doc.enc), fmt_range(rel["勾稽关系B"])


async def test_diagnostics_delivered_once(client: LanguageClient):
    doc = Doc(client)
    await doc.open()
    diags = await doc.diagnostics()
    assert nb(diags, "NB301")
    await asyncio.sleep(0.5)
    pushed = [p for p in doc.pushes_for_me() if p.diagnostics]
    if client.pulls:
        assert not pushed, f"pull client also received {len(pushed)} publishDiagnostics with items"
    else:
        assert pushed, "push client received no publishDiagnostics"


async def test_quickfix_clears_the_diagnostic(client: LanguageClient):
    doc = Doc(client)
    await doc.open()
    diags = await doc.diagnostics()
    [d301] = nb(diags, "NB301")
    actions, _ = await doc.code_actions(d301.range, [d301])
    quick = [a for a in actions if a.kind == T.CodeActionKind.QuickFix]
    assert quick, f"no quickfix offered: {[(a.title, a.kind) for a in actions]}"
    preferred = [a for a in quick if a.is_preferred]
    assert len(preferred) == 1, f"expected one preferred quickfix, got {[(a.title, a.is_preferred) for a in quick]}"
    fix = preferred[0]
    assert fix.diagnostics and any(d.code == "NB301" for d in fix.diagnostics), "quickfix does not name its diagnostic"
    ca = client.capabilities.text_document.code_action
    if not (ca and ca.resolve_support and "edit" in ca.resolve_support.properties):
        assert fix.edit is not None, "client cannot resolve: the edit must be inline"
    edits = doc.my_edits(await doc.edit_of(fix))
    assert len(edits) == 1 and edits[0].range == d301.range and edits[0].new_text == "3", (
        f"quick fix should rewrite exactly the total cell to 3: {edits}"
    )
    await doc.change(edits)
    assert row_values(doc.text, row_yi(doc.text)) == [3, 0, 0, 0, 0, 0, 3]
    after = await doc.diagnostics()
    assert not nb(after, "NB301"), f"NB301 still there: {describe(doc, nb(after, 'NB301'))}"
    # the two other mistakes stay where they were, each on its cell
    left = sorted((d.code, fmt_range(d.range)) for d in nb(after, "NB3"))
    want = expected_targets(doc.text, doc.enc)
    assert left == sorted([("NB302", fmt_range(want["NB302"][0])), ("NB303", fmt_range(want["NB303"][0]))]), (
        f"after the quick fix: {describe(doc, nb(after, 'NB3'))}"
    )


async def test_quickfix_for_each_identity(client: LanguageClient):
    """NB302 and NB303 also offer a preferred fix that writes their own cell's value."""
    doc = Doc(client)
    await doc.open()
    diags = await doc.diagnostics()
    for code, value in (("NB302", "3"), ("NB303", "1")):
        got = nb(diags, code)
        assert len(got) == 1, f"{code}: {describe(doc, got)}"
        for d in got:
            actions, _ = await doc.code_actions(d.range, [d])
            pref = [a for a in actions if a.kind == T.CodeActionKind.QuickFix and a.is_preferred]
            assert len(pref) == 1, f"{code}: {[(a.title, a.kind, a.is_preferred) for a in actions]}"
            edits = doc.my_edits(await doc.edit_of(pref[0]))
            assert [(e.range, e.new_text) for e in edits] == [(d.range, value)], (
                f"{code}: fix edits {edits}, diagnostic at {d.range}, want {value}"
            )


@pytest.mark.parametrize("only", ["source.fixAll.nianbao", "source.fixAll", "source"])
async def test_fix_all(client: LanguageClient, only: str):
    doc = Doc(client)
    await doc.open()
    diags = await doc.diagnostics()
    whole = T.Range(T.Position(0, 0), T.Position(len(lines_of(doc.text)), 0))
    actions, commands = await doc.code_actions(whole, diags, only=[only])
    fixall = [a for a in actions if a.kind == "source.fixAll.nianbao"]
    assert len(fixall) == 1, f"only={only}: {[(a.title, a.kind) for a in actions]} commands={commands}"
    assert all((a.kind or "").startswith(only) for a in actions), f"only={only} not honoured: {[a.kind for a in actions]}"
    edits = doc.my_edits(await doc.edit_of(fixall[0]))
    assert edits, "fix-all has no edits"
    await doc.change(edits)
    assert row_values(doc.text, row_yi(doc.text)) == [3, 0, 0, 0, 0, 0, 3]
    assert row_values(doc.text, row_qi(doc.text)) == [3, 0, 0, 0, 0, 0, 3]
    assert row_values(doc.text, row_si(doc.text)) == [1, 0, 0, 0, 0, 0, 1]
    after = await doc.diagnostics()
    assert not nb(after, "NB3"), f"after fix-all: {describe(doc, nb(after, 'NB3'))}"
    # running it again changes nothing
    actions, _ = await doc.code_actions(whole, after, only=[only])
    again = [a for a in actions if a.kind == "source.fixAll.nianbao"]
    if again:
        assert not doc.my_edits(await doc.edit_of(again[0])), "second fix-all still edits"


async def test_fix_all_command(client: LanguageClient):
    cmds = client.server_caps.execute_command_provider
    skip_unless(cmds and "nianbao.fixAll" in cmds.commands, "executeCommand nianbao.fixAll", client)
    doc = Doc(client)
    await doc.open()
    await asyncio.wait_for(
        client.workspace_execute_command_async(T.ExecuteCommandParams(command="nianbao.fixAll", arguments=[doc.uri])),
        TIMEOUT,
    )
    assert client.applied_edits, "nianbao.fixAll sent no workspace/applyEdit"
    edits = doc.my_edits(client.applied_edits[-1])
    await doc.change(edits)
    after = await doc.diagnostics()
    assert not nb(after, "NB3"), f"after nianbao.fixAll: {describe(doc, nb(after, 'NB3'))}"


async def test_hover_on_cell(client: LanguageClient):
    skip_unless(client.server_caps.hover_provider, "hoverProvider", client)
    doc = Doc(client)
    await doc.open()
    cell = cell_range(doc.text, row_yi(doc.text), 7, doc.enc)
    hover = await asyncio.wait_for(
        client.text_document_hover_async(
            T.HoverParams(text_document=T.TextDocumentIdentifier(uri=doc.uri), position=cell.start)
        ),
        TIMEOUT,
    )
    assert hover is not None, "no hover on the 总计 cell of （一）予以公开"
    c = hover.contents
    if isinstance(c, T.MarkupContent):
        body = c.value
    elif isinstance(c, list):
        body = "\n".join(x if isinstance(x, str) else x.value for x in c)
    else:
        body = c if isinstance(c, str) else c.value
    assert body.strip(), "empty hover"
    assert "总计" in body or "予以公开" in body, f"hover does not name the cell: {body!r}"
    # the hover says what the squiggle says: this cell should be 3, and the identities its
    # finding lists as broken (A of the row, B of the 总计 column) do not hold
    assert "「（一）予以公开·总计」应为 3" in body, f"hover does not name the located value: {body!r}"
    assert "✓ 勾稽关系A" not in body and "✓ 勾稽关系B" not in body, f"hover says a broken identity holds: {body!r}"
    if hover.range is not None:
        assert range_text(doc.text, hover.range, doc.enc) == "0", f"hover range covers {range_text(doc.text, hover.range, doc.enc)!r}"


async def test_document_symbols(client: LanguageClient):
    skip_unless(client.server_caps.document_symbol_provider, "documentSymbolProvider", client)
    doc = Doc(client)
    await doc.open()
    res = await asyncio.wait_for(
        client.text_document_document_symbol_async(
            T.DocumentSymbolParams(text_document=T.TextDocumentIdentifier(uri=doc.uri))
        ),
        TIMEOUT,
    )
    assert res, "no document symbols"
    names = []

    def walk(items, parent: T.Range | None):
        for s in items:
            names.append(s.name)
            if isinstance(s, T.DocumentSymbol):
                range_text(doc.text, s.range, doc.enc)  # valid positions
                sel = s.selection_range
                assert (sel.start.line, sel.start.character) >= (s.range.start.line, s.range.start.character)
                assert (sel.end.line, sel.end.character) <= (s.range.end.line, s.range.end.character)
                if parent:
                    assert parent.start.line <= s.range.start.line and s.range.end.line <= parent.end.line
                walk(s.children or [], s.range)
            else:
                assert s.location.uri == doc.uri
                range_text(doc.text, s.location.range, doc.enc)

    walk(res, None)
    joined = "\n".join(names)
    for title in ("总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "行政复议", "存在的主要问题", "其他需要报告的事项"):
        assert title in joined, f"no symbol for section {title}: {names}"


async def test_folding_ranges(client: LanguageClient):
    skip_unless(client.server_caps.folding_range_provider, "foldingRangeProvider", client)
    doc = Doc(client)
    await doc.open()
    res = await asyncio.wait_for(
        client.text_document_folding_range_async(T.FoldingRangeParams(text_document=T.TextDocumentIdentifier(uri=doc.uri))),
        TIMEOUT,
    )
    assert res, "no folding ranges"
    n = len(lines_of(doc.text))
    for f in res:
        assert 0 <= f.start_line < f.end_line < n, f"bad folding range {f}"
    yi = row_yi(doc.text)
    assert any(f.start_line < yi <= f.end_line for f in res), "no fold contains table 三"


async def test_formatting(client: LanguageClient):
    skip_unless(client.server_caps.document_formatting_provider, "documentFormattingProvider", client)
    doc = Doc(client)
    await doc.open()
    before = sorted((d.code, range_text(doc.text, d.range, doc.enc)) for d in nb(await doc.diagnostics(), "NB3"))
    opts = T.FormattingOptions(tab_size=4, insert_spaces=True)
    params = T.DocumentFormattingParams(text_document=T.TextDocumentIdentifier(uri=doc.uri), options=opts)
    edits = await asyncio.wait_for(client.text_document_formatting_async(params), TIMEOUT)
    if edits:
        await doc.change(edits)
    assert "𠀀" in doc.text
    for row in (row_yi, row_qi, row_si):
        assert row_values(doc.text, row(doc.text)) == row_values(TEXT, row(TEXT)), "formatting changed numbers"
    after = sorted((d.code, range_text(doc.text, d.range, doc.enc)) for d in nb(await doc.diagnostics(), "NB3"))
    assert after == before, f"diagnostics changed by formatting: {before} -> {after}"
    # pipe tables come out aligned in display columns (CJK and 𠀀 count 2): the k-th '|' of every
    # row of a table block sits in the same display column
    block: list[str] = []
    for line in lines_of(doc.text) + [""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if len(block) > 1:
            cols: dict[int, set[int]] = {}
            for row in block:
                w = 0
                k = 0
                for ch in row:
                    if ch == "|":
                        cols.setdefault(k, set()).add(w)
                        k += 1
                    w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
            bad = {k: sorted(v) for k, v in cols.items() if len(v) > 1}
            assert not bad, f"table not aligned (pipe index: display columns) {bad} in\n" + "\n".join(block)
        block = []
    again = await asyncio.wait_for(client.text_document_formatting_async(params), TIMEOUT)
    assert not again, f"formatting is not idempotent: second pass edits {again}"
