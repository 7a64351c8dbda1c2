// End-to-end self test, run only when the environment variable NIANBAO_TEST_OUT is set
// (tests/editors/vscode/run.sh starts code-server that way). It drives the real
// editor the way a user would (open the report, quick fix, fix-all command, change
// a setting, insert the skeleton) and writes what it saw to NIANBAO_TEST_OUT as JSON;
// the test script judges it.

import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import * as nianbao from './extension';
import { codeActions, type NianbaoApi } from './extension';

interface DiagOut {
  code: string;
  severity: string;
  message: string;
  source?: string;
  range: [number, number, number, number];
  text: string;
  line: string;
}

function codeOf(d: vscode.Diagnostic): string {
  if (d.code === undefined) {
    return '';
  }
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

function dump(doc: vscode.TextDocument): DiagOut[] {
  return vscode.languages
    .getDiagnostics(doc.uri)
    .filter((d) => d.source === 'nianbao' || /^NB\d+/.test(codeOf(d)))
    .map((d) => ({
      code: codeOf(d),
      severity: vscode.DiagnosticSeverity[d.severity],
      message: d.message,
      source: d.source,
      range: [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character],
      text: doc.getText(d.range),
      line: doc.lineAt(d.range.start.line).text,
    }));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor<T>(what: string, f: () => T | undefined | false, ms = 30000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) {
      return v;
    }
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(100);
  }
}

async function replaceAll(doc: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), text);
  await vscode.workspace.applyEdit(edit);
}

