/**
 * Text helpers for stable output: no locale, no time zone, no terminal width, so the same input
 * gives the same bytes on every machine and a review diff shows only real changes.
 */

/** 1234567 -> '1,234,567' (fixed separators; `toLocaleString` depends on the machine). */
export function groupDigits(n: number): string {
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.abs(Math.trunc(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Bytes with the exact figure first: '12,345,678 B (11.8 MiB)'. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${groupDigits(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${groupDigits(n)} B (${value.toFixed(1)} ${units[unit]})`;
}

/** used/limit as a percentage with one decimal: '42.3%'. */
export function formatPercent(used: number, limit: number): string {
  if (limit <= 0) return 'n/a';
  return `${((100 * used) / limit).toFixed(1)}%`;
}

/** Make text safe inside a Markdown table cell. */
export function cell(text: string): string {
  // GFM splits cells on '|' even inside code spans; '\|' is the one escape it honours there.
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Inline code that survives backticks in the text. */
export function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A Markdown table; every cell is escaped. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const lines = [`| ${header.map(cell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines;
}

/** Byte-order string comparison, independent of locale (localeCompare is not). */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with sorted object keys and a trailing newline: stable across runs and key insertion order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + '\n';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort(byCodePoint)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}
