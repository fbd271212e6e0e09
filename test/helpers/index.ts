import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import archiver from 'archiver';
import { hasTool } from '../../lib/engine/tools';

export { hasTool };

/**
 * `test` when every tool is on PATH, else `test.skip` with a warning naming the missing tool
 * (the only reason a test may skip).
 */
export function testWithTools(...tools: string[]): jest.It {
  const missing = tools.filter((t) => !hasTool(t));
  if (missing.length === 0) return test;
  // eslint-disable-next-line no-console
  console.warn(`skipping tests that need ${missing.join(', ')}: not on PATH (scripts/setup.sh installs them)`);
  return test.skip;
}

/** A fresh temp directory; removed by `cleanupTempDirs()` (call it in afterAll/afterEach). */
const created: string[] = [];
export function makeTempDir(prefix = 'layersmith-test-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(d);
  return d;
}
export function cleanupTempDirs(): void {
  while (created.length) fs.rmSync(created.pop()!, { recursive: true, force: true });
}

/** Writes files (path -> content) under root, creating directories. Mode 0755 for `exec` paths. */
export function writeTree(root: string, files: Record<string, string | Buffer>, exec: string[] = []): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
    if (exec.includes(rel)) fs.chmodSync(abs, 0o755);
  }
}

/** Options of `makeWheel`. */
export interface WheelOptions {
  /** Distribution name, e.g. 'tiny-greeter'. */
  readonly name: string;
  /** Version, e.g. '1.0.0'. */
  readonly version: string;
  /** Files of the wheel besides dist-info (path -> content). @default { '<module>/__init__.py': ... } */
  readonly files?: Record<string, string | Buffer>;
  /** Requires-Dist lines. @default [] */
  readonly requires?: string[];
  /** Wheel tag. @default 'py3-none-any' */
  readonly tag?: string;
}

/**
 * Writes a valid wheel (a zip with dist-info METADATA, WHEEL and RECORD) into `dir` and returns
 * its path. pip installs it like any wheel from an index, with --no-index --find-links dir.
 */
export async function makeWheel(dir: string, options: WheelOptions): Promise<string> {
  const tag = options.tag ?? 'py3-none-any';
  const distName = options.name.replace(/[-.]+/g, '_');
  const module = distName.toLowerCase();
  const distInfo = `${distName}-${options.version}.dist-info`;
  const files: Record<string, Buffer> = {};
  for (const [p, c] of Object.entries(options.files ?? { [`${module}/__init__.py`]: `VERSION = '${options.version}'\n` })) {
    files[p] = Buffer.from(c);
  }
  files[`${distInfo}/METADATA`] = Buffer.from([
    'Metadata-Version: 2.1',
    `Name: ${options.name}`,
    `Version: ${options.version}`,
    ...(options.requires ?? []).map((r) => `Requires-Dist: ${r}`),
    '',
  ].join('\n'));
  files[`${distInfo}/WHEEL`] = Buffer.from(`Wheel-Version: 1.0\nGenerator: layersmith-tests\nRoot-Is-Purelib: ${tag.endsWith('-any') ? 'true' : 'false'}\nTag: ${tag}\n`);
  const record = Object.entries(files).map(([p, b]) => {
    const digest = createHash('sha256').update(b).digest('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    return `${p},sha256=${digest},${b.length}`;
  });
  record.push(`${distInfo}/RECORD,,`);
  files[`${distInfo}/RECORD`] = Buffer.from(record.join('\n') + '\n');

  const out = path.join(dir, `${distName}-${options.version}-${tag}.whl`);
  await writeZip(out, files);
  return out;
}

/** Writes a zip of the given entries (fixed dates, 0644). */
export async function writeZip(out: string, files: Record<string, Buffer | string>, modes: Record<string, number> = {}): Promise<void> {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const stream = fs.createWriteStream(out);
    const zip = archiver('zip', { zlib: { level: 6 } });
    stream.on('close', () => resolve());
    zip.on('error', reject);
    stream.on('error', reject);
    zip.pipe(stream);
    for (const [p, b] of Object.entries(files)) {
      zip.append(Buffer.from(b), { name: p, date: new Date('2020-01-01T00:00:00Z'), mode: modes[p] ?? 0o644 });
    }
    void zip.finalize();
  });
}

/** Every file under root as relative path -> content (sorted), for comparing trees. */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const abs = path.join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      if (fs.lstatSync(abs).isDirectory()) walk(abs, r);
      else out.push(r);
    }
  };
  walk(root, '');
  return out;
}

export { rawZip, writeRawZip } from './raw-zip';
export type { RawEntry } from './raw-zip';

/** What `run` throws; fails the test when it throws nothing. */
export function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

/**
 * Paths `fn` opened with fs.openSync (hashing a file goes through it, so a test can tell whether
 * a ZIP was read).
 */
export function openedDuring(fn: () => void): string[] {
  const realFs = jest.requireActual<typeof fs>('fs');
  const opened: string[] = [];
  const original = realFs.openSync;
  const spy = jest.spyOn(realFs, 'openSync').mockImplementation(((p: fs.PathLike, ...rest: unknown[]) => {
    opened.push(String(p));
    return (original as (...a: unknown[]) => number).call(realFs, p, ...rest);
  }) as typeof fs.openSync);
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return opened;
}
