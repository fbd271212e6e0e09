import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fileDigest, pathDigest } from '../digest';
import { isUrl } from './kind';

/**
 * Inputs of a pip install besides the requirements file itself: what that file makes pip read
 * (-r/-c includes, local paths, -f directories) and the pip configuration that changes what is
 * installed. Each is keyed by its reference as written, never by an absolute path of this
 * checkout, so two checkouts of one project share keys.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Includes, constraints, local paths and find-links directories a requirements file reads, recursively. */
export function requirementsInputs(file: string, seen: Set<string> = new Set()): Json[] {
  const abs = path.resolve(file);
  if (seen.has(abs)) return [];
  seen.add(abs);
  const dir = path.dirname(abs);
  const out: Json[] = [];
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch {
    return out;
  }
  for (const line of logicalLines(text)) {
    const opt = /^(-r|--requirement|-c|--constraint|-f|--find-links|-e|--editable)(?:\s*=\s*|\s+|(?<=^-[rcfe]))(\S+)/.exec(line);
    if (opt) {
      const [, flag, ref] = opt;
      const target = localPath(ref, dir, true);
      if (!target) continue;
      if (flag === '-r' || flag === '--requirement' || flag === '-c' || flag === '--constraint') {
        out.push({ ref: `${flag} ${ref}`, digest: fileDigest(target), includes: requirementsInputs(target, seen) });
      } else if (flag === '-f' || flag === '--find-links') {
        out.push({ ref: `${flag} ${ref}`, listing: listing(target) });
      } else {
        out.push({ ref: `${flag} ${ref}`, digest: pathDigest(target) });
      }
      continue;
    }
    // A local archive or directory as a requirement: './pkg', 'wheels/x.whl', 'name @ file:///...'.
    const direct = /@\s*(file:\S+)/.exec(line)?.[1] ?? line.split(/[\s;]/)[0];
    const target = localPath(direct, dir);
    if (target) out.push({ ref: direct, digest: pathDigest(target) });
  }
  return out;
}

/** One requirement per entry: comments dropped, backslash continuations joined. */
function logicalLines(text: string): string[] {
  return text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter((l) => l.length > 0);
}

/** The existing local file or directory a reference names, else undefined (a specifier or URL). */
function localPath(ref: string, baseDir: string, isPath = false): string | undefined {
  let p = ref;
  if (/^file:/i.test(p)) {
    try {
      p = decodeURIComponent(new URL(p).pathname);
    } catch {
      return undefined;
    }
  } else if (isUrl(p)) {
    return undefined;
  } else if (!isPath && !(p.startsWith('.') || p.startsWith('/') || p.includes('/') || /\.(whl|zip|tar\.gz|tgz)$/i.test(p))) {
    return undefined;
  }
  const abs = path.resolve(baseDir, p);
  return fs.existsSync(abs) ? abs : undefined;
}

/**
 * A wheel directory as file names and sizes: wheel names carry name, version and tags, and
 * reading every wheel of a large mirror for each key would cost more than the build saves.
 */
function listing(dir: string): Json {
  try {
    if (!fs.statSync(dir).isDirectory()) return pathDigest(dir);
    return fs.readdirSync(dir).sort().map((n) => {
      const st = fs.statSync(path.join(dir, n));
      return `${n}:${st.isDirectory() ? 'dir' : `${st.size}:${(st.mode & 0o111) !== 0 ? 1 : 0}`}`;
    });
  } catch {
    return null;
  }
}

/** pip settings that change which distributions an install picks. */
const INSTALL_SETTINGS = ['index-url', 'extra-index-url', 'find-links', 'no-index', 'only-binary', 'no-binary', 'prefer-binary', 'pre', 'constraint'];

/**
 * The pip configuration this machine's pip would apply to the install (config files in pip's
 * order, then PIP_* environment variables), reduced to INSTALL_SETTINGS; local find-links
 * directories by their listing. Changing where pip looks is a different layer.
 */
export function pipConfigInputs(env: NodeJS.ProcessEnv = process.env): Json {
  const files = env.PIP_CONFIG_FILE
    ? [env.PIP_CONFIG_FILE]
    : ['/etc/pip.conf', '/etc/xdg/pip/pip.conf', path.join(os.homedir(), '.pip', 'pip.conf'),
      path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'pip', 'pip.conf'),
      ...(env.VIRTUAL_ENV ? [path.join(env.VIRTUAL_ENV, 'pip.conf')] : [])];
  const settings: Record<string, string> = {};
  for (const f of files) {
    let text: string;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    let section = '';
    let last: string | undefined;
    for (const raw of text.split(/\r?\n/)) {
      const sec = /^\s*\[([^\]]+)\]/.exec(raw);
      if (sec) {
        section = sec[1].trim().toLowerCase();
        last = undefined;
        continue;
      }
      if (section !== 'global' && section !== 'install') continue;
      if (/^\s+\S/.test(raw) && last) {
        // an indented line continues a multi-value setting (find-links, extra-index-url)
        settings[last] += ` ${raw.trim()}`;
        continue;
      }
      const kv = /^\s*([A-Za-z0-9_-]+)\s*[=:]\s*(.*)$/.exec(raw);
      if (!kv) continue;
      const key = kv[1].toLowerCase().replace(/_/g, '-');
      last = INSTALL_SETTINGS.includes(key) ? `${section}.${key}` : undefined;
      if (last) settings[last] = kv[2].trim();
    }
  }
  for (const key of INSTALL_SETTINGS) {
    const v = env[`PIP_${key.toUpperCase().replace(/-/g, '_')}`];
    if (v !== undefined) settings[`env.${key}`] = v;
  }
  const out: Record<string, Json> = {};
  for (const k of Object.keys(settings).sort()) {
    const value = settings[k];
    out[k] = k.endsWith('find-links')
      ? value.split(/\s+/).filter(Boolean).map((l) => (isUrl(l) ? l : { dir: path.basename(l), listing: listing(l) }))
      : value;
  }
  return out;
}
