import * as fs from 'fs';

/**
 * Requirements that do not name one exact release: no `==` / `===` pin, not a local wheel or an
 * archive URL. pip installs whatever the index offers for them at build time, so the layer
 * changes whenever the index does (the LS-UNPINNED warning). Options (`-r`, `--index-url`, ...)
 * and comments are skipped; a wildcard pin (`==2.*`) is not exact.
 */
export function unpinnedRequirements(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of joinContinuations(lines)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line || line.startsWith('-')) continue;
    const spec = line.split(';')[0].replace(/\s--hash=\S+/g, '').trim();
    const isUrlOrPath = /^[a-z][a-z0-9+.-]*:\/\//i.test(spec) || spec.includes(' @ ') || /\.(whl|tar\.gz|zip)$/i.test(spec)
      || spec.startsWith('.') || spec.startsWith('/');
    if (isUrlOrPath) continue;
    if (!isExactPin(spec)) out.push(spec);
  }
  return out;
}

/** 'name[extras] == 1.2.3': one specifier, == or ===, no wildcard. */
function isExactPin(spec: string): boolean {
  const m = /^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*\(?([^)]*)\)?$/.exec(spec);
  if (!m) return false;
  const specifiers = m[1].split(',').map((x) => x.trim()).filter(Boolean);
  return specifiers.length === 1 && /^===?\s*[^*\s]+$/.test(specifiers[0]);
}

/** The requirement lines of a requirements file (continuations joined). */
export function requirementsFileLines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split(/\r?\n/);
}

function joinContinuations(lines: readonly string[]): string[] {
  const out: string[] = [];
  let acc = '';
  for (const l of lines) {
    if (l.endsWith('\\')) {
      acc += l.slice(0, -1) + ' ';
      continue;
    }
    out.push(acc + l);
    acc = '';
  }
  if (acc) out.push(acc);
  return out;
}
