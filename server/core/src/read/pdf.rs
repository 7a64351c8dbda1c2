//! PDF: the text layer, handed to the parser's PDF-text readers.

use super::{ReadError, Rendering};

pub fn read(_bytes: &[u8]) -> Result<Rendering, ReadError> {
    Err(ReadError::new(
        "暂不能读取 PDF 文件：请用 pdftotext -layout 导出文本后检查",
        "a PDF cannot be read yet: extract its text with `pdftotext -layout` and check that",
    ))
}
