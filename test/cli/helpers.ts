import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LayerManifest, ManifestEntry, PackageRecord, NativeBinary } from '../../lib/core/model';

/** The real command, run as users run it. */
export const BIN = path.resolve(__dirname, '..', '..', 'bin', 'layersmith');
export const REPO = path.resolve(__dirname, '..', '..');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `node bin/layersmith ...args` in a child process and capture everything. */
export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, LAYERSMITH_DEBUG: '', ...options.env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Assert the shape every bad-input run must have: exit 2, one line on stderr, no stack trace. */
export function expectOneLineError(result: CliResult, ...fragments: (string | RegExp)[]): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^layersmith: error: /);
  expect(lines[0]).not.toMatch(/^layersmith: error: layersmith:/);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  for (const f of fragments) {
    if (typeof f === 'string') expect(lines[0]).toContain(f);
    else expect(lines[0]).toMatch(f);
  }
}

const made: string[] = [];

/** A fresh temp dir removed after all tests of the file (call `cleanupTempDirs` in afterAll). */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `layersmith-cli-${prefix}-`));
  made.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Write files (path -> content) under a root, creating directories; mode per file optional. */
export function writeTree(root: string, files: Record<string, string | Buffer | { content: string | Buffer; mode: number }>): void {
  for (const [rel, value] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (typeof value === 'string' || Buffer.isBuffer(value)) {
      fs.writeFileSync(file, value);
    } else {
      fs.writeFileSync(file, value.content);
      fs.chmodSync(file, value.mode);
    }
  }
}

/**
 * A layer manifest for report tests: files (path -> unzipped size) plus packages and natives.
 * The report reads manifests the front-ends copied into the assembly, so any well-formed manifest
 * stands for one; the examples' tests use manifests of real builds.
 */
export function manifestOf(
  files: Record<string, number>,
  extra: { packages?: PackageRecord[]; natives?: NativeBinary[]; sha256?: string; crc64?: string; zippedSize?: number } = {},
): LayerManifest {
  const entries: ManifestEntry[] = Object.entries(files)
    .map(([p, size]) => ({ path: p, size, compressedSize: Math.ceil(size / 2), mode: 0o644, type: 'file' as const }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const unzipped = entries.reduce((n, e) => n + e.size, 0);
  return {
    schemaVersion: 1,
    zip: {
      sha256: extra.sha256 ?? 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=',
      crc64: extra.crc64 ?? '11051210869376104954',
      zippedSize: extra.zippedSize ?? Math.ceil(unzipped / 2) + 100,
      unzippedSize: unzipped,
      entryCount: entries.length,
    },
    entries,
    natives: extra.natives ?? [],
    wheelTags: [],
    packages: extra.packages ?? [],
    excluded: [],
  };
}
