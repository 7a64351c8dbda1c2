-- Neovim 0.7–0.10 style: require('nianbao').setup{} (FileType autocommand).
-- NB_FORCE_AUTOCMD=1 makes 0.11 take the same vim.lsp.start path instead of vim.lsp.enable.
vim.opt.rtp:prepend(assert(os.getenv('NB_PLUGIN')))
require('nianbao').setup({ force_autocmd = os.getenv('NB_FORCE_AUTOCMD') == '1' })
