-- nianbao: Neovim client for the 政府信息公开工作年度报告 language server.
--
-- Neovim 0.11+:  vim.lsp.enable('nianbao')            (config in lsp/nianbao.lua)
-- Neovim 0.8+:   require('nianbao').setup{}            (vim.lsp.start on FileType)
-- Neovim 0.7:    require('nianbao').setup{}            (falls back to vim.lsp.start_client)
local M = {}

local FIX_ALL = 'source.fixAll.nianbao'

M.defaults = {
  cmd = { 'nianbao', 'lsp' },
  filetypes = { 'markdown', 'text', 'nianbao' },
  root_markers = { '.git' },
  -- 'auto': attach to markdown/text buffers only when they look like a report;
  -- 'always': every buffer of `filetypes`; 'never': only filetype "nianbao".
  attach = 'auto',
  -- Sent to the server as the workspace/configuration section "nianbao"
  -- (an empty dict, not {}: an empty Lua table would be sent as the JSON array []).
  settings = { nianbao = vim.empty_dict() },
  on_attach = nil,
  capabilities = nil,
  -- How many lines from the top are looked at to decide whether a buffer is a report.
  scan_lines = 40,
}

M.options = vim.deepcopy(M.defaults)

local function has(v)
  return vim.fn.has('nvim-' .. v) == 1
end

-- Call a client method in the style of the running Neovim (0.11 wants `client:method()`).
local function call(client, method, ...)
  if has('0.11') then
    return client[method](client, ...)
  end
  return client[method](...)
end

local HEADINGS = {
  '总体情况',
  '主动公开政府信息情况',
  '收到和处理政府信息公开申请情况',
  '政府信息公开行政复议',
  '存在的主要问题',
  '其他需要报告的事项',
}

--- Whether the buffer looks like an annual report: a title containing 年度报告, or one of
--- the official section headings (一、总体情况 …) in its first lines.
function M.is_report(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not vim.api.nvim_buf_is_loaded(bufnr) then
    return false
  end
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, M.options.scan_lines or 40, false)
  local headings = 0
  for _, line in ipairs(lines) do
    if line:find('年度报告', 1, true) or line:find('年报', 1, true) and line:find('政府信息公开', 1, true) then
      return true
    end
    for _, h in ipairs(HEADINGS) do
      if line:find(h, 1, true) then
        headings = headings + 1
        -- "一、总体情况" alone at the top is enough; any two headings are too.
        if headings >= 2 or line:find('一、总体情况', 1, true) then
          return true
        end
      end
    end
  end
  return false
end

--- Whether the server should be attached to this buffer (honours options.attach).
function M.should_attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if vim.bo[bufnr].buftype ~= '' then
    return false
  end
  if vim.bo[bufnr].filetype == 'nianbao' then
    return true
  end
  local mode = M.options.attach
  if mode == 'never' then
    return false
  elseif mode == 'always' then
    return true
  end
  return M.is_report(bufnr)
end

