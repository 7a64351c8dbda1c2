-- Neovim 0.11 set up for the README screenshot: the plugin as a user loads it, diagnostics
-- shown as undercurl + virtual text, and the float of the wrong total opened.
vim.opt.rtp:prepend(assert(os.getenv('NB_PLUGIN')))
vim.o.termguicolors = true
vim.o.number = true
vim.o.wrap = true
vim.o.linebreak = false
vim.o.laststatus = 2
vim.o.cmdheight = 1
vim.diagnostic.config({
  virtual_text = { spacing = 1, prefix = '●' },
  underline = true,
  severity_sort = true,
  signs = true,
  float = { border = 'rounded', max_width = 70, header = '', source = true },
})
vim.lsp.enable('nianbao')
vim.api.nvim_create_autocmd('DiagnosticChanged', {
  callback = function(args)
    for _, d in ipairs(vim.diagnostic.get(args.buf)) do
      if d.code == 'NB301' and not vim.g.nb_shot then
        vim.g.nb_shot = true
        vim.schedule(function()
          vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
          vim.cmd('normal! zt')
          vim.cmd('normal! 4\25') -- scroll a little so rows above the wrong one show
          vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
          vim.diagnostic.open_float({ scope = 'cursor', close_events = {}, focusable = false })
          vim.defer_fn(function()
            local f = io.open(assert(os.getenv('NB_READY')), 'w')
            f:write('ready\n')
            f:close()
          end, 500)
        end)
      end
    end
  end,
})
