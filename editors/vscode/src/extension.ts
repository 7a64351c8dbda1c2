// VS Code client for the nianbao language server (政府信息公开工作年度报告 linter).
//
// The server does all the work (diagnostics, quick fixes, fix-all, settings);
// this extension finds the binary, starts `nianbao lsp` over stdio for Markdown
// and plain-text documents, and adds five commands.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { skeleton } from './skeleton';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('nianbao');
const SERVER_FIX_ALL_COMMAND = 'nianbao.fixAll';
const SERVER_RULE_DOCS_COMMAND = 'nianbao.ruleDocs';

/** The settings the server reads (section "nianbao"), as dotted keys. */
const SERVER_SETTINGS = [
  'language',
  'format',
  'rules',
  'attach',
  'profile.feeDecimals',
  'profile.requireRectification',
  'profile.section6Items',
];

/**
 * The "nianbao" settings the user set (user, workspace or folder settings), without the
 * defaults: `getConfiguration().get()` would answer the default `language: "zh"` for a
 * user who set nothing, and the server would let it override the `language` of the
 * report's nianbao.toml. A key left out is unset for the server. Object settings
 * (`rules`) merge user < workspace < folder, as VS Code merges them.
 */
export function userSettings(scope?: vscode.ConfigurationScope | null): Record<string, unknown> {
  const cfg = vscode.workspace.getConfiguration('nianbao', scope ?? undefined);
  const out: Record<string, unknown> = {};
  for (const key of SERVER_SETTINGS) {
    const i = cfg.inspect(key);
    if (!i) {
      continue;
    }
    const levels = [
      i.globalValue,
      i.globalLanguageValue,
      i.workspaceValue,
      i.workspaceLanguageValue,
      i.workspaceFolderValue,
      i.workspaceFolderLanguageValue,
    ].filter((v) => v !== undefined);
    if (levels.length === 0) {
      continue;
    }
    const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
    const value = levels.every(isObject)
      ? Object.assign({}, ...(levels as object[]))
      : levels[levels.length - 1];
    const parts = key.split('.');
    let at = out;
    for (const p of parts.slice(0, -1)) {
      at = (at[p] ??= {}) as Record<string, unknown>;
    }
    at[parts[parts.length - 1]] = value;
  }
  return out;
}
const exe = process.platform === 'win32' ? 'nianbao.exe' : 'nianbao';

/**
 * A LanguageClient that does not pop up "Request … failed" while it is being stopped or
 * restarted: requests the editor sends in that window (lightbulb code actions on cursor
 * moves) fail with "Starting server failed"; they are still written to the output channel.
 */
class NianbaoClient extends LanguageClient {
  stopping = false;
  /**
   * The server takes the message language from, in order: the `nianbao.language` the user
   * set, the report's nianbao.toml, then the client's locale. Only what the user set is
   * sent (see `userSettings`), so the default of the setting (Chinese) reaches the server
   * as the locale, whatever the language of VS Code's UI.
   */
  protected override getLocale(): string {
    const declared = vscode.workspace.getConfiguration('nianbao').inspect<string>('language')?.defaultValue;
    return declared === 'en' ? 'en' : 'zh-cn';
  }
  override error(message: string, data?: unknown, showNotification: boolean | 'force' = true): void {
    const quiet = this.stopping || restarting || this.state !== State.Running;
    super.error(message, data, quiet ? false : showNotification);
  }
}

let restarting = false;
let client: NianbaoClient | undefined;
let output: vscode.OutputChannel | undefined;
let extensionContext: vscode.ExtensionContext;

/** What `activate` returns: used by other extensions and by the end-to-end test. */
export interface NianbaoApi {
  readonly serverPath: string | undefined;
  readonly client: LanguageClient | undefined;
  /** Resolves once the client is running (or failed to start). */
  ready(): Promise<boolean>;
}

let readyPromise: Promise<boolean> = Promise.resolve(false);
let serverPath: string | undefined;

export interface ServerLookup {
  path?: string;
  /** Where it came from: 'setting' | 'bundled' | 'PATH'. */
  source?: string;
  /** Set when the configured path does not exist. */
  badSetting?: string;
}