export async function runSelfTest(api: NianbaoApi, outFile: string, output?: vscode.OutputChannel): Promise<void> {
  const result: Record<string, unknown> = { started: new Date().toISOString(), steps: [] as string[] };
  const steps = result.steps as string[];
  const t0 = Date.now();
  const write = () => {
    result.elapsedMs = Date.now() - t0;
    fs.writeFileSync(outFile + '.tmp', JSON.stringify(result, null, 2));
    fs.renameSync(outFile + '.tmp', outFile);
  };
  const step = (s: string) => {
    steps.push(`${Date.now() - t0}ms ${s}`);
    output?.appendLine(`[selftest] ${s}`);
    write();
  };
  try {
    const ext = vscode.extensions.getExtension('nianbao.nianbao');
    result.extensionVersion = ext?.packageJSON.version;
    result.vscodeVersion = vscode.version;
    result.started = await api.ready();
    result.serverPath = api.serverPath;
    result.serverInfo = api.client?.initializeResult?.serverInfo;
    result.capabilities = api.client?.initializeResult?.capabilities;
    step(`client ready: ${String(result.started)} ${api.serverPath}`);
    if (!result.started) {
      throw new Error('client did not start');
    }
    // The test script is still driving the window (Quick Open) until it writes this file;
    // a key it presses after we put the report in front would land in the report.
    const go = await waitFor('the test script to finish opening the report', () => fs.existsSync(outFile + '.go'), 120000)
      .then(() => true, () => false);
    step(go ? 'window ready' : 'no go-ahead from the test script after 120 s; going on');

    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const reportPath = process.env.NIANBAO_TEST_REPORT ?? path.join(folder, 'report.md');
    const original = fs.readFileSync(reportPath, 'utf8');
    let doc = await vscode.workspace.openTextDocument(vscode.Uri.file(reportPath));
    await vscode.window.showTextDocument(doc);
    result.languageId = doc.languageId;
    step(`opened ${reportPath} as ${doc.languageId}`);

    const hasNB301 = () => dump(doc).find((d) => d.code === 'NB301');
    const first = await waitFor('NB301 diagnostic', hasNB301);
    result.initial = dump(doc);
    step(`diagnostics: ${(result.initial as DiagOut[]).map((d) => d.code).join(' ')}`);
    if (process.env.NIANBAO_TEST_QUICK) {
      result.ok = true;
      result.done = true;
      step('done (quick)');
      return;
    }

    // Quick fix on the wrong total.
    const diag = vscode.languages.getDiagnostics(doc.uri).find((d) => codeOf(d) === 'NB301')!;
    const isQuickFix = (a: vscode.CodeAction | vscode.Command) =>
      'kind' in a && !!a.kind && vscode.CodeActionKind.QuickFix.contains(a.kind as vscode.CodeActionKind);
    const actions = (await codeActions(doc, diag.range, undefined, isQuickFix)) as vscode.CodeAction[];
    result.quickFixTitles = actions.map((a) => ({ title: a.title, kind: a.kind?.value, hasEdit: !!a.edit }));
    const qf = actions.find(
      (a) => a.kind && vscode.CodeActionKind.QuickFix.contains(a.kind) && (a.diagnostics ?? []).some((d) => codeOf(d) === 'NB301'),
    ) ?? actions.find((a) => a.kind && vscode.CodeActionKind.QuickFix.contains(a.kind));
    step(`code actions at ${first.range}: ${actions.map((a) => a.title).join(' / ')}`);
    if (qf?.edit) {
      result.quickFixApplied = await vscode.workspace.applyEdit(qf.edit);
    } else if (qf?.command) {
      await vscode.commands.executeCommand(qf.command.command, ...(qf.command.arguments ?? []));
      result.quickFixApplied = true;
    }
    result.afterQuickFixLine = doc.lineAt(first.range[0]).text;
    await waitFor('NB301 gone after quick fix', () => !hasNB301(), 15000).catch(() => undefined);
    result.afterQuickFix = dump(doc);
    step('quick fix applied');

    // Fix-all command on the original text.
    await replaceAll(doc, original);
    await waitFor('NB301 back', hasNB301, 15000);
    result.fixAllResult = await vscode.commands.executeCommand('nianbao.recomputeTotals');
    result.afterFixAllText = doc.getText();
    await waitFor('NB301 gone after fix all', () => !hasNB301(), 15000).catch(() => undefined);
    await sleep(500);
    result.afterFixAll = dump(doc);
    step('fix all applied');

    // The code lens above table 三 (重算本表 N 处合计): the server's nianbao.fixTable command,
    // which answers with workspace/applyEdit.
    await replaceAll(doc, original);
    await waitFor('NB301 back', hasNB301, 15000);
    const lenses =
      (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10)) ?? [];
    result.codeLenses = lenses.map((l) => ({ line: l.range.start.line, title: l.command?.title, command: l.command?.command }));
    const lens = lenses.find((l) => l.command && /重算|Recompute/i.test(l.command.title));
    if (lens?.command) {
      await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
      await waitFor('code lens edit', () => doc.getText() !== original, 10000).catch(() => undefined);
    }
    result.afterCodeLensText = doc.getText();
    step(`code lens: ${lens?.command?.title ?? 'none'}`);

    // Change the message language.
    await replaceAll(doc, original);
    await waitFor('NB301 back', hasNB301, 15000);
    result.zhMessage = hasNB301()!.message;
    await vscode.workspace.getConfiguration('nianbao').update('language', 'en', vscode.ConfigurationTarget.Workspace);
    await waitFor('English message', () => {
      const d = hasNB301();
      return d && d.message !== result.zhMessage;
    }, 15000).catch(() => undefined);
    result.enMessage = hasNB301()?.message;
    result.english = dump(doc);
    step(`language en: ${String(result.enMessage)}`);

    // Disable a rule through nianbao.rules.
    await vscode.workspace
      .getConfiguration('nianbao')
      .update('rules', { NB301: { enabled: false } }, vscode.ConfigurationTarget.Workspace);
    await waitFor('NB301 disabled', () => !hasNB301(), 15000).catch(() => undefined);
    result.withNB301Disabled = dump(doc);
    await vscode.workspace.getConfiguration('nianbao').update('rules', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('nianbao').update('language', undefined, vscode.ConfigurationTarget.Workspace);
    await waitFor('NB301 back in Chinese', () => hasNB301()?.message === result.zhMessage, 15000).catch(() => undefined);
    result.restored = dump(doc);
    step('settings restored');

    // nianbao.toml beside the report says language = "en", and the user set no
    // nianbao.language: the extension must not send the default "zh" as if it were set.
    const tomlPath = path.join(folder, 'nianbao.toml');
    fs.writeFileSync(tomlPath, 'language = "en"\n');
    const english = () => {
      const d = hasNB301();
      return d && d.message !== result.zhMessage && /[A-Za-z]{3}/.test(d.message) && !/[\u3400-\u9fff]/.test(d.message);
    };
    await waitFor('English from nianbao.toml', english, 8000).catch(async () => {
      // No file watcher event: an edit makes the server look at the file again.
      await replaceAll(doc, original + '\n');
      await replaceAll(doc, original);
      await waitFor('English from nianbao.toml after an edit', english, 10000).catch(() => undefined);
    });
    result.tomlEnglishMessage = hasNB301()?.message;
    fs.rmSync(tomlPath, { force: true });
    await waitFor('Chinese without nianbao.toml', () => hasNB301()?.message === result.zhMessage, 8000).catch(async () => {
      await replaceAll(doc, original + '\n');
      await replaceAll(doc, original);
      await waitFor('Chinese after an edit', () => hasNB301()?.message === result.zhMessage, 10000).catch(() => undefined);
    });
    result.afterTomlRemoved = hasNB301()?.message;
    step(`nianbao.toml language = "en": ${String(result.tomlEnglishMessage)}`);

    // Document symbols: each block of table 二 is a symbol (sticky scroll shows the block in view).
    const symbols =
      (await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri)) ?? [];
    const table2 = symbols.flatMap((s) => s.children ?? []).find((c) => c.name === '表二' || c.name === 'Table 2');
    result.table2Blocks = (table2?.children ?? []).map((b) => ({
      name: b.name,
      start: b.range.start.line,
      end: b.range.end.line,
      lastLine: doc.lineAt(b.range.end.line).text,
    }));
    step(`table 二 blocks: ${(table2?.children ?? []).map((b) => b.name).join(' / ')}`);

    // 显示规则列表: the server's rule documentation, shown as Markdown, not checked as a report.
    const rules = await Promise.resolve(
      vscode.commands.executeCommand<vscode.TextDocument | undefined>('nianbao.showRules'),
    ).catch((e) => {
      result.rulesError = String(e);
      return undefined;
    });
    await sleep(1500);
    result.rulesScheme = rules?.uri.scheme;
    result.rulesLanguage = rules?.languageId;
    result.rulesHasNB301 = !!rules?.getText().includes('## NB301');
    result.rulesDiagnostics = rules ? vscode.languages.getDiagnostics(rules.uri).length : -1;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.window.showTextDocument(doc, { preview: false });
    step(`rule list: ${String(result.rulesScheme)} ${String(result.rulesLanguage)}`);

    // 插入年报模板 in a new Untitled file: it must stay Markdown (VS Code's language
    // detection would make it Ini a second later) and stay checked.
    await vscode.commands.executeCommand('workbench.action.files.newUntitledFile');
    await sleep(300);
    result.untitledInsert = await vscode.commands.executeCommand('nianbao.insertTemplate');
    await sleep(3000);
    const untitled = vscode.window.activeTextEditor?.document;
    result.untitledLanguage = untitled?.languageId;
    if (untitled) {
      const row = [...Array(untitled.lineCount).keys()].find((i) => untitled.lineAt(i).text.includes('（一）予以公开'));
      if (row !== undefined) {
        const line = untitled.lineAt(row).text;
        const at = line.lastIndexOf('| 0 |');
        const edit = new vscode.WorkspaceEdit();
        edit.replace(untitled.uri, new vscode.Range(row, at + 2, row, at + 3), '9');
        await vscode.workspace.applyEdit(edit);
        await waitFor('NB301 in the untitled report', () =>
          vscode.languages.getDiagnostics(untitled.uri).some((d) => codeOf(d) === 'NB301'), 15000).catch(() => undefined);
      }
      result.untitledLanguageAfterEdit = untitled.languageId;
      result.untitledDiagnostics = dump(untitled).map((d) => d.code);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await vscode.window.showTextDocument(doc, { preview: false });
    step(`untitled skeleton: ${String(result.untitledLanguage)} ${(result.untitledDiagnostics as string[] | undefined)?.join(' ')}`);

    // Insert the skeleton into an empty Markdown document.
    const emptyPath = path.join(folder, 'empty.md');
    fs.writeFileSync(emptyPath, '');
    const empty = await vscode.workspace.openTextDocument(vscode.Uri.file(emptyPath));
    await vscode.window.showTextDocument(empty);
    await sleep(300);
    result.insertTemplateResult = await vscode.commands.executeCommand('nianbao.insertTemplate');
    result.templateText = empty.getText();
    result.templateSource = nianbao.lastTemplateSource;
    await sleep(1500);
    result.templateDiagnostics = dump(empty);
    await empty.save();
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    fs.rmSync(emptyPath, { force: true });
    fs.rmSync(path.join(folder, '.vscode'), { recursive: true, force: true });
    step('template inserted');

    // 重启服务器 and 显示输出日志.
    const before = api.client;
    await vscode.commands.executeCommand('nianbao.restartServer');
    result.restarted = (await api.ready()) && api.client !== undefined && api.client !== before && api.client.isRunning();
    await vscode.commands.executeCommand('nianbao.showOutput');
    await sleep(300);
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.window.showTextDocument(doc, { preview: false });
    await waitFor('NB301 after the restart', hasNB301, 20000).catch(() => undefined);
    result.afterRestart = dump(doc);
    step(`restarted: ${String(result.restarted)}`);

    // Leave the untouched report open with its squiggles for the screenshot. Closing the
    // other editors may have closed this document too: open it again by its URI.
    if (doc.isClosed) {
      doc = await vscode.workspace.openTextDocument(doc.uri);
    }
    await doc.save();
    await vscode.window.showTextDocument(doc, { preview: false });
    const line = first.range[0];
    const ed = vscode.window.activeTextEditor!;
    ed.revealRange(new vscode.Range(Math.max(0, line - 12), 0, line + 12, 0), vscode.TextEditorRevealType.AtTop);
    ed.selection = new vscode.Selection(line, 0, line, 0);
    result.ok = true;
  } catch (e) {
    result.ok = false;
    result.error = String(e instanceof Error ? e.stack : e);
  }
  result.done = true;
  step('done');
}
