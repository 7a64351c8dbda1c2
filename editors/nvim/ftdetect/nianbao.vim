" Report drafts named like annual reports get the "nianbao" filetype (Markdown syntax,
" always checked). Other Markdown / text files keep their filetype and are checked when
" their first lines look like a report.
autocmd BufNewFile,BufRead *年度报告*.md,*年度报告*.txt,*年报*.md,*年报*.txt,*.nianbao.md,*.nianbao.txt,*.nianbao set filetype=nianbao
