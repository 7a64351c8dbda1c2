-- End-to-end test of `nianbao lsp` driven by a real Neovim (0.7.x or 0.11.x), headless:
--   nvim --headless --clean -u NONE -S tests/e2e/nvim/e2e.lua
-- Environment: NIANBAO_BIN (server binary), E2E_FILE (a scratch copy of fixtures/report.md),
-- E2E_RESULTS (file that receives one "ok - …" / "not ok - …" line per check), E2E_LABEL.
--
-- Everything goes through Neovim's own LSP client: diagnostics are whatever Neovim put into
-- vim.diagnostic (pushed on 0.7, pulled on 0.10+ when the server offers diagnosticProvider),
-- code actions are requested by vim.lsp.buf.code_action() exactly as a user would (vim.ui.select
-- is replaced by a picker that chooses like the user), and Neovim applies the edits itself.
-- Expected positions are computed from the buffer text, in bytes (vim.diagnostic's unit).

local bin = assert(os.getenv('NIANBAO_BIN'), 'NIANBAO_BIN not set')
local file = assert(os.getenv('E2E_FILE'), 'E2E_FILE not set')
local results_path = assert(os.getenv('E2E_RESULTS'), 'E2E_RESULTS not set')
local v = vim.version()
local version = string.format('%d.%d.%d', v.major, v.minor, v.patch)
local label = os.getenv('E2E_LABEL') or ('neovim-' .. version)
local modern = vim.fn.has('nvim-0.10') == 1
local TIMEOUT = tonumber(os.getenv('E2E_TIMEOUT_MS') or '15000')

local failures = 0
local function emit(line)
  local f = assert(io.open(results_path, 'a'))
  f:write(line .. '\n')
  f:close()
end
local function record(ok, name, detail)
  if ok then
    emit('ok - ' .. label .. ': ' .. name)
  else
    failures = failures + 1
    emit('not ok - ' .. label .. ': ' .. name .. (detail and (' -- ' .. detail) or ''))
  end
  return ok
end
local function info(msg)
  emit('# ' .. label .. ': ' .. msg)
end

-- ---------------------------------------------------------------- text helpers (bytes, 0-based)
-- Trimmed '|'-separated fields of a line: { s = first byte, e = byte after last, text = … }.
local function cells(line)
  local out, pos = {}, 1
  while pos <= #line + 1 do
    local bar = line:find('|', pos, true) or (#line + 1)
    local part = line:sub(pos, bar - 1)
    local lead = part:find('%S')
    if lead then
      local trail = #part - part:reverse():find('%S') + 1
      table.insert(out, { s = pos + lead - 2, e = pos + trail - 1, text = part:sub(lead, trail) })
    end
    pos = bar + 1
  end
  return out
end
local function numbers(line)
  local out = {}
  for _, c in ipairs(cells(line)) do
    if c.text:match('^%d+$') then
      table.insert(out, c)
    end
  end
  return out
end

local bufnr
local function lines()
  return vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
end
local function find_line(pred)
  for i, l in ipairs(lines()) do
    if pred(l) then
      return i - 1, l
    end
  end
  error('fixture line not found')
end
local function has(l, s)
  return l:find(s, 1, true) ~= nil
end
local function row_yi() -- 三、本年度办理结果 | (一)予以公开 | …
  return find_line(function(l) return has(l, '|') and has(l, '予以公开') end)
end
local function row_qi() -- (七)总计 | …
  return find_line(function(l) return has(l, '|') and (has(l, '(七)总计') or has(l, '（七）总计')) end)
end
local function row_si() -- 四、结转下年度继续办理 | …
  return find_line(function(l) return l:gsub('^[|%s]+', ''):find('四、结转下年度继续办理', 1, true) == 1 end)
end
local function target(rowfn, idx)
  local lnum, l = rowfn()
  local c = numbers(l)[idx]
  return { lnum = lnum, s = c.s, e = c.e, text = c.text }
end
local function values(rowfn)
  local _, l = rowfn()
  local out = {}
  for _, c in ipairs(numbers(l)) do
    table.insert(out, c.text)
  end
  return table.concat(out, ',')
end

-- ---------------------------------------------------------------- diagnostics helpers
local function nb(prefix)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local code = d.code and tostring(d.code) or ''
    if code:sub(1, 2) == 'NB' and code:sub(1, #(prefix or 'NB')) == (prefix or 'NB') then
      table.insert(out, d)
    end
  end
  return out
end
local function describe(ds)
  local parts = {}
  for _, d in ipairs(ds) do
    table.insert(parts, string.format('%s@%d:%d-%d:%d', tostring(d.code), d.lnum, d.col, d.end_lnum or -1, d.end_col or -1))
  end
  return '[' .. table.concat(parts, ' ') .. ']'
end
local function covers(d, t)
  return d.lnum == t.lnum and (d.end_lnum or d.lnum) == t.lnum and d.col == t.s and d.end_col == t.e
end
local function check_targets(code, targets, suffix)
  local ds = nb(code)
  local missing = {}
  for _, t in ipairs(targets) do
    local n = 0
    for _, d in ipairs(ds) do
      if covers(d, t) then
        n = n + 1
      end
    end
    if n ~= 1 then
      table.insert(missing, string.format('%d:%d-%d (%q) seen %d times', t.lnum, t.s, t.e, t.text, n))
    end
  end
  local ok = #missing == 0 and #ds == #targets
  return record(ok, code .. ' on exactly the wrong cell(s)' .. (suffix or ''),
    'expected ' .. #targets .. ' at ' .. table.concat(missing, '; ') .. ', got ' .. describe(ds))
end

-- ---------------------------------------------------------------- code actions as a user picks them
local picked
local function pick_with(pred)
  vim.ui.select = function(items, _, on_choice)
    local kinds = {}
    for _, it in ipairs(items) do
      local a = it.action or it[2]
      table.insert(kinds, string.format('%s%s', tostring(a.kind), a.isPreferred and '*' or ''))
      if picked == nil and pred(a) then
        picked = a
        on_choice(it)
      end
    end
    if picked == nil then
      picked = false
      info('offered actions: ' .. table.concat(kinds, ', '))
      on_choice(nil)
    end
  end
end
local function code_action(only)
  picked = nil
  if modern then
    vim.lsp.buf.code_action({ context = only and { only = only } or nil })
  else
    vim.lsp.buf.code_action(only and { only = only } or nil)
  end
  vim.wait(TIMEOUT, function() return picked ~= nil end, 20)
  return picked
end

-- ---------------------------------------------------------------- the test
local pushes_with_items, pushes, pulls = 0, 0, 0
local function deliveries()
  return pushes + pulls
end
local function main()
  vim.lsp.set_log_level('warn')
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'markdown'

  local default_push = vim.lsp.handlers['textDocument/publishDiagnostics']
  local default_pull = vim.lsp.handlers['textDocument/diagnostic']
  local config = {
    name = 'nianbao',
    cmd = { bin, 'lsp' },
    root_dir = vim.fn.fnamemodify(file, ':h'),
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, cfg)
        pushes = pushes + 1
        if result and result.diagnostics and #result.diagnostics > 0 then
          pushes_with_items = pushes_with_items + 1
        end
        return default_push(err, result, ctx, cfg)
      end,
      -- 0.10+: the pulled reports come back through this handler
      ['textDocument/diagnostic'] = default_pull and function(err, result, ctx, cfg)
        if result then
          pulls = pulls + 1
        end
        return default_pull(err, result, ctx, cfg)
      end or nil,
    },
  }
  local id
  if modern then
    id = vim.lsp.start(config, { bufnr = bufnr })
  else
    id = vim.lsp.start_client(config)
    if id then
      vim.lsp.buf_attach_client(bufnr, id)
    end
  end
  if not record(id ~= nil, 'client started') then
    return
  end
  local client = vim.lsp.get_client_by_id(id)

  -- 1. diagnostics arrive and sit exactly on the wrong cells
  local got = vim.wait(TIMEOUT, function() return #nb('NB301') > 0 end, 20)
  if not record(got, 'NB301 diagnostic arrives', 'diagnostics seen: ' .. describe(nb())) then
    return
  end
  vim.wait(300) -- let any second delivery (push + pull) land before counting
  client = vim.lsp.get_client_by_id(id)
  local caps = client.server_capabilities or {}
  info('offset_encoding=' .. tostring(client.offset_encoding) .. ', diagnosticProvider=' ..
    tostring(caps.diagnosticProvider ~= nil) .. ', pushes=' .. pushes .. ' (with items: ' .. pushes_with_items .. '), pulls=' .. pulls)
  -- three independent mistakes, each the one cell the localiser names: the 总计 of （一）, the
  -- 自然人 of （七）总计 and the 自然人 of 四、结转; no other NB3xx (no finding on a correct total)
  check_targets('NB301', { target(row_yi, 7) })
  check_targets('NB302', { target(row_qi, 1) })
  check_targets('NB303', { target(row_si, 1) })
  record(#nb('NB3') == 3, 'exactly three NB3xx findings, one per wrong cell', describe(nb('NB3')))
  local d301 = nb('NB301')[1]
  record(d301.source == 'nianbao', 'diagnostic source is "nianbao"', 'source=' .. tostring(d301.source))
  do
    local t = target(row_yi, 7)
    local text = lines()[t.lnum + 1]:sub(d301.col + 1, d301.end_col)
    record(text == t.text, 'NB301 range covers the total cell text', string.format('covers %q', text))
  end
  if modern and caps.diagnosticProvider then
    record(pushes_with_items == 0 and pulls > 0, 'pull client pulls and gets no pushed diagnostics',
      pushes_with_items .. ' publishDiagnostics with items, ' .. pulls .. ' pulls')
  elseif not modern then
    record(pushes_with_items > 0, 'push client gets publishDiagnostics', 'pushes=' .. pushes)
  end

  -- 2. quick fix on the wrong total cell (cursor on the diagnostic, like a user)
  local t = target(row_yi, 7)
  vim.api.nvim_win_set_cursor(0, { t.lnum + 1, t.s })
  pick_with(function(a) return a.kind == 'quickfix' and a.isPreferred end)
  local before = deliveries()
  local a = code_action(nil)
  if record(a, 'preferred quickfix offered at the NB301 cell') then
    local fixed = vim.wait(TIMEOUT, function()
      return deliveries() > before and #nb('NB301') == 0 and #nb('NB30') > 0
    end, 20)
    record(deliveries() > before, 'server delivers diagnostics for the edited text', before .. ' deliveries before')
    record(fixed, 'quick fix clears NB301', 'diagnostics now ' .. describe(nb()) .. ', row ' .. values(row_yi))
    record(values(row_yi) == '3,0,0,0,0,0,3', 'quick fix wrote the total', 'row (一) = ' .. values(row_yi))
  end

  -- 3. fix-all (source.fixAll, as codeActionsOnSave would ask)
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  pick_with(function(a2) return type(a2.kind) == 'string' and a2.kind:find('^source%.fixAll') ~= nil end)
  before = deliveries()
  a = code_action({ 'source.fixAll' })
  if record(a, 'source.fixAll action offered') then
    local clean = vim.wait(TIMEOUT, function() return deliveries() > before and #nb('NB3') == 0 and values(row_si) == '1,0,0,0,0,0,1'
        and values(row_qi) == '3,0,0,0,0,0,3' end, 20)
    record(clean, 'fix-all leaves no NB3xx',
      'diagnostics now ' .. describe(nb()) .. '; (一)=' .. values(row_yi) .. ' (七)=' .. values(row_qi) ..
      ' 四=' .. values(row_si))
    vim.wait(300)
    record(#nb('NB3') == 0, 'no NB3xx comes back after fix-all', describe(nb()))
  end
  if modern and caps.diagnosticProvider then
    record(pushes_with_items == 0, 'still no pushed diagnostics to the pull client',
      pushes_with_items .. ' publishDiagnostics with items')
  end

  -- 4. the nianbao.fixAll command: the server edits through workspace/applyEdit, Neovim applies
  local original = os.getenv('E2E_ORIGINAL')
  if original then
    before = deliveries()
    vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, vim.fn.readfile(original))
    local back = vim.wait(TIMEOUT, function() return deliveries() > before and #nb('NB301') == 1 end, 20)
    if record(back, 'NB301 back after restoring the original text', describe(nb())) then
      before = deliveries()
      local params = { command = 'nianbao.fixAll', arguments = { vim.uri_from_bufnr(bufnr) } }
      local err
      if modern then
        client:request('workspace/executeCommand', params, function(e) err = e or false end, bufnr)
      else
        client.request('workspace/executeCommand', params, function(e) err = e or false end, bufnr)
      end
      vim.wait(TIMEOUT, function() return err ~= nil end, 20)
      record(err == false, 'workspace/executeCommand nianbao.fixAll succeeds', vim.inspect(err))
      local clean = vim.wait(TIMEOUT, function() return deliveries() > before and #nb('NB3') == 0
          and values(row_si) == '1,0,0,0,0,0,1' and values(row_qi) == '3,0,0,0,0,0,3' end, 20)
      record(clean, 'nianbao.fixAll (workspace/applyEdit) leaves no NB3xx',
        'diagnostics now ' .. describe(nb()) .. '; (一)=' .. values(row_yi) .. ' (七)=' .. values(row_qi) ..
        ' 四=' .. values(row_si))
    end
  end

  -- 5. formatting through Neovim (edits in the client's encoding), then the same diagnostics
  --    must sit on the same cells, wherever the aligned table put them
  if original and caps.documentFormattingProvider then
    before = deliveries()
    vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, vim.fn.readfile(original))
    vim.wait(TIMEOUT, function() return deliveries() > before and #nb('NB301') == 1 end, 20)
    local text_before = table.concat(lines(), '\n')
    before = deliveries()
    if modern then
      vim.lsp.buf.format({ bufnr = bufnr, timeout_ms = TIMEOUT })
    else
      vim.lsp.buf.formatting_sync(nil, TIMEOUT)
    end
    local changed = table.concat(lines(), '\n') ~= text_before
    info('formatting changed the text: ' .. tostring(changed))
    vim.wait(TIMEOUT, function() return not changed or deliveries() > before end, 20)
    vim.wait(300)
    record(values(row_yi) == '3,0,0,0,0,0,0' and values(row_qi) == '0,0,0,0,0,0,3'
      and values(row_si) == '0,0,0,0,0,0,1',
      'formatting keeps the numbers', '(一)=' .. values(row_yi) .. ' (七)=' .. values(row_qi) .. ' 四=' .. values(row_si))
    record(lines()[select(1, row_yi()) + 1]:find('𠀀', 1, true) ~= nil, 'formatting keeps 𠀀')
    check_targets('NB301', { target(row_yi, 7) }, ' after formatting')
    check_targets('NB302', { target(row_qi, 1) }, ' after formatting')
    check_targets('NB303', { target(row_si, 1) }, ' after formatting')
  end

  if modern then
    client:stop()
    vim.wait(3000, function() return client:is_stopped() end, 20)
  else
    client.stop()
    vim.wait(3000, function() return client.is_stopped() end, 20)
  end
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  record(false, 'script error', tostring(err):gsub('\n', ' | '))
end
if failures > 0 then
  vim.cmd('cquit ' .. failures)
else
  vim.cmd('qall!')
end
