// Built-in 2021-format skeleton (国办公开办函〔2021〕30号), used by 插入年报模板 only when the
// server offers no skeleton code action (e.g. an older server). skeleton-2021.md is the text
// the server itself inserts (every count 0, so every identity holds), with {{YEAR}} for the year.
import template from './skeleton-2021.md';

export function skeleton(year: number): string {
  return template.replace(/\{\{YEAR\}\}/g, String(year));
}
