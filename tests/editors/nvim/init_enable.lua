-- Neovim 0.11+, the way a user configures it: plugin on the runtimepath, then enable.
vim.opt.rtp:prepend(assert(os.getenv('NB_PLUGIN')))
vim.lsp.enable('nianbao')
