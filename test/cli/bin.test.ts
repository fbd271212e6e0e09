import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cleanupTempDirs, REPO, tempDir } from './helpers';

afterAll(cleanupTempDirs);

/** Copy the .ts sources of lib/<dir> (no compiled output) into a checkout-like root. */
function copySources(from: string, to: string): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) {
      copySources(src, dst);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(src, dst);
    }
  }
}

/** A root with bin/, package.json and the TypeScript sources the command loads: a fresh clone. */
function freshClone(): string {
  const root = tempDir('clone');
  fs.mkdirSync(path.join(root, 'bin'));
  fs.copyFileSync(path.join(REPO, 'bin', 'layersmith'), path.join(root, 'bin', 'layersmith'));
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(root, 'package.json'));
  fs.copyFileSync(path.join(REPO, 'tsconfig.json'), path.join(root, 'tsconfig.json'));
  for (const dir of ['cli', 'core', 'engine', 'local']) copySources(path.join(REPO, 'lib', dir), path.join(root, 'lib', dir));
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return root;
}

function run(root: string, args: string[], tmp: string) {
  return spawnSync(process.execPath, [path.join(root, 'bin', 'layersmith'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, TMPDIR: tmp },
  });
}

describe('bin/layersmith', () => {
  test('runs from TypeScript sources when nothing is compiled, and a stale compiled file never wins', () => {
    // GIVEN a checkout without compiled output, except a stale lib/cli/index.js older than its source
    const root = freshClone();
    const stale = path.join(root, 'lib', 'cli', 'index.js');
    fs.writeFileSync(stale, 'exports.main = async () => { process.stdout.write("stale build\\n"); return 0; };\n');
    const old = new Date('2001-01-01T00:00:00Z');
    fs.utimesSync(stale, old, old);
    const tmp = tempDir('tscache');

    // WHEN the command runs twice (the second run reads the transpile cache)
    const first = run(root, ['--version'], tmp);
    const second = run(root, ['report', path.join(root, 'nope')], tmp);

    // THEN the sources ran, not the stale file, and the cache holds one entry per loaded source
    expect({ status: first.status, stdout: first.stdout, stderr: first.stderr }).toEqual({ status: 0, stdout: `${JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version}\n`, stderr: '' });
    expect(second.status).toBe(2);
    expect(second.stderr).toContain('nope: no such directory');
    const cacheDirs = fs.readdirSync(tmp).filter((d) => d.startsWith('layersmith-ts-cache-'));
    expect(cacheDirs).toHaveLength(1);
    const cached = fs.readdirSync(path.join(tmp, cacheDirs[0]));
    expect(cached.length).toBeGreaterThan(5);
    expect(cached.every((f) => /^[0-9a-f]{64}\.js$/.test(f))).toBe(true);
  });
});
