// Real VS Code (code-server) + headless Chromium end-to-end tests of editors/vscode.
//
// node e2e.mjs SCENARIO
//   bundled   install the linux-x64 .vsix (bundled server), open the report; the extension's
//             test hook (NIANBAO_TEST_OUT) drives diagnostics / quick fix / fix all / settings /
//             skeleton and writes what it saw; then hover a squiggle and take a screenshot.
//   missing   install the universal .vsix with no server anywhere: the error notification
//             must say so and its "Open Settings" button must open nianbao.server.path.
// Env: CODE_SERVER (bin), PW_CORE (playwright-core dir), VSIX, REPORT, OUT_DIR, CHROMIUM.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const scenario = process.argv[2] ?? 'bundled';
const env = (k, d) => process.env[k] ?? d ?? (() => { throw new Error(`${k} not set`); })();
const codeServer = env('CODE_SERVER');
const require = createRequire(import.meta.url);
const { chromium } = require(env('PW_CORE'));
const vsix = env('VSIX');
const report = env('REPORT');
const outDir = env('OUT_DIR');
const chromiumPath = env('CHROMIUM', '/usr/bin/chromium');

let passed = 0;
let failed = 0;
function check(ok, name, detail) {
  if (ok) {
    passed++;
    console.log(`ok ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}${detail === undefined ? '' : ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail, null, 1))}`);
  }
}

function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// An English message: Latin words and no Chinese (it may open with a quoted cell name, “(1) …”).
const isEnglish = (m) => /[A-Za-z]{3}/.test(m) && !/[\u3400-\u9fff]/.test(m);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, f, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(250);
  }
}

/** PATH with every directory that holds a `nianbao` removed: the server must come from the vsix. */
function pathWithoutNianbao() {
  return (process.env.PATH ?? '')
    .split(':')
    .filter((d) => d && !fs.existsSync(path.join(d, 'nianbao')))
    .join(':');
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `nb-vscode-${scenario}-`));
const ext = path.join(tmp, 'extensions');
const user = path.join(tmp, 'user-data');
const ws = path.join(tmp, 'workspace');
fs.mkdirSync(path.join(user, 'User'), { recursive: true });
fs.mkdirSync(ws, { recursive: true });
fs.mkdirSync(outDir, { recursive: true });
fs.copyFileSync(report, path.join(ws, 'report.md'));
fs.writeFileSync(
  path.join(user, 'User', 'settings.json'),
  JSON.stringify(
    {
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.welcomePage.walkthroughs.openOnInstall': false,
      'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      'update.mode': 'none',
      'workbench.colorTheme': 'Default Light Modern',
      'editor.minimap.enabled': false,
      'editor.fontSize': 15,
      'window.zoomLevel': 0,
      'nianbao.trace.server': process.env.NB_TRACE ?? 'off',
    },
    null,
    2,
  ),
);
// Scenario "setting": the server comes from nianbao.server.path in the remote (machine) settings.
if (scenario === 'setting') {
  fs.mkdirSync(path.join(user, 'Machine'), { recursive: true });
  fs.writeFileSync(path.join(user, 'Machine', 'settings.json'), JSON.stringify({ 'nianbao.server.path': env('NIANBAO_BIN') }));
}
const xdg = {
  XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'),
  XDG_DATA_HOME: path.join(tmp, 'xdg-data'),
  XDG_CACHE_HOME: path.join(tmp, 'xdg-cache'),
  XDG_STATE_HOME: path.join(tmp, 'xdg-state'),
  HOME: path.join(tmp, 'home'),
};
fs.mkdirSync(xdg.HOME, { recursive: true });

const t0 = Date.now();
const installOut = execFileSync(
  codeServer,
  ['--extensions-dir', ext, '--user-data-dir', user, '--install-extension', vsix],
  { env: { ...process.env, ...xdg }, encoding: 'utf8' },
);
check(/successfully installed/i.test(installOut), `code-server --install-extension ${path.basename(vsix)}`, installOut);
console.log(`  install: ${Date.now() - t0} ms`);