local function root_dir(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local dir = name ~= '' and vim.fn.fnamemodify(name, ':p:h') or vim.fn.getcwd()
  if vim.fs and vim.fs.find then
    local found = vim.fs.find(M.options.root_markers, { path = dir, upward = true })[1]
    if found then
      return vim.fn.fnamemodify(found, ':h')
    end
  end
  return dir
end

--- The nianbao clients attached to a buffer (all nianbao clients when bufnr is nil).
function M.clients(bufnr)
  local all
  if vim.lsp.get_clients then
    all = vim.lsp.get_clients({ bufnr = bufnr })
  elseif bufnr then
    all = vim.tbl_values(vim.lsp.buf_get_clients(bufnr))
  else
    all = vim.lsp.get_active_clients()
  end
  return vim.tbl_filter(function(c)
    return c.name == 'nianbao'
  end, all)
end

local function client_config()
  local o = M.options
  return {
    name = 'nianbao',
    cmd = o.cmd,
    settings = o.settings,
    capabilities = o.capabilities,
    on_attach = o.on_attach,
  }
end

local started = {} -- 0.7 fallback: root_dir -> client id

--- Start (or reuse) the server for a buffer if it is a report.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not M.should_attach(bufnr) then
    return nil
  end
  local config = client_config()
  config.root_dir = root_dir(bufnr)
  if vim.lsp.start then
    local id
    vim.api.nvim_buf_call(bufnr, function()
      id = vim.lsp.start(config, { bufnr = bufnr })
    end)
    return id
  end
  -- Neovim 0.7: no vim.lsp.start.
  local id = started[config.root_dir]
  if not id or not vim.lsp.get_client_by_id(id) or vim.lsp.get_client_by_id(id).is_stopped() then
    id = vim.lsp.start_client(config)
    started[config.root_dir] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Configure and enable the server.
--- On 0.11+ this is `vim.lsp.config('nianbao', opts)` + `vim.lsp.enable('nianbao')`;
--- on 0.7–0.10 a FileType autocommand attaches report buffers.
local function fix_empty_settings(o)
  o.settings = o.settings or {}
  if type(o.settings.nianbao) ~= 'table' or next(o.settings.nianbao) == nil then
    o.settings.nianbao = vim.empty_dict()
  end
  return o
end

function M.setup(opts)
  M.options = fix_empty_settings(vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {}))
  if vim.fn.has('nvim-0.7') ~= 1 then
    vim.notify('nianbao: Neovim 0.7 or newer is required', vim.log.levels.ERROR)
    return false
  end
  if has('0.11') and vim.lsp.config and vim.lsp.enable and not M.options.force_autocmd then
    local o = M.options
    vim.lsp.config('nianbao', {
      cmd = o.cmd,
      filetypes = o.filetypes,
      root_markers = o.root_markers,
      settings = o.settings,
      capabilities = o.capabilities,
      on_attach = o.on_attach,
    })
    vim.lsp.enable('nianbao')
    return true
  end
  local group = vim.api.nvim_create_augroup('nianbao', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.options.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  -- Buffers that were already open.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(M.options.filetypes, vim.bo[buf].filetype) then
      M.attach(buf)
    end
  end
  return true
end

--- Re-request pulled diagnostics for every buffer of a client. Neovim 0.10/0.11 pull
--- diagnostics but do not support `workspace/diagnostic/refresh`, so after a settings change
--- the server cannot ask them to; this does it instead.
function M.refresh_diagnostics(client)
  if not (vim.lsp.diagnostic and vim.lsp.diagnostic.on_diagnostic) then
    return
  end
  local caps = client.server_capabilities or {}
  if not caps.diagnosticProvider then
    return
  end
  for bufnr in pairs(client.attached_buffers or {}) do
    local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
    call(client, 'request', 'textDocument/diagnostic', params, vim.lsp.diagnostic.on_diagnostic, bufnr)
  end
end

--- Change settings at run time, e.g. `require('nianbao').update_settings({ language = 'en' })`:
--- merges into the "nianbao" section, sends workspace/didChangeConfiguration to every running
--- nianbao client, and refreshes pulled diagnostics.
function M.update_settings(nianbao_settings)
  M.options.settings = M.options.settings or {}
  M.options.settings.nianbao = vim.tbl_deep_extend('force', M.options.settings.nianbao or {}, nianbao_settings)
  for _, client in ipairs(M.clients()) do
    local settings = vim.deepcopy(client.settings or client.config.settings or {})
    if vim.tbl_isempty(settings) or settings[vim.type_idx] then
      settings = {}
    end
    settings.nianbao = vim.tbl_deep_extend('force', type(settings.nianbao) == 'table' and settings.nianbao or {}, nianbao_settings)
    if client.settings ~= nil then
      client.settings = settings -- 0.11: answered to workspace/configuration
    end
    client.config.settings = settings -- 0.7–0.10
    call(client, 'notify', 'workspace/didChangeConfiguration', { settings = settings })
  end
  -- Give the server a moment to pull the new configuration, then re-pull diagnostics.
  vim.defer_fn(function()
    for _, client in ipairs(M.clients()) do
      M.refresh_diagnostics(client)
    end
  end, 100)
end

local function request_sync(client, method, params, bufnr, timeout)
  local resp, err = call(client, 'request_sync', method, params, timeout or 5000, bufnr)
  if not resp then
    return nil, err or 'timeout'
  end
  if resp.err then
    return nil, resp.err.message or vim.inspect(resp.err)
  end
  return resp.result
end

local function whole_range(bufnr)
  local n = vim.api.nvim_buf_line_count(bufnr)
  return { start = { line = 0, character = 0 }, ['end'] = { line = n, character = 0 } }
end

local function apply_action(client, action, bufnr)
  if action.edit == nil and action.command == nil and action.data ~= nil then
    local resolved = request_sync(client, 'codeAction/resolve', action, bufnr)
    if resolved then
      action = resolved
    end
  end
  if action.edit then
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or 'utf-16')
  end
  local command = action.command
  if type(command) == 'string' then
    command = action -- a bare Command
  end
  if type(command) == 'table' and command.command then
    request_sync(client, 'workspace/executeCommand', { command = command.command, arguments = command.arguments }, bufnr)
  end
  return action.edit ~= nil or command ~= nil
end

--- Request `source.fixAll.nianbao` for the buffer and apply it (:NianbaoFixAll).
--- Returns true when an action was applied.
function M.fix_all(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = M.clients(bufnr)[1]
  if not client then
    vim.notify('nianbao: no language server attached to this buffer', vim.log.levels.WARN)
    return false
  end
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = whole_range(bufnr),
    context = { diagnostics = {}, only = { FIX_ALL }, triggerKind = 1 },
  }
  local actions, err = request_sync(client, 'textDocument/codeAction', params, bufnr)
  if err then
    vim.notify('nianbao: codeAction failed: ' .. tostring(err), vim.log.levels.ERROR)
    return false
  end
  for _, action in ipairs(actions or {}) do
    if action.kind == FIX_ALL or (action.kind or ''):sub(1, #FIX_ALL + 1) == FIX_ALL .. '.' then
      return apply_action(client, action, bufnr)
    end
  end
  vim.notify('nianbao: nothing to recompute', vim.log.levels.INFO)
  return false
end

--- Apply the server's skeleton code action at the top of the buffer (:NianbaoInsertTemplate).
function M.insert_template(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = M.clients(bufnr)[1]
  if not client then
    vim.notify('nianbao: no language server attached to this buffer (set filetype=nianbao for an empty draft)', vim.log.levels.WARN)
    return false
  end
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = 0, character = 0 }, ['end'] = { line = 0, character = 0 } },
    context = { diagnostics = {}, triggerKind = 1 },
  }
  local actions = request_sync(client, 'textDocument/codeAction', params, bufnr) or {}
  for _, action in ipairs(actions) do
    local title = action.title or ''
    -- The server titles it 插入2021年版年度报告模板 / "Insert the 2021-format report skeleton".
    local lower = title:lower()
    if title:find('模板', 1, true) or title:find('框架', 1, true) or title:find('骨架', 1, true)
      or lower:find('skeleton', 1, true) or lower:find('template', 1, true) then
      return apply_action(client, action, bufnr)
    end
  end
  vim.notify('nianbao: the server offered no skeleton here', vim.log.levels.WARN)
  return false
end

return M
