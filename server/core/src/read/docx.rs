//! Word documents (.docx, Word 2007+ and WPS): paragraphs and tables of `word/document.xml`.

use super::{ReadError, Rendering};
use crate::text::TextEdit;

pub fn read(_bytes: &[u8]) -> Result<Rendering, ReadError> {
    Err(ReadError::new(
        "暂不能读取 .docx 文件：请另存为纯文本（.txt）或 Markdown（.md）",
        "a .docx file cannot be read yet: save the report as plain text (.txt) or Markdown (.md)",
    ))
}

pub fn write_back(
    _bytes: &[u8],
    _rendering: &Rendering,
    _edits: &[TextEdit],
) -> Result<Vec<u8>, ReadError> {
    Err(ReadError::new(
        "暂不能修改 .docx 文件",
        "a .docx file cannot be fixed yet",
    ))
}
