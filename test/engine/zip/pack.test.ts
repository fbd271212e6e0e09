import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { hasTool, readWithYauzl, tempDir, writeTree } from './helpers';
import { crc64Decimal, sha256Base64 } from '../../../lib/core/checksums';
import { inspectZip } from '../../../lib/engine/inspect';
import { packDirectory, validateEntryName, ZipPackError } from '../../../lib/engine/zip';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const unzipTest = hasTool('unzip') ? test : test.skip;
if (!hasTool('unzip')) console.warn('unzip (Info-ZIP) is not installed: the `unzip -t` checks are skipped; run scripts/setup.sh');

const LAYER: Record<string, string | null> = {
  'python/pkg/__init__.py': 'from .core import run\n',
  'python/pkg/core.py': 'def run():\n    return 42\n'.repeat(50),
  'python/pkg/data/empty.txt': '',
  'nodejs/node_modules/dep/package.json': '{"name":"dep","version":"1.0.0"}',
  'nodejs/node_modules/dep/index.js': 'module.exports = () => "dep";\n',
  'bin/run': '#!/bin/sh\nexec python3 -m pkg "$@"\n',
  'lib/empty-dir': null,
  'ünïcode/名前.txt': 'utf-8 names\n',
};

function buildTree(root: string, order: 'forward' | 'reverse', umask: number): void {
  const old = process.umask(umask);
  try {
    const entries = Object.entries(LAYER);
    if (order === 'reverse') entries.reverse();
    for (const [rel, content] of entries) writeTree(root, { [rel]: content });
    fs.chmodSync(path.join(root, 'bin/run'), 0o777 & ~umask);
    fs.symlinkSync('run', path.join(root, 'bin/alias'));
  } finally {
    process.umask(old);
  }
}

