-- Runs inside a real Neovim (0.7 or 0.11) after the user-style init (init_*.lua) loaded the
-- plugin and the report was opened from the command line. Env:
--   NB_OUT      file to append result lines to ("ok NAME" / "FAIL NAME: why")
--   NB_EXPECT_ENCODING  position encoding the client should negotiate (utf-8 / utf-16)
--   NB_NONREPORT        a Markdown file that is not a report (must not attach)
--   NB_HEALTH   1 to run :checkhealth nianbao
local out = assert(io.open(assert(os.getenv('NB_OUT')), 'a'))
local failures = 0

local function report(ok, name, why)
  if ok then
    out:write('ok ' .. name .. '\n')
  else
    failures = failures + 1
    out:write('FAIL ' .. name .. ': ' .. tostring(why) .. '\n')
  end
  out:flush()
end

local function finish()
  out:close()
  if failures > 0 then
    vim.cmd('cquit 1')
  else
    vim.cmd('qall!')
  end
end

local has11 = vim.fn.has('nvim-0.11') == 1
local nb = require('nianbao')
local buf = vim.api.nvim_get_current_buf()

local function clients(b)
  return nb.clients(b)
end

local function nb_diags(b, code)
  local res = {}
  for _, d in ipairs(vim.diagnostic.get(b)) do
    if code == nil or d.code == code then
      table.insert(res, d)
    end
  end
  return res
end

local function line(b, lnum)
  return vim.api.nvim_buf_get_lines(b, lnum, lnum + 1, false)[1] or ''
end