function expandPath(p: string): string {
  let s = p.trim();
  if (s.startsWith('~/') || s === '~') {
    s = path.join(os.homedir(), s.slice(1));
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (folder) {
    s = s.replace(/\$\{workspaceFolder\}/g, folder);
  }
  if (!path.isAbsolute(s) && folder) {
    s = path.join(folder, s);
  }
  return s;
}

function isExecutable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) {
      return false;
    }
    if (process.platform !== 'win32') {
      fs.accessSync(p, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/** Setting `nianbao.server.path`, then the binary bundled in the extension, then PATH. */
export function findServer(extensionPath: string): ServerLookup {
  const configured = vscode.workspace.getConfiguration('nianbao').get<string | null>('server.path');
  if (configured && configured.trim() !== '') {
    const p = expandPath(configured);
    if (isExecutable(p)) {
      return { path: p, source: 'setting' };
    }
    return { badSetting: p };
  }
  const bundled = path.join(extensionPath, 'server', exe);
  if (isExecutable(bundled)) {
    return { path: bundled, source: 'bundled' };
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    const p = path.join(dir, exe);
    if (isExecutable(p)) {
      return { path: p, source: 'PATH' };
    }
  }
  return {};
}

function log(msg: string): void {
  output?.appendLine(`[client ${new Date().toISOString()}] ${msg}`);
}

/** Opens the settings UI at nianbao.server.path; in a remote window (code-server, SSH, WSL)
 *  that machine-scoped setting lives in the Remote tab. */
export async function openServerPathSetting(): Promise<void> {
  if (vscode.env.remoteName) {
    await vscode.commands.executeCommand('workbench.action.openRemoteSettings', { query: 'nianbao.server.path' });
  } else {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'nianbao.server.path');
  }
}

async function reportMissingServer(lookup: ServerLookup): Promise<void> {
  const openSettings = vscode.l10n.t('Open Settings');
  const showLog = vscode.l10n.t('Show Log');
  const msg = lookup.badSetting
    ? vscode.l10n.t(
        'nianbao: the language server configured in "nianbao.server.path" was not found or is not executable: {0}',
        lookup.badSetting,
      )
    : vscode.l10n.t(
        'nianbao: the language server was not found. Install `nianbao` on PATH, or set "nianbao.server.path" to the binary.',
      );
  log(msg);
  const choice = await vscode.window.showErrorMessage(msg, openSettings, showLog);
  if (choice === openSettings) {
    await openServerPathSetting();
  } else if (choice === showLog) {
    output?.show(true);
  }
}

async function startClient(context: vscode.ExtensionContext): Promise<boolean> {
  const lookup = findServer(context.extensionPath);
  serverPath = lookup.path;
  if (!lookup.path) {
    void reportMissingServer(lookup);
    return false;
  }
  log(`server: ${lookup.path} (${lookup.source})`);

  const run = { command: lookup.path, args: ['lsp'], transport: TransportKind.stdio, options: { env: process.env } };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'markdown' },
      { scheme: 'file', language: 'plaintext' },
      { scheme: 'untitled', language: 'markdown' },
      { scheme: 'untitled', language: 'plaintext' },
    ],
    // Sends workspace/didChangeConfiguration when any "nianbao.*" setting changes;
    // the server then pulls the section "nianbao" via workspace/configuration.
    synchronize: { configurationSection: 'nianbao' },
    // Both carry only the settings the user set (see `userSettings`).
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const answer = await next(params, token);
          if (!Array.isArray(answer)) {
            return answer;
          }
          return params.items.map((item, i) =>
            item.section === 'nianbao'
              ? userSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
              : answer[i],
          );
        },
        didChangeConfiguration: async (sections, next) => {
          if (!client || !(sections ?? []).some((s) => s === 'nianbao' || s.startsWith('nianbao.'))) {
            return next(sections);
          }
          await client.sendNotification(DidChangeConfigurationNotification.type, {
            settings: { nianbao: userSettings() },
          });
        },
      },
    },
    outputChannel: output,
    traceOutputChannel: output,
  };

  client = new NianbaoClient('nianbao', 'nianbao', serverOptions, clientOptions);
  try {
    await client.start();
    log(`started; server ${client.initializeResult?.serverInfo?.name ?? ''} ${client.initializeResult?.serverInfo?.version ?? ''}`);
    return true;
  } catch (e) {
    const msg = vscode.l10n.t('nianbao: the language server failed to start: {0}', String(e));
    log(msg);
    const showLog = vscode.l10n.t('Show Log');
    const openSettings = vscode.l10n.t('Open Settings');
    void vscode.window.showErrorMessage(msg, showLog, openSettings).then((c) => {
      if (c === showLog) {
        output?.show(true);
      } else if (c === openSettings) {
        void openServerPathSetting();
      }
    });
    return false;
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c && c.state !== State.Stopped) {
    c.stopping = true;
    try {
      await c.stop(5000);
    } catch (e) {
      log(`stop: ${String(e)}`);
    }
  }
}