describe('packDirectory: reproducibility', () => {
  test('the same tree gives identical bytes whatever the mtimes, umask, creation order and worker count', async () => {
    // GIVEN two copies of one tree, created in opposite orders under different umasks, one with old mtimes
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    buildTree(a, 'forward', 0o022);
    buildTree(b, 'reverse', 0o077);
    const old = new Date('2001-02-03T04:05:06Z');
    for (const rel of Object.keys(LAYER)) fs.utimesSync(path.join(b, rel), old, old);
    expect(fs.statSync(path.join(a, 'python/pkg/core.py')).mode & 0o777).not.toBe(fs.statSync(path.join(b, 'python/pkg/core.py')).mode & 0o777);

    // WHEN both are packed (with different worker counts)
    const ra = await packDirectory(a, path.join(dir, 'a.zip'), { workers: 1 });
    const rb = await packDirectory(b, path.join(dir, 'b.zip'), { workers: 3 });

    // THEN the ZIPs are byte-for-byte identical and the reported checksums are the file's
    const bytesA = fs.readFileSync(ra.zipPath);
    expect(fs.readFileSync(rb.zipPath).equals(bytesA)).toBe(true);
    expect(ra.sha256).toBe(sha256Base64(bytesA));
    expect(ra.crc64).toBe(crc64Decimal(bytesA));
    expect(ra.zippedSize).toBe(bytesA.length);
    expect(rb).toEqual({ ...ra, zipPath: rb.zipPath });
  });

  test('entries are sorted by path bytes, with fixed DOS timestamps and normalised modes', async () => {
    // GIVEN a tree with an executable, a read-only file and a symlink
    const root = path.join(dir, 'root');
    buildTree(root, 'forward', 0o022);
    fs.chmodSync(path.join(root, 'python/pkg/core.py'), 0o400);
    const zip = path.join(dir, 'layer.zip');

    // WHEN it is packed
    const result = await packDirectory(root, zip);

    // THEN an independent reader (yauzl, which checks every CRC) sees sorted, normalised entries
    const entries = await readWithYauzl(zip);
    const names = entries.map((e) => e.name);
    expect(names).toEqual([...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    expect(names).toContain('lib/empty-dir/');
    const modes = Object.fromEntries(entries.map((e) => [e.name, (e.externalAttr >>> 16).toString(8)]));
    expect(modes).toMatchObject({
      'bin/': '40755',
      'bin/run': '100755',
      'bin/alias': '120777',
      'python/pkg/core.py': '100644',
      'python/pkg/data/empty.txt': '100644',
      'lib/empty-dir/': '40755',
    });
    expect(entries.find((e) => e.name === 'bin/alias')!.data.toString()).toBe('run');
    expect(entries.find((e) => e.name === 'ünïcode/名前.txt')!.data.toString()).toBe('utf-8 names\n');
    expect(entries.find((e) => e.name === 'python/pkg/core.py')!.method).toBe(8);
    expect(result.entryCount).toBe(entries.length);
    // Every local and central header carries 1980-01-01 00:00 (DOS date 0x0021, time 0).
    const bytes = fs.readFileSync(zip);
    let headers = 0;
    for (let i = bytes.indexOf('PK\x03\x04'); i >= 0; i = bytes.indexOf('PK\x03\x04', i + 4)) {
      expect(bytes.readUInt16LE(i + 10)).toBe(0);
      expect(bytes.readUInt16LE(i + 12)).toBe(0x21);
      headers++;
    }
    expect(headers).toBe(entries.length);
  });

  unzipTest('Info-ZIP `unzip -t` accepts the archive', async () => {
    // GIVEN a packed layer
    const root = path.join(dir, 'root');
    buildTree(root, 'forward', 0o022);
    const zip = path.join(dir, 'layer.zip');
    await packDirectory(root, zip);
    // WHEN unzip tests it THEN it reports no errors
    const out = execFileSync('unzip', ['-t', zip], { encoding: 'utf8' });
    expect(out).toContain('No errors detected');
  });

  test('a file of 16 MiB or more is streamed with a data descriptor and reads back intact', async () => {
    // GIVEN a layer with one 17 MiB file of mixed content
    const root = path.join(dir, 'root');
    const big = Buffer.alloc(17 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeTree(root, { 'lib/big.bin': big, 'lib/small.txt': 'small' });
    const zip = path.join(dir, 'big.zip');
    // WHEN it is packed
    await packDirectory(root, zip);
    // THEN yauzl reads the same bytes back and the inspector agrees on sizes
    const entries = await readWithYauzl(zip);
    expect(entries.find((e) => e.name === 'lib/big.bin')!.data.equals(big)).toBe(true);
    const m = await inspectZip(zip, { verifyCrc: true });
    expect(m.zip.unzippedSize).toBe(big.length + 5);
    if (hasTool('unzip')) expect(execFileSync('unzip', ['-t', zip], { encoding: 'utf8' })).toContain('No errors detected');
  });

  test('more than 65,535 entries get zip64 end records that yauzl, unzip and the inspector read', async () => {
    // GIVEN 66,000 empty files in 66 directories
    const root = path.join(dir, 'many');
    for (let d = 0; d < 66; d++) {
      const sub = path.join(root, `d${d}`);
      fs.mkdirSync(sub, { recursive: true });
      for (let f = 0; f < 1000; f++) fs.writeFileSync(path.join(sub, `f${f}`), '');
    }
    const zip = path.join(dir, 'many.zip');
    // WHEN it is packed
    const result = await packDirectory(root, zip);
    // THEN the count is right everywhere and a zip64 end record is present
    expect(result.entryCount).toBe(66_066);
    const bytes = fs.readFileSync(zip);
    expect(bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBeGreaterThan(0);
    expect(bytes.readUInt16LE(bytes.length - 22 + 10)).toBe(0xFFFF);
    const m = await inspectZip(zip);
    expect(m.zip.entryCount).toBe(66_066);
    expect(m.entries[m.entries.length - 1].path).toBe('d9/f999');
    expect((await readWithYauzl(zip)).length).toBe(66_066);
    if (hasTool('unzip')) expect(execFileSync('unzip', ['-tq', zip], { encoding: 'utf8' })).toContain('No errors detected');
  });
});

describe('packDirectory: excludes', () => {
  test('default excludes keep secrets and junk out and report each, secrets flagged', async () => {
    // GIVEN a tree with secrets, junk and real content
    const root = path.join(dir, 'root');
    writeTree(root, {
      'python/app.py': 'x',
      '.env': 'TOKEN=1',
      '.env.production': 'TOKEN=2',
      'python/.npmrc': '//registry/:_authToken=abc',
      '.pypirc': '[pypi]',
      '.aws/credentials': '[default]',
      'keys/id_rsa': 'KEY',
      'keys/server.pem': 'PEM',
      'keys/tls.key': 'KEY',
      'credentials': 'x',
      '.netrc': 'machine x',
      '.git/HEAD': 'ref',
      'python/__pycache__/app.cpython-312.pyc': 'bytecode',
      'python/old.pyc': 'bytecode',
      'python/.DS_Store': 'junk',
    });
    // WHEN it is packed
    const result = await packDirectory(root, path.join(dir, 'layer.zip'));
    // THEN only real content is in the ZIP, and every left-out path is reported with its reason
    const m = await inspectZip(result.zipPath);
    expect(m.entries.map((e) => e.path)).toEqual(['keys/', 'python/', 'python/app.py']);
    expect(result.excluded.map((e) => [e.path, e.secret])).toEqual([
      ['.aws/', true],
      ['.env', true],
      ['.env.production', true],
      ['.git/', false],
      ['.netrc', true],
      ['.pypirc', true],
      ['credentials', true],
      ['keys/id_rsa', true],
      ['keys/server.pem', true],
      ['keys/tls.key', true],
      ['python/.DS_Store', false],
      ['python/.npmrc', true],
      ['python/__pycache__/', false],
      ['python/old.pyc', false],
    ]);
    expect(result.excluded.find((e) => e.path === '.npmrc' || e.path === 'python/.npmrc')!.reason).toMatch(/^secret: npm config/);
  });

  test('user globs exclude on top of the defaults; useDefaultExcludes: false keeps everything else', async () => {
    // GIVEN a tree with docs, tests and a .env file
    const root = path.join(dir, 'root');
    writeTree(root, {
      'python/pkg/mod.py': 'x',
      'python/pkg/tests/test_mod.py': 'x',
      'docs/index.md': 'x',
      'python/pkg/README.md': 'x',
      '.env': 'x',
    });
    // WHEN packed with user excludes and the defaults off
    const result = await packDirectory(root, path.join(dir, 'layer.zip'), { excludes: ['docs/**', '**/tests/', '*.md', '.env'], useDefaultExcludes: false });
    // THEN the user patterns apply (a secret-looking match is still flagged) and nothing else is dropped
    const m = await inspectZip(result.zipPath);
    expect(m.entries.map((e) => e.path)).toEqual(['python/', 'python/pkg/', 'python/pkg/mod.py']);
    expect(result.excluded).toEqual([
      { path: '.env', reason: 'excluded by pattern ".env" (secret: environment file)', secret: true },
      { path: 'docs/', reason: 'excluded by pattern "docs/**"', secret: false },
      { path: 'python/pkg/README.md', reason: 'excluded by pattern "*.md"', secret: false },
      { path: 'python/pkg/tests/', reason: 'excluded by pattern "**/tests/"', secret: false },
    ]);
  });
});

describe('packDirectory: output inside the root', () => {
  test('a ZIP written into the layer root is not packed into the next build', async () => {
    // GIVEN a root that already holds the output ZIP from an earlier build
    const root = path.join(dir, 'root');
    writeTree(root, { 'a.txt': 'a' });
    const zip = path.join(root, 'layer.zip');
    const first = await packDirectory(root, zip);
    // WHEN it is packed again to the same path
    const second = await packDirectory(root, zip);
    // THEN the ZIP holds only the content, is identical to the first, and the old ZIP is reported
    expect(second.sha256).toBe(first.sha256);
    expect((await inspectZip(zip)).entries.map((e) => e.path)).toEqual(['a.txt']);
    expect(second.excluded).toEqual([{ path: 'layer.zip', reason: 'the output ZIP itself', secret: false }]);
  });
});

describe('packDirectory: errors leave nothing behind', () => {
  async function packError(root: string, out: string, options = {}): Promise<ZipPackError> {
    try {
      await packDirectory(root, out, options);
    } catch (e) {
      expect(e).toBeInstanceOf(ZipPackError);
      return e as ZipPackError;
    }
    throw new Error('expected a ZipPackError');
  }

  function outputDirIsEmpty(outDir: string): void {
    expect(fs.existsSync(outDir) ? fs.readdirSync(outDir) : []).toEqual([]);
  }

  test('SYMLINK_ESCAPE: a relative link out of the root names the link and its target', async () => {
    // GIVEN a link that climbs out of the layer root
    const root = path.join(dir, 'root');
    writeTree(root, { 'lib/a.so': 'x' });
    fs.symlinkSync('../../outside', path.join(root, 'lib/escape'));
    const outDir = path.join(dir, 'out');
    // WHEN packed THEN it is refused, naming the link and target, and no ZIP or temp file remains
    const err = await packError(root, path.join(outDir, 'layer.zip'));
    expect(err.code).toBe('SYMLINK_ESCAPE');
    expect(err.path).toBe(path.join(root, 'lib/escape'));
    expect(err.message).toContain('points to ../../outside, outside the layer root');
    outputDirIsEmpty(outDir);
  });

  test('SYMLINK_ESCAPE: an absolute link', async () => {
    // GIVEN a link to an absolute path
    const root = path.join(dir, 'root');
    writeTree(root, { 'a.txt': 'x' });
    fs.symlinkSync('/etc/hostname', path.join(root, 'host'));
    // WHEN packed THEN refused
    const err = await packError(root, path.join(dir, 'out', 'layer.zip'));
    expect(err.code).toBe('SYMLINK_ESCAPE');
    expect(err.message).toContain('/etc/hostname');
  });

  test('a link inside the root that goes up and back down is stored as a link', async () => {
    // GIVEN lib/link -> ../bin/tool
    const root = path.join(dir, 'root');
    writeTree(root, { 'bin/tool': 'x', 'lib/keep': 'y' });
    fs.symlinkSync('../bin/tool', path.join(root, 'lib/link'));
    // WHEN packed THEN the link is kept with its target text
    const result = await packDirectory(root, path.join(dir, 'layer.zip'));
    const m = await inspectZip(result.zipPath);
    expect(m.entries.find((e) => e.path === 'lib/link')).toMatchObject({ type: 'symlink', linkTarget: '../bin/tool' });
  });

  test('BAD_ENTRY_NAME: a file name with a backslash', async () => {
    // GIVEN a file whose name holds a backslash (legal on Linux, not in a ZIP path)
    const root = path.join(dir, 'root');
    writeTree(root, { 'python\\mod.py': 'x' });
    // WHEN packed THEN refused with the shared entry-name message
    const err = await packError(root, path.join(dir, 'out', 'layer.zip'));
    expect(err.code).toBe('BAD_ENTRY_NAME');
    expect(err.message).toContain(validateEntryName('python\\mod.py')!);
    outputDirIsEmpty(path.join(dir, 'out'));
  });

  test('NOT_A_DIRECTORY: a missing root and a file as root', async () => {
    // GIVEN a path that does not exist and one that is a file
    const file = path.join(dir, 'file.txt');
    fs.writeFileSync(file, 'x');
    // WHEN packed THEN both are refused with the path
    expect((await packError(path.join(dir, 'missing'), path.join(dir, 'a.zip'))).message).toContain('does not exist');
    expect((await packError(file, path.join(dir, 'b.zip'))).message).toContain('is not a directory');
  });

  test('BAD_OPTION: a deflate level outside 0-9 and a zero worker count', async () => {
    // GIVEN a valid tree
    const root = path.join(dir, 'root');
    writeTree(root, { 'a.txt': 'x' });
    // WHEN packed with bad options THEN refused, saying the allowed values
    expect((await packError(root, path.join(dir, 'a.zip'), { level: 11 })).message).toContain('deflate level 11 is not an integer from 0 to 9');
    expect((await packError(root, path.join(dir, 'a.zip'), { workers: 0 })).message).toContain('workers=0 must be a positive integer');
  });

  test('UNSUPPORTED_FILE_TYPE: a FIFO', async () => {
    // GIVEN a named pipe in the tree
    const root = path.join(dir, 'root');
    writeTree(root, { 'a.txt': 'x' });
    execFileSync('mkfifo', [path.join(root, 'pipe')]);
    // WHEN packed THEN refused, naming it
    const err = await packError(root, path.join(dir, 'out', 'a.zip'));
    expect(err.code).toBe('UNSUPPORTED_FILE_TYPE');
    expect(err.path).toBe(path.join(root, 'pipe'));
  });

  test('FILE_CHANGED: a small file that grows while the layer is packed', async () => {
    // GIVEN enough small files for several worker batches beyond the look-ahead window
    const root = path.join(dir, 'root');
    for (let i = 0; i < 4000; i++) writeTree(root, { [`f/${String(i).padStart(4, '0')}.txt`]: 'x' });
    const last = path.join(root, 'f/3999.txt');
    const outDir = path.join(dir, 'out');
    // WHEN the last file grows after the first batch is written (before it is read)
    let grown = false;
    const err = await packError(root, path.join(outDir, 'a.zip'), {
      workers: 1,
      onProgress: () => {
        if (!grown) fs.appendFileSync(last, 'more');
        grown = true;
      },
    });
    // THEN the pack fails naming the file and the sizes, and leaves nothing
    expect(err.code).toBe('FILE_CHANGED');
    expect(err.path).toBe(last);
    expect(err.message).toContain('size was 1 bytes when listed and 5 when read');
    outputDirIsEmpty(outDir);
  });

  test('FILE_CHANGED: a streamed big file that grows while the layer is packed', async () => {
    // GIVEN a small file followed (in path order) by a 16 MiB file
    const root = path.join(dir, 'root');
    writeTree(root, { 'a.txt': 'x', 'z.bin': Buffer.alloc(16 * 1024 * 1024, 7) });
    const outDir = path.join(dir, 'out');
    // WHEN the big file grows after the first entries are written
    let grown = false;
    const err = await packError(root, path.join(outDir, 'a.zip'), {
      onProgress: () => {
        if (!grown) fs.appendFileSync(path.join(root, 'z.bin'), 'more');
        grown = true;
      },
    });
    // THEN the pack fails naming it, and leaves nothing
    expect(err.code).toBe('FILE_CHANGED');
    expect(err.path).toBe(path.join(root, 'z.bin'));
    outputDirIsEmpty(outDir);
  });

  test('READ_FAILED: a file removed between listing and reading', async () => {
    // GIVEN enough small files for several worker batches beyond the look-ahead window
    const root = path.join(dir, 'root');
    for (let i = 0; i < 4000; i++) writeTree(root, { [`f/${String(i).padStart(4, '0')}.txt`]: 'x' });
    const last = path.join(root, 'f/3999.txt');
    const outDir = path.join(dir, 'out');
    // WHEN the last file disappears after the first batch is written (before it is read)
    let removed = false;
    const err = await packError(root, path.join(outDir, 'a.zip'), {
      workers: 1,
      onProgress: () => {
        if (!removed) fs.rmSync(last);
        removed = true;
      },
    });
    // THEN the pack fails naming the file, and leaves nothing
    expect(err.code).toBe('READ_FAILED');
    expect(err.path).toBe(last);
    expect(err.message).toContain('ENOENT');
    outputDirIsEmpty(outDir);
  });
});

describe('validateEntryName', () => {
  test.each([
    ['python/mod.py', null],
    ['dir/', null],
    ['/abs', 'absolute path'],
    ['C:/x', 'absolute path'],
    ['a/../b', "'..' segment"],
    ['a\\b', 'backslash'],
    ['a\0b', 'NUL byte'],
    ['a//b', "empty or '.' segment"],
    ['./a', "empty or '.' segment"],
    ['', 'empty entry name'],
  ])('%j -> %s', (name, expected) => {
    // GIVEN a name WHEN validated THEN the message names the rule (or null when valid)
    const msg = validateEntryName(name);
    if (expected === null) expect(msg).toBeNull();
    else expect(msg).toContain(expected);
  });
});
