-- Commands of the nianbao plugin (Neovim 0.7+). The language server itself is enabled by
-- `vim.lsp.enable('nianbao')` (0.11+, config in lsp/nianbao.lua) or `require('nianbao').setup{}`.
if vim.g.loaded_nianbao then
  return
end
vim.g.loaded_nianbao = true

vim.api.nvim_create_user_command('NianbaoFixAll', function()
  require('nianbao').fix_all()
end, { desc = 'nianbao: recompute all totals (source.fixAll.nianbao)' })

vim.api.nvim_create_user_command('NianbaoInsertTemplate', function()
  require('nianbao').insert_template()
end, { desc = 'nianbao: insert the report skeleton' })

if vim.treesitter and vim.treesitter.language and vim.treesitter.language.register then
  pcall(vim.treesitter.language.register, 'markdown', 'nianbao')
end