async function restart(): Promise<void> {
  restarting = true;
  try {
    await stopClient();
    readyPromise = startClient(extensionContext);
    await readyPromise;
  } finally {
    restarting = false;
  }
}

function activeDocument(): vscode.TextDocument | undefined {
  const ed = vscode.window.activeTextEditor;
  if (!ed) {
    void vscode.window.showWarningMessage(vscode.l10n.t('nianbao: open a report first.'));
    return undefined;
  }
  return ed.document;
}

function fullRange(doc: vscode.TextDocument): vscode.Range {
  return new vscode.Range(new vscode.Position(0, 0), doc.lineAt(doc.lineCount - 1).range.end);
}

async function applyAction(action: vscode.CodeAction | vscode.Command): Promise<boolean> {
  if ('edit' in action || 'kind' in action || 'diagnostics' in action) {
    const ca = action as vscode.CodeAction;
    let done = false;
    if (ca.edit) {
      done = await vscode.workspace.applyEdit(ca.edit);
    }
    if (ca.command) {
      await vscode.commands.executeCommand(ca.command.command, ...(ca.command.arguments ?? []));
      done = true;
    }
    return done;
  }
  const cmd = action as vscode.Command;
  await vscode.commands.executeCommand(cmd.command, ...(cmd.arguments ?? []));
  return true;
}

/**
 * `vscode.executeCodeActionProvider`, retried: right after the window opens, the workbench
 * sometimes cancels the command ("Canceled") or returns nothing while its own lightbulb
 * request is in flight.
 */
export async function codeActions(
  doc: vscode.TextDocument,
  range: vscode.Range,
  kind: string | undefined,
  accept: (a: vscode.CodeAction | vscode.Command) => boolean,
): Promise<(vscode.CodeAction | vscode.Command)[]> {
  let last: (vscode.CodeAction | vscode.Command)[] = [];
  for (let attempt = 1; attempt <= 4; attempt++) {
    try {
      last =
        (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
          'vscode.executeCodeActionProvider',
          doc.uri,
          range,
          kind,
          10,
        )) ?? [];
      if (last.some(accept)) {
        return last;
      }
    } catch (e) {
      log(`code actions (attempt ${attempt}): ${String(e)}`);
    }
    await new Promise((r) => setTimeout(r, 300 * attempt));
  }
  return last;
}

/** 重算全部合计: the server's source.fixAll.nianbao action, or its `nianbao.fixAll` command. */
export async function recomputeTotals(doc?: vscode.TextDocument): Promise<boolean> {
  doc = doc ?? activeDocument();
  if (!doc) {
    return false;
  }
  await readyPromise;
  const isFixAll = (a: vscode.CodeAction | vscode.Command) =>
    'kind' in a && a.kind !== undefined && FIX_ALL_KIND.contains(a.kind as vscode.CodeActionKind);
  const actions = await codeActions(doc, fullRange(doc), FIX_ALL_KIND.value, isFixAll);
  const fixAll = actions.find(isFixAll);
  if (fixAll) {
    log(`fix all: applying code action "${fixAll.title}"`);
    return applyAction(fixAll);
  }
  const caps = client?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  if (client && caps.includes(SERVER_FIX_ALL_COMMAND)) {
    log('fix all: executing server command nianbao.fixAll');
    const before = doc.version;
    const target = doc;
    // The server answers as soon as it has sent workspace/applyEdit (`sent: true`): the
    // edit arrives just after the answer, so wait a moment for it.
    const changed = new Promise<boolean>((resolve) => {
      const sub = vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === target) {
          sub.dispose();
          resolve(true);
        }
      });
      setTimeout(() => {
        sub.dispose();
        resolve(target.version !== before);
      }, 5000);
    });
    const answer = await client.sendRequest<{ sent?: boolean; edits?: number } | null>('workspace/executeCommand', {
      command: SERVER_FIX_ALL_COMMAND,
      arguments: [doc.uri.toString()],
    });
    if (doc.version !== before) {
      return true;
    }
    return answer?.sent ? changed : false;
  }
  void vscode.window.showInformationMessage(vscode.l10n.t('nianbao: no totals to recompute.'));
  return false;
}

/** Where the last inserted skeleton came from (for the end-to-end test). */
export let lastTemplateSource: 'server' | 'builtin' | undefined;