local ok, err = xpcall(function()
  report(vim.bo[buf].filetype ~= '', 'filetype set (' .. vim.bo[buf].filetype .. ')', 'no filetype')
  local attached = vim.wait(15000, function()
    return #clients(buf) > 0
  end, 50)
  report(attached, 'client attached to the report', 'no nianbao client attached')
  if not attached then
    return
  end
  local client = clients(buf)[1]
  local want_enc = os.getenv('NB_EXPECT_ENCODING')
  if want_enc and want_enc ~= '' then
    report(client.offset_encoding == want_enc, 'position encoding ' .. want_enc, 'negotiated ' .. tostring(client.offset_encoding))
  end

  local got = vim.wait(15000, function()
    return #nb_diags(buf, 'NB301') > 0
  end, 50)
  report(got, 'NB301 diagnostic received', vim.inspect(vim.diagnostic.get(buf)))
  if not got then
    return
  end
  local d = nb_diags(buf, 'NB301')[1]
  local text = line(buf, d.lnum)
  local covered = text:sub(d.col + 1, d.end_col)
  -- The wrong cell is the 总计 column (the last value) of the （一）予以公开 row.
  local total_col = #text - #'0 |'
  report(
    text:find('予以公开', 1, true) ~= nil and covered == '0' and d.col == total_col,
    'NB301 range covers the 总计 cell of （一）予以公开',
    string.format('line %d %q col %d-%d covers %q (expected col %d)', d.lnum, text, d.col, d.end_col, covered, total_col)
  )
  out:write('  message: ' .. d.message .. '\n')
  local zh_message = d.message
  report(zh_message:find('应为 3', 1, true) ~= nil, 'NB301 names the value the cell must have (应为 3)', zh_message)
  -- The draft's second mistake: 自然人 of （七）总计 is 0 under a column of 3. One finding per
  -- wrong cell: nothing on the correct totals whose identities the two mistakes break.
  local nb3 = {}
  for _, x in ipairs(vim.diagnostic.get(buf)) do
    if type(x.code) == 'string' and x.code:sub(1, 3) == 'NB3' then
      table.insert(nb3, x)
    end
  end
  local d302 = nb_diags(buf, 'NB302')[1]
  local l302 = d302 and line(buf, d302.lnum) or ''
  local first_value = l302:find('| 0 |', 1, true)
  report(
    #nb3 == 2 and d302 ~= nil and (l302:find('（七）总计', 1, true) or l302:find('(七)总计', 1, true))
      and l302:sub(d302.col + 1, d302.end_col) == '0' and first_value ~= nil and d302.col == first_value + 1,
    'exactly two NB3xx: NB301 and NB302 on the 自然人 cell of （七）总计',
    vim.inspect(vim.tbl_map(function(x) return { x.code, x.lnum, x.col, x.end_col } end, nb3))
  )

  -- Quick fix for that diagnostic.
  -- What vim.lsp.buf.code_action() sends with the cursor on the diagnostic: the cursor
  -- position (in the client's encoding) and the line's diagnostics as LSP diagnostics.
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
  local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
  local line_diags = {}
  if has11 then
    for _, x in ipairs(vim.diagnostic.get(buf, { lnum = d.lnum })) do
      table.insert(line_diags, x.user_data.lsp)
    end
  else
    line_diags = vim.lsp.diagnostic.get_line_diagnostics(buf, d.lnum)
  end
  params.context = { diagnostics = line_diags, only = { 'quickfix' }, triggerKind = 1 }
  local resp
  if has11 then
    resp = client:request_sync('textDocument/codeAction', params, 5000, buf)
  else
    resp = client.request_sync('textDocument/codeAction', params, 5000, buf)
  end
  local actions = resp and resp.result or {}
  local fix
  for _, a in ipairs(actions) do
    if a.kind == 'quickfix' and (a.edit or a.data) then
      fix = a
      break
    end
  end
  report(fix ~= nil, 'quick fix offered', vim.inspect(resp))
  if fix then
    out:write('  quick fix: ' .. fix.title .. '\n')
    if not fix.edit then
      local r = has11 and client:request_sync('codeAction/resolve', fix, 5000, buf)
        or client.request_sync('codeAction/resolve', fix, 5000, buf)
      fix = r and r.result or fix
    end
    vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
    local fixed_line = line(buf, d.lnum)
    report(fixed_line:match('| 3 |%s*$') ~= nil, 'quick fix rewrote the 总计 cell to 3', fixed_line)
    local gone = vim.wait(10000, function()
      return #nb_diags(buf, 'NB301') == 0
    end, 50)
    report(gone, 'NB301 cleared after the quick fix', vim.inspect(nb_diags(buf, 'NB301')))
    vim.cmd('silent undo')
    report(line(buf, d.lnum) == text, 'undo restored the wrong total', line(buf, d.lnum))
    vim.wait(10000, function()
      return #nb_diags(buf, 'NB301') > 0
    end, 50)
  end

  -- :NianbaoFixAll (source.fixAll.nianbao).
  vim.cmd('NianbaoFixAll')
  local after = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local row1, row7
  for _, l in ipairs(after) do
    if l:find('予以公开', 1, true) then
      row1 = l
    elseif l:find('（七）总计', 1, true) or l:find('(七)总计', 1, true) then
      row7 = l
    end
  end
  report(row1 and row1:match('| 3 |%s*$') ~= nil, ':NianbaoFixAll fixed the row total', tostring(row1))
  report(row7 and row7:match('^[^|]*| 3 |') ~= nil and row7:match('| 3 |%s*$') ~= nil, ':NianbaoFixAll fixed （七）总计', tostring(row7))
  local cleared = vim.wait(10000, function()
    for _, x in ipairs(vim.diagnostic.get(buf)) do
      if type(x.code) == 'string' and x.code:sub(1, 3) == 'NB3' then
        return false
      end
    end
    return true
  end, 50)
  report(cleared, 'no NB3xx left after :NianbaoFixAll', vim.inspect(vim.tbl_map(function(x)
    return x.code
  end, vim.diagnostic.get(buf))))
  vim.cmd('silent undo')
  vim.wait(10000, function()
    return #nb_diags(buf, 'NB301') > 0
  end, 50)

  -- Change a setting at run time, the way the README tells users to.
  nb.update_settings({ language = 'en' })
  local english = vim.wait(10000, function()
    local x = nb_diags(buf, 'NB301')[1]
    return x ~= nil and x.message ~= zh_message and x.message:find('[A-Za-z]') ~= nil
  end, 50)
  local en = nb_diags(buf, 'NB301')[1]
  report(english, 'nianbao.language = en changes the message', en and en.message or 'no NB301')
  if en then
    out:write('  message (en): ' .. en.message .. '\n')
  end

  -- A Markdown file that is not a report: no client.
  local other = os.getenv('NB_NONREPORT')
  if other and other ~= '' then
    vim.cmd('edit ' .. vim.fn.fnameescape(other))
    local obuf = vim.api.nvim_get_current_buf()
    vim.wait(1500, function()
      return #clients(obuf) > 0
    end, 50)
    report(#clients(obuf) == 0, 'not attached to a non-report Markdown file (' .. vim.bo[obuf].filetype .. ')', 'attached')
    vim.cmd('buffer ' .. buf)
  end

  -- A draft named like a report gets filetype "nianbao" (ftdetect) and is attached.
  local named = os.getenv('NB_FTDETECT')
  if named and named ~= '' then
    vim.cmd('edit ' .. vim.fn.fnameescape(named))
    local nbuf = vim.api.nvim_get_current_buf()
    report(vim.bo[nbuf].filetype == 'nianbao', 'ftdetect: ' .. vim.fn.fnamemodify(named, ':t') .. ' is filetype nianbao', vim.bo[nbuf].filetype)
    local a = vim.wait(10000, function()
      return #nb_diags(nbuf, 'NB301') > 0
    end, 50)
    report(a, 'filetype nianbao buffer attached and checked', vim.inspect(vim.diagnostic.get(nbuf)))
    vim.cmd('buffer ' .. buf)
  end

  -- :NianbaoInsertTemplate in a new, empty draft of filetype nianbao.
  local empty = os.getenv('NB_EMPTY')
  if empty and empty ~= '' then
    vim.cmd('edit ' .. vim.fn.fnameescape(empty))
    local ebuf = vim.api.nvim_get_current_buf()
    local a = vim.wait(10000, function()
      return #clients(ebuf) > 0
    end, 50)
    report(a and vim.bo[ebuf].filetype == 'nianbao', 'empty draft ' .. vim.fn.fnamemodify(empty, ':t') .. ' attached', vim.bo[ebuf].filetype)
    vim.cmd('NianbaoInsertTemplate')
    local text = table.concat(vim.api.nvim_buf_get_lines(ebuf, 0, -1, false), '\n')
    report(
      text:find('一、总体情况', 1, true) and text:find('（七）总计', 1, true) and text:find('六、其他需要报告的事项', 1, true),
      ':NianbaoInsertTemplate inserted the skeleton',
      text:sub(1, 200)
    )
    vim.cmd('buffer ' .. buf)
  end

  if os.getenv('NB_HEALTH') == '1' then
    vim.cmd('checkhealth nianbao')
    local hb = vim.api.nvim_get_current_buf()
    local health = table.concat(vim.api.nvim_buf_get_lines(hb, 0, -1, false), '\n')
    out:write('  ---- checkhealth nianbao ----\n')
    for l in health:gmatch('[^\n]+') do
      out:write('  | ' .. l .. '\n')
    end
    report(health:find('server found', 1, true) ~= nil, 'checkhealth: binary found', health)
    report(health:find('version: nianbao', 1, true) ~= nil, 'checkhealth: version', health)
    report(
      health:find('position encoding ' .. (want_enc or ''), 1, true) ~= nil,
      'checkhealth: negotiated position encoding',
      health
    )
  end
end, debug.traceback)
if not ok then
  report(false, 'test script', err)
end
finish()
