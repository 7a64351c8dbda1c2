if exists('b:did_ftplugin')
  finish
endif
runtime! ftplugin/markdown.vim
let b:did_ftplugin = 1
setlocal wrap linebreak