const port = await freePort();
const hookOut = path.join(tmp, 'selftest.json');
const serverEnv = { ...process.env, ...xdg, PATH: pathWithoutNianbao() };
delete serverEnv.NIANBAO_TEST_OUT;
delete serverEnv.NIANBAO_TEST_QUICK;
if (scenario !== 'missing') serverEnv.NIANBAO_TEST_OUT = hookOut;
if (scenario === 'path' || scenario === 'setting') serverEnv.NIANBAO_TEST_QUICK = '1';
// Scenario "path": the server is installed in ~/.local/bin, which the user's ~/.profile puts
// on PATH: the extension host takes its PATH from a login shell, not from code-server's env.
let expectedServer = env('NIANBAO_BIN', '');
if (scenario === 'path') {
  const localBin = path.join(xdg.HOME, '.local', 'bin');
  fs.mkdirSync(localBin, { recursive: true });
  fs.symlinkSync(fs.realpathSync(env('NIANBAO_BIN')), path.join(localBin, 'nianbao'));
  fs.writeFileSync(path.join(xdg.HOME, '.profile'), 'PATH="$HOME/.local/bin:$PATH"\nexport PATH\n');
  expectedServer = path.join(localBin, 'nianbao');
}
const csLog = fs.openSync(path.join(outDir, `code-server-${scenario}.log`), 'w');
const cs = spawn(
  codeServer,
  [
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--disable-getting-started-override', '--extensions-dir', ext, '--user-data-dir', user, ws,
  ],
  { env: serverEnv, stdio: ['ignore', csLog, csLog], detached: true },
);
let browser;
try {
  await waitFor('code-server /healthz', async () => {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      return r.ok;
    } catch {
      return false;
    }
  }, 60000);
  const t1 = Date.now();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60000 });

  // Open the report the way a user does (Quick Open): the extension activates on Markdown.
  // On a loaded machine the file search may not be ready when Enter is pressed, so wait for
  // the editor tab and try again (up to 4 times) when it did not open.
  await sleep(1500);
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+p');
    await page.waitForSelector('.quick-input-widget input', { timeout: 20000 });
    await page.keyboard.type('report.md');
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 15000 }).catch(() => null);
    await sleep(800);
    await page.keyboard.press('Enter');
    const tab = await page
      .waitForSelector('.tabs-container .tab[aria-label*="report.md"], .tabs-container .tab:has-text("report.md")', { timeout: 15000 })
      .catch(() => null);
    if (tab) {
      if (attempt > 1) console.log(`  report opened on attempt ${attempt}`);
      break;
    }
    if (attempt >= 4) throw new Error('Quick Open did not open report.md after 4 attempts');
    console.log(`  Quick Open attempt ${attempt} did not open report.md; trying again`);
  }
  // The self test starts when the extension activates, which can be before the Enter above
  // reached Quick Open: a key pressed after the self test put the report in front would be
  // typed into the report. So the self test waits for this file before it touches anything.
  await page.waitForSelector('.quick-input-widget', { state: 'hidden', timeout: 10000 }).catch(() => null);
  if (scenario !== 'missing') fs.writeFileSync(`${hookOut}.go`, '');

  if (scenario === 'path' || scenario === 'setting') {
    const res = await waitFor('the extension test hook', () => {
      try {
        const j = JSON.parse(fs.readFileSync(hookOut, 'utf8'));
        return j.done ? j : false;
      } catch {
        return false;
      }
    }, 120000);
    for (const s of res.steps ?? []) console.log(`  | ${s}`);
    check(res.ok === true, 'test hook finished without error', res.error);
    check(res.serverPath === expectedServer, `server taken from ${scenario === 'path' ? 'PATH' : 'nianbao.server.path'}`, res.serverPath);
    check((res.initial ?? []).some((d) => d.code === 'NB301' && d.text === '0'), 'NB301 on the wrong cell', res.initial);
  } else if (scenario === 'bundled') {
    const res = await waitFor('the extension test hook', () => {
      try {
        const j = JSON.parse(fs.readFileSync(hookOut, 'utf8'));
        return j.done ? j : false;
      } catch {
        return false;
      }
    }, 120000);
    console.log(`  self test: ${Date.now() - t1} ms after the browser opened`);
    fs.writeFileSync(path.join(outDir, 'vscode-selftest.json'), JSON.stringify(res, null, 2));
    for (const s of res.steps ?? []) console.log(`  | ${s}`);
    check(res.ok === true, 'test hook finished without error', res.error);
    check(res.vscodeVersion === '1.100.3', `VS Code version ${res.vscodeVersion}`);
    check(
      typeof res.serverPath === 'string' && res.serverPath.endsWith('/server/nianbao') && res.serverPath.startsWith(ext),
      'the bundled server binary was used',
      res.serverPath,
    );
    check(res.languageId === 'markdown', 'report opened as markdown', res.languageId);
    const nb301 = (res.initial ?? []).filter((d) => d.code === 'NB301');
    check(nb301.length === 1, 'exactly one NB301 (row total) diagnostic', res.initial);
    const d = nb301[0];
    if (d) {
      const totalCol = [...d.line].length; // UTF-16 == code points here (BMP only)
      check(
        d.line.includes('予以公开') && d.text === '0' && d.range[1] === d.line.length - '0 |'.length,
        'NB301 is on the 总计 cell of （一）予以公开 (range text "0")',
        { line: d.line, range: d.range, text: d.text, totalCol },
      );
      check(/[\u4e00-\u9fff]/.test(d.message), 'message is Chinese by default', d.message);
      check(/应为 3/.test(d.message), 'NB301 names the value the cell must have (应为 3)', d.message);
      check(d.severity === 'Error', `NB301 severity ${d.severity}`);
    }
    {
      // The draft's second mistake: 自然人 of （七）总计 is 0 under a column of 3. One finding per
      // wrong cell: nothing on the correct totals whose identities the two mistakes break.
      const nb3 = (res.initial ?? []).filter((x) => /^NB3/.test(x.code));
      const d302 = nb3.find((x) => x.code === 'NB302');
      check(
        nb3.length === 2 && d302 !== undefined && /[(（]七[)）]总计/.test(d302.line) && d302.text === '0' &&
          d302.range[1] === d302.line.indexOf('| 0 |') + 2,
        'exactly two NB3xx: NB301 and NB302 on the 自然人 cell of （七）总计 (range text "0")',
        nb3.map((x) => ({ code: x.code, range: x.range, text: x.text })),
      );
    }
    const qf = (res.quickFixTitles ?? []).filter((a) => a.kind === 'quickfix');
    check(qf.length > 0, 'quick fix offered for NB301', res.quickFixTitles);
    check(res.quickFixApplied === true && /\| 3 \|\s*$/.test(res.afterQuickFixLine ?? ''), 'quick fix rewrote the total to 3', res.afterQuickFixLine);
    check(!(res.afterQuickFix ?? []).some((x) => x.code === 'NB301'), 'NB301 gone after the quick fix', res.afterQuickFix);
    const fixed = (res.afterFixAllText ?? '').split('\n');
    const row1 = fixed.find((l) => l.includes('予以公开')) ?? '';
    const row7 = fixed.find((l) => l.includes('(七)总计') || l.includes('（七）总计')) ?? '';
    check(res.fixAllResult === true, 'command 重算全部合计 (nianbao.recomputeTotals) applied an edit', res.fixAllResult);
    check(/\| 3 \|\s*$/.test(row1), 'fix all: row total of （一）予以公开 = 3', row1);
    check(/^[^|]*\| 3 \|/.test(row7) && /\| 3 \|\s*$/.test(row7), 'fix all: （七）总计 自然人 = 3 and 总计 = 3', row7);
    check(
      !(res.afterFixAll ?? []).some((x) => /^NB3/.test(x.code)),
      'fix all: no NB3xx left',
      (res.afterFixAll ?? []).map((x) => `${x.code} ${x.message}`),
    );
    {
      const lines = (res.afterCodeLensText ?? '').split('\n');
      const r1 = lines.find((l) => l.includes('予以公开')) ?? '';
      const r7 = lines.find((l) => l.includes('(七)总计') || l.includes('（七）总计')) ?? '';
      check(
        /\| 3 \|\s*$/.test(r1) && /^[^|]*\| 3 \|/.test(r7) && (res.codeLenses ?? []).some((l) => l.title === '重算本表 2 处合计'),
        'code lens 重算本表 2 处合计 (server command nianbao.fixTable → workspace/applyEdit) fixed table 三',
        { lenses: res.codeLenses, r1, r7 },
      );
    }
    check(
      typeof res.enMessage === 'string' && res.enMessage !== res.zhMessage && isEnglish(res.enMessage) && /should be 3/.test(res.enMessage),
      'setting nianbao.language = en switches the message to English',
      { zh: res.zhMessage, en: res.enMessage },
    );
    check(!(res.withNB301Disabled ?? [{ code: 'NB301' }]).some((x) => x.code === 'NB301'), 'nianbao.rules {NB301: {enabled: false}} hides NB301', res.withNB301Disabled);
    check((res.restored ?? []).some((x) => x.code === 'NB301' && x.message === res.zhMessage), 'settings reset: NB301 back in Chinese', res.restored);
    const tpl = res.templateText ?? '';
    check(
      res.insertTemplateResult === true && ['一、总体情况', '二、主动公开政府信息情况', '三、收到和处理政府信息公开申请情况', '六、其他需要报告的事项'].every((h) => tpl.includes(h)),
      'command 插入年报模板 inserted the skeleton',
      tpl.slice(0, 300),
    );
    check(res.templateSource === 'server', 'the skeleton came from the server\'s code action', res.templateSource);
    check(!(res.templateDiagnostics ?? []).some((x) => x.code === 'NB301' || x.code === 'NB302' || x.code === 'NB303'), 'skeleton has no total errors', res.templateDiagnostics);

    check(
      typeof res.tomlEnglishMessage === 'string' && isEnglish(res.tomlEnglishMessage) && res.tomlEnglishMessage !== res.zhMessage,
      'nianbao.toml language = "en" applies when the user set no nianbao.language',
      { toml: res.tomlEnglishMessage, zh: res.zhMessage },
    );
    check(res.afterTomlRemoved === res.zhMessage, 'nianbao.toml removed: Chinese again', res.afterTomlRemoved);
    {
      const blocks = res.table2Blocks ?? [];
      const names = blocks.map((b) => b.name);
      const six = blocks.find((b) => b.name.includes('(六)') || b.name.includes('（六）'));
      const eight = blocks.find((b) => b.name.includes('(八)') || b.name.includes('（八）'));
      check(
        names.length >= 4 && /\(一\)|（一）/.test(names[0]) && six && eight && six.end < eight.start,
        'document symbols: each table 二 block ends where it ends (sticky scroll shows the block in view)',
        blocks,
      );
    }
    check(
      res.rulesHasNB301 === true && res.rulesLanguage === 'markdown' && res.rulesScheme !== 'file' && res.rulesScheme !== 'untitled' && res.rulesDiagnostics === 0,
      'command 显示规则列表 shows the rule documentation (Markdown, not checked as a report)',
      { scheme: res.rulesScheme, language: res.rulesLanguage, nb301: res.rulesHasNB301, diagnostics: res.rulesDiagnostics },
    );
    check(
      res.untitledLanguage === 'markdown' && res.untitledLanguageAfterEdit === 'markdown',
      '插入年报模板 in a new Untitled file: the file stays Markdown',
      { after3s: res.untitledLanguage, afterEdit: res.untitledLanguageAfterEdit },
    );
    check((res.untitledDiagnostics ?? []).includes('NB301'), 'a broken total in the Untitled skeleton gets its squiggle (NB301)', res.untitledDiagnostics);

    check(res.restarted === true, 'command 重启服务器 restarted the client', res.restarted);
    check((res.afterRestart ?? []).some((x) => x.code === 'NB301'), 'diagnostics back after the restart', res.afterRestart);
    // Screenshot: the report with its squiggles, hovering the wrong total.
    const squiggle = await page.waitForSelector('.squiggly-error', { timeout: 20000 }).catch(() => null);
    check(squiggle !== null, 'squiggle rendered in the editor (.squiggly-error)');
    if (squiggle) {
      // Put the cursor on the squiggle and show the hover (Ctrl+K Ctrl+I), as a keyboard user would.
      const box = await squiggle.boundingBox();
      if (box) await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await sleep(300);
      await page.keyboard.press('Control+k');
      await page.keyboard.press('Control+i');
      const hover = await page
        .waitForSelector('.monaco-hover:not(.hidden) .hover-contents', { timeout: 10000 })
        .then(() => sleep(800))
        .then(() => page.$$eval('.monaco-hover:not(.hidden)', (els) => els.map((e) => e.textContent).join(' | ')))
        .catch((e) => String(e));
      check(/NB30[123]/.test(hover ?? '') && /勾稽关系/.test(hover ?? ''), 'hover on the squiggle shows the finding', hover);
    }
    const toasts = await page.$$eval('.notification-toast', (els) => els.map((e) => e.textContent ?? ''));
    check(!toasts.some((t) => /nianbao|failed|失败/i.test(t)), 'no error notifications from nianbao', toasts);
    await page.screenshot({ path: path.join(outDir, 'vscode.png') });
    console.log(`  screenshot: ${path.join(outDir, 'vscode.png')}`);
  } else {
    const toast = await page
      .waitForSelector('.notification-toast:has-text("nianbao")', { timeout: 60000 })
      .catch(() => null);
    const text = toast ? await toast.textContent() : '';
    check(toast !== null && /not found|未找到/.test(text), 'error notification: server not found', text);
    const button = toast ? await toast.$('a.monaco-button:has-text("Open Settings"), a.monaco-button:has-text("打开设置")') : null;
    check(button !== null, 'notification has an "Open Settings" button');
    if (button) {
      await button.click();
      const found = await page.waitForSelector('.settings-editor .setting-item-contents:has-text("Server: Path")', { timeout: 20000 }).catch(() => null);
      const q = await page.$eval('.settings-editor .suggest-input-container .view-lines', (e) => e.textContent).catch(() => '');
      check(found !== null && /nianbao\.server\.path/.test(q ?? ''), 'the button opens the setting nianbao.server.path', q);
      if (process.env.NB_DEBUG_SETTINGS) {
        await page.screenshot({ path: path.join(outDir, 'dbg-1.png') });
        for (const tab of ['Remote', 'Workspace']) {
          await page.click(`.settings-editor .settings-tabs-widget .action-label:has-text("${tab}")`).catch((e) => console.log(String(e)));
          await sleep(1500);
          await page.screenshot({ path: path.join(outDir, `dbg-${tab}.png`) });
        }
        await page.keyboard.press('Control+a');
        await page.keyboard.type('nianbao');
        await sleep(2000);
        await page.screenshot({ path: path.join(outDir, 'dbg-query.png') });
      }
    }
    await page.screenshot({ path: path.join(outDir, 'vscode-missing-server.png') });
  }
} catch (e) {
  check(false, `scenario ${scenario}`, String(e?.stack ?? e));
  // What the run left behind, so a failure in CI can be understood from its log alone.
  try {
    console.log(`  hook output so far: ${fs.existsSync(hookOut) ? fs.readFileSync(hookOut, 'utf8').slice(0, 3000) : '(none: the extension never ran its test hook)'}`);
  } catch {}
  if (browser) {
    try {
      const page = browser.contexts()[0]?.pages()[0];
      if (page) {
        const shot = path.join(outDir, `failed-${scenario}.png`);
        await page.screenshot({ path: shot });
        console.log(`  screenshot: ${shot}`);
        const tabs = await page.$$eval('.tabs-container .tab', (els) => els.map((x) => x.getAttribute('aria-label')));
        const toasts = await page.$$eval('.notification-toast', (els) => els.map((x) => x.textContent ?? ''));
        console.log(`  editor tabs: ${JSON.stringify(tabs)}; notifications: ${JSON.stringify(toasts)}`);
      }
    } catch (err) {
      console.log(`  (no screenshot: ${err})`);
    }
  }
  const tail = (f, n) => {
    try {
      return fs.readFileSync(f, 'utf8').split('\n').slice(-n).map((l) => `  | ${l}`).join('\n');
    } catch {
      return '  (unreadable)';
    }
  };
  console.log(`  code-server log (last 30 lines):\n${tail(path.join(outDir, `code-server-${scenario}.log`), 30)}`);
  try {
    for (const f of execFileSync('find', [path.join(user, 'logs'), '-name', '*.log'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
      if (/exthost|nianbao|remoteagent/i.test(f)) console.log(`  ${f} (last 20 lines):\n${tail(f, 20)}`);
    }
  } catch {}
} finally {
  if (browser) await browser.close().catch(() => undefined);
  try {
    process.kill(-cs.pid, 'SIGTERM');
  } catch {}
  await sleep(500);
  try {
    process.kill(-cs.pid, 'SIGKILL');
  } catch {}
  const logs = path.join(user, 'logs');
  try {
    for (const f of execFileSync('find', [logs, '-name', '*.log'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
      if (/exthost|nianbao/.test(f)) fs.copyFileSync(f, path.join(outDir, `${scenario}-${path.basename(path.dirname(f))}-${path.basename(f)}`));
    }
  } catch {}
  if (!process.env.KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`vscode ${scenario} checks: ${passed} ok, ${failed} failed`);
process.exit(failed ? 1 : 0);
