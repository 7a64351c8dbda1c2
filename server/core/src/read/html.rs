//! Published web pages (HTML): the report's content block, its paragraphs and tables.

use super::{ReadError, Rendering};

pub fn read(_bytes: &[u8]) -> Result<Rendering, ReadError> {
    Err(ReadError::new(
        "暂不能读取网页文件：请将正文另存为纯文本（.txt）",
        "an HTML page cannot be read yet: save the report's text as plain text (.txt)",
    ))
}
