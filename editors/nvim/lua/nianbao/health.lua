-- :checkhealth nianbao
local M = {}

local health = vim.health or require('health')
local start = health.start or health.report_start
local ok = health.ok or health.report_ok
local warn = health.warn or health.report_warn
local error = health.error or health.report_error
local info = health.info or health.report_info

local function configured_cmd()
  if vim.fn.has('nvim-0.11') == 1 and vim.lsp.config then
    local cfg = vim.lsp.config.nianbao
    if cfg and cfg.cmd and type(cfg.cmd) == 'table' then
      return cfg.cmd
    end
  end
  return require('nianbao').options.cmd
end

function M.check()
  start('nianbao')
  local v = vim.version()
  local vs = string.format('%d.%d.%d', v.major, v.minor, v.patch)
  if vim.fn.has('nvim-0.11') == 1 then
    ok('Neovim ' .. vs .. ": use vim.lsp.enable('nianbao')")
  elseif vim.fn.has('nvim-0.8') == 1 then
    ok('Neovim ' .. vs .. ": use require('nianbao').setup{}")
  elseif vim.fn.has('nvim-0.7') == 1 then
    warn('Neovim ' .. vs .. ': supported through vim.lsp.start_client; 0.8+ recommended')
  else
    error('Neovim ' .. vs .. ': 0.7 or newer is required')
  end

  local cmd = configured_cmd()
  local exe = cmd[1]
  local path = vim.fn.exepath(exe)
  if path == '' then
    error(
      string.format('server `%s` not found (cmd = %s)', exe, vim.inspect(cmd)),
      { 'Install nianbao on PATH (cargo install --path server), or set cmd in setup{} / vim.lsp.config' }
    )
  else
    ok(string.format('server found: %s', path))
    local out = vim.fn.system({ path, '--version' })
    if vim.v.shell_error == 0 then
      ok('version: ' .. vim.trim(out))
    else
      warn('`' .. path .. ' --version` failed: ' .. vim.trim(out))
    end
  end

  local clients = require('nianbao').clients()
  if #clients == 0 then
    info('no nianbao client is running (open a report to start one)')
  end
  for _, c in ipairs(clients) do
    local bufs = {}
    for b in pairs(c.attached_buffers or {}) do
      table.insert(bufs, vim.fn.fnamemodify(vim.api.nvim_buf_get_name(b), ':t'))
    end
    local server = c.server_info or (c.initialize_result or {}).serverInfo or {}
    ok(string.format(
      'client %d: %s %s, position encoding %s, buffers: %s',
      c.id,
      server.name or 'nianbao',
      server.version or '',
      c.offset_encoding or '?',
      table.concat(bufs, ', ')
    ))
  end

  -- Markdown / text buffers: does each look like a report, is a client attached?
  local nb = require('nianbao')
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    local ft = vim.bo[buf].filetype
    if vim.api.nvim_buf_is_loaded(buf) and (ft == 'markdown' or ft == 'text' or ft == 'nianbao') then
      local attached = #nb.clients(buf) > 0
      local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ':t')
      info(string.format(
        'buffer %d %s: filetype %s, looks like a report: %s, nianbao attached: %s',
        buf,
        name ~= '' and name or '[No Name]',
        ft,
        tostring(nb.is_report(buf)),
        tostring(attached)
      ))
    end
  end
end

return M