/** 插入年报模板: the server's skeleton code action at the start of the document, or the built-in one. */
export async function insertTemplate(doc?: vscode.TextDocument): Promise<boolean> {
  doc = doc ?? activeDocument();
  if (!doc) {
    return false;
  }
  await readyPromise;
  // A new Untitled file is plain text, and VS Code's language detection turns it into
  // something else (Ini) a second after the skeleton is in: the server would stop
  // checking it. The skeleton is Markdown: say so first.
  if (doc.isUntitled || (doc.languageId !== 'markdown' && doc.languageId !== 'plaintext')) {
    if (doc.languageId !== 'markdown') {
      log(`insert template: setting the language of ${doc.uri.toString()} (${doc.languageId}) to markdown`);
      doc = await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
      await readyPromise;
    }
  }
  const start = new vscode.Range(0, 0, 0, 0);
  // The server titles it 插入2021年版年度报告模板 / "Insert the 2021-format report skeleton".
  const isTemplate = (a: vscode.CodeAction | vscode.Command) => /模板|框架|骨架|skeleton|template/i.test(a.title);
  const actions = await codeActions(doc, start, undefined, isTemplate);
  const tpl = actions.find(isTemplate);
  if (tpl) {
    log(`insert template: applying code action "${tpl.title}"`);
    lastTemplateSource = 'server';
    return applyAction(tpl);
  }
  lastTemplateSource = 'builtin';
  log('insert template: the server offered none; inserting the built-in 2021 skeleton');
  const year = new Date().getFullYear() - 1;
  const edit = new vscode.WorkspaceEdit();
  const pos = vscode.window.activeTextEditor?.document === doc
    ? vscode.window.activeTextEditor.selection.active
    : new vscode.Position(0, 0);
  edit.insert(doc.uri, pos, skeleton(year));
  return vscode.workspace.applyEdit(edit);
}

/** The rule list is shown from this read-only scheme: not a file or an untitled document,
 *  so the server is not asked to check it (its examples would look like a report). */
const RULES_SCHEME = 'nianbao-rules';
let rulesMarkdown = '';

/** 显示规则列表: the server's rule documentation (`nianbao.ruleDocs`) as a Markdown preview. */
export async function showRules(): Promise<vscode.TextDocument | undefined> {
  await readyPromise;
  if (!client) {
    void vscode.window.showWarningMessage(vscode.l10n.t('nianbao: the language server is not running.'));
    return undefined;
  }
  const answer = await client.sendRequest<{ markdown?: string } | null>('workspace/executeCommand', {
    command: SERVER_RULE_DOCS_COMMAND,
    arguments: [],
  });
  const markdown = answer?.markdown;
  if (!markdown) {
    void vscode.window.showWarningMessage(vscode.l10n.t('nianbao: this server has no rule list.'));
    return undefined;
  }
  rulesMarkdown = markdown;
  const uri = vscode.Uri.from({ scheme: RULES_SCHEME, path: '/nianbao-rules.md' });
  rulesChanged.fire(uri);
  let doc = await vscode.workspace.openTextDocument(uri);
  if (doc.languageId !== 'markdown') {
    doc = await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
  }
  await vscode.window.showTextDocument(doc, { preview: true });
  await Promise.resolve(vscode.commands.executeCommand('markdown.showPreviewToSide', uri)).catch((e) =>
    log(`rule list preview: ${String(e)}`),
  );
  return doc;
}

const rulesChanged = new vscode.EventEmitter<vscode.Uri>();

export async function activate(context: vscode.ExtensionContext): Promise<NianbaoApi> {
  extensionContext = context;
  output = vscode.window.createOutputChannel('nianbao');
  context.subscriptions.push(output);

  context.subscriptions.push(
    vscode.commands.registerCommand('nianbao.recomputeTotals', () => recomputeTotals()),
    vscode.commands.registerCommand('nianbao.insertTemplate', () => insertTemplate()),
    vscode.commands.registerCommand('nianbao.restartServer', () => restart()),
    vscode.commands.registerCommand('nianbao.showOutput', () => output?.show(true)),
    vscode.commands.registerCommand('nianbao.showRules', () => showRules()),
    vscode.workspace.registerTextDocumentContentProvider(RULES_SCHEME, {
      onDidChange: rulesChanged.event,
      provideTextDocumentContent: () => rulesMarkdown,
    }),
    rulesChanged,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('nianbao.server.path')) {
        void restart();
      }
    }),
    { dispose: () => void stopClient() },
  );

  readyPromise = startClient(context);

  const api: NianbaoApi = {
    get serverPath() {
      return serverPath;
    },
    get client() {
      return client;
    },
    ready: () => readyPromise,
  };

  if (process.env.NIANBAO_TEST_OUT) {
    // End-to-end test hook (tests/editors/vscode): never active for users.
    const { runSelfTest } = await import('./selftest');
    void runSelfTest(api, process.env.NIANBAO_TEST_OUT, output);
  }
  return api;
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
