-- nianbao language server config for Neovim 0.11+ (`vim.lsp.config` / `vim.lsp.enable`).
--
--   vim.lsp.enable('nianbao')
--   vim.lsp.config('nianbao', { settings = { nianbao = { language = 'en' } } })  -- optional overrides
--
-- Markdown and plain-text buffers are attached only when they look like an annual report
-- (see require('nianbao').is_report); buffers with filetype "nianbao" always are.
return {
  cmd = { 'nianbao', 'lsp' },
  filetypes = { 'markdown', 'text', 'nianbao' },
  root_markers = { '.git' },
  -- Answered to the server's workspace/configuration request for section "nianbao".
  -- Keys: language (zh|en), format (auto|2019|2021), rules ({NB301 = {enabled = false}}),
  -- attach (auto|always|never), profile = {feeDecimals, requireRectification, section6Items}.
  settings = { nianbao = vim.empty_dict() },
  root_dir = function(bufnr, on_dir)
    local ok, nianbao = pcall(require, 'nianbao')
    if ok and not nianbao.should_attach(bufnr) then
      return
    end
    on_dir(vim.fs.root(bufnr, { '.git' }) or vim.fs.dirname(vim.api.nvim_buf_get_name(bufnr)))
  end,
}
