import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cleanupTempDirs, expectOneLineError, runCli, tempDir, writeTree } from './helpers';
import { crc64Decimal, sha256Base64 } from '../../lib/core/checksums';
import { packDirectory } from '../../lib/engine/zip';

afterAll(cleanupTempDirs);

/** An x86_64 Linux ELF executable present on this machine (the tests run on Linux x86_64). */
const REAL_ELF = '/bin/ls';

const PY_LAYER = {
  'python/greet/__init__.py': 'def hello():\n    return "hi"\n',
  'python/greet-1.4.2.dist-info/METADATA': 'Metadata-Version: 2.1\nName: greet\nVersion: 1.4.2\n',
  'python/greet-1.4.2.dist-info/WHEEL': 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
  'python/greet-1.4.2.dist-info/RECORD': '',
};

/** A layer ZIP made the way layersmith makes them (packDirectory). */
async function packed(name: string, files: Parameters<typeof writeTree>[1]): Promise<string> {
  const root = tempDir(`${name}-src`);
  writeTree(root, files);
  const out = path.join(tempDir(`${name}-zip`), `${name}.zip`);
  await packDirectory(root, out);
  return out;
}

/** A layer ZIP made the way users make them: the `zip` tool run inside the directory. */
function userZip(name: string, files: Parameters<typeof writeTree>[1]): string {
  const root = tempDir(`${name}-src`);
  writeTree(root, files);
  const out = path.join(tempDir(`${name}-zip`), `${name}.zip`);
  execFileSync('zip', ['-q', '-r', out, '.'], { cwd: root });
  return out;
}

describe('layersmith inspect on a layer ZIP built by layersmith', () => {
  test('prints layout per runtime, sizes against the limits, checksums, packages and wheel tags; exit 0', async () => {
    // GIVEN a Python layer packed by packDirectory
    const zip = await packed('py', PY_LAYER);
    const bytes = fs.readFileSync(zip);

    // WHEN it is inspected for python3.12 on AWS
    const r = runCli(['inspect', zip, '--runtime', 'python3.12']);

    // THEN it passes and the text shows what the layer holds
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain(`Layer ZIP ${zip}\nplatform aws · architecture x86_64 · runtimes python3.12\n`);
    expect(out).toContain(`  zipped     ${bytes.length.toLocaleString('en-US')} B`);
    expect(out).toContain('of the 52,428,800 B inline upload limit');
    expect(out).toContain('of the 262,144,000 B function + layers budget');
    expect(out).toContain('  entries    ');
    // the checksums are those of the file's bytes, computed independently here
    expect(out).toContain(`  SHA-256    ${sha256Base64(bytes)} (base64; AWS CodeSha256)`);
    expect(out).toContain(`  CRC-64/XZ  ${crc64Decimal(bytes)} (FC code checksum)`);
    expect(out).toMatch(/ {2}python\/ +4 files, \d+ B -> every checked runtime/);
    expect(out).toContain('  python3.12: finds python/\n');
    expect(out).toContain('  python greet 1.4.2');
    expect(out).toContain('python/greet-1.4.2.dist-info/WHEEL  py3-none-any');
    expect(out).toContain('Findings: 0 errors, 0 warnings');
  });

  test('--json prints the manifest, the layout and the findings as data', async () => {
    // GIVEN the same kind of layer
    const zip = await packed('pyjson', PY_LAYER);

    // WHEN inspected with --json and no --runtime
    const r = runCli(['inspect', zip, '--json']);

    // THEN the runtimes are inferred from python/ (every current AWS Python, nothing else)
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.runtimesInferred).toBe(true);
    expect(result.runtimes.length).toBeGreaterThan(0);
    expect(result.runtimes.every((id: string) => id.startsWith('python3.'))).toBe(true);
    expect(result.manifest.zip.sha256).toBe(sha256Base64(fs.readFileSync(zip)));
    expect(result.manifest.packages).toEqual([expect.objectContaining({ ecosystem: 'python', name: 'greet', version: '1.4.2' })]);
    expect(result.layout).toEqual([expect.objectContaining({ dir: 'python/', files: 4 })]);
    expect(result.findings.filter((f: { severity: string }) => f.severity === 'error')).toEqual([]);
    expect(result.limits).toEqual({ maxUnzippedBytes: 262_144_000, maxInlineZipBytes: 52_428_800 });
  });

  test('a native binary for the wrong CPU is an error finding: exit 1, the right CPU passes', async () => {
    // GIVEN a tools layer holding a real x86_64 Linux executable
    const zip = await packed('tools', { 'bin/tool': { content: fs.readFileSync(REAL_ELF), mode: 0o755 } });

    // WHEN inspected for arm64, then for x86_64
    const arm = runCli(['inspect', zip, '--arch', 'arm64', '--runtime', 'python3.12']);
    const x86 = runCli(['inspect', zip, '--arch', 'x86_64', '--runtime', 'python3.12']);

    // THEN arm64 fails naming the binary and its CPU, x86_64 passes, and both list the binary
    expect(arm.code).toBe(1);
    expect(arm.stdout).toMatch(/ERROR LS-NATIVE-BINARY: .*linux\/x86_64 \(bin\/tool\).*linux\/arm64/);
    expect(arm.stdout).toContain('  bin/tool  elf linux/x86_64');
    expect(x86.code).toBe(0);
    expect(x86.stdout).not.toContain('ERROR');
    expect(x86.stdout).toContain('  bin/tool  elf linux/x86_64');
  });

  test('--runtime takes several runtimes, repeated or comma-separated, and --name=value', async () => {
    // GIVEN a Python layer
    const zip = await packed('multi', PY_LAYER);

    // WHEN three runtimes are given in both spellings
    const r = runCli(['inspect', zip, '--runtime=python3.12,python3.13', '--runtime', 'nodejs22.x', '--json']);

    // THEN each is checked: the Python ones find python/, Node finds nothing and fails the layout
    const result = JSON.parse(r.stdout);
    expect(result.runtimeChecks.map((c: { runtime: string; finds: string[] }) => [c.runtime, c.finds])).toEqual([
      ['python3.12', ['python/']], ['python3.13', ['python/']], ['nodejs22.x', []],
    ]);
    expect(result.runtimesInferred).toBe(false);
  });

  test('Function Compute: --platform alicloud uses FC limits and runtimes', async () => {
    // GIVEN a Python layer
    const zip = await packed('fc', PY_LAYER);

    // WHEN inspected for FC python3.10
    const r = runCli(['inspect', zip, '--platform', 'alicloud', '--runtime', 'python3.10', '--json']);

    // THEN FC's limits and layout apply
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.platform).toBe('alicloud');
    expect(result.runtimeChecks).toEqual([expect.objectContaining({ runtime: 'python3.10', finds: ['python/'] })]);
    expect(result.limits.maxInlineZipBytes).not.toBe(52_428_800);
  });
});

describe('layersmith inspect on a user-made ZIP', () => {
  test('site-packages content at the ZIP root is a layout error that says where it must go: exit 1', () => {
    // GIVEN a ZIP made with `zip` whose package sits at the root instead of under python/
    const zip = userZip('flat', { 'greet/__init__.py': 'x = 1\n' });

    // WHEN inspected for python3.12
    const r = runCli(['inspect', zip, '--runtime', 'python3.12']);

    // THEN it fails with LS-LAYOUT naming the expected layout, and the runtime finds nothing
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('python3.12: finds NOTHING - python3.12 on AWS Lambda finds layer content under python/');
    expect(r.stdout).toMatch(/ERROR LS-LAYOUT: .*/);
    expect(r.stdout).toMatch(/\(no search path\) +1 file, 6 B -> no runtime looks here/);
  });

  test('without --runtime, content no runtime finds is checked against each family and fails', () => {
    // GIVEN the same mis-laid-out ZIP
    const zip = userZip('flat2', { 'greet/__init__.py': 'x = 1\n' });

    // WHEN inspected with no runtime given
    const r = runCli(['inspect', zip, '--json']);

    // THEN the newest runtime of each family was checked and LS-LAYOUT errors make it exit 1
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result.runtimes).toEqual(expect.arrayContaining(['python3.15', 'nodejs24.x']));
    expect(result.findings.some((f: { ruleId: string; severity: string }) => f.ruleId === 'LS-LAYOUT' && f.severity === 'error')).toBe(true);
  });

  test('a Node layer under nodejs/node_modules is found by Node runtimes and its package listed', () => {
    // GIVEN a user ZIP with a Node package in the Lambda layout
    const zip = userZip('node', {
      'nodejs/node_modules/left-pad/package.json': JSON.stringify({ name: 'left-pad', version: '1.3.0' }),
      'nodejs/node_modules/left-pad/index.js': 'module.exports = (s) => s;\n',
    });

    // WHEN inspected for nodejs20.x
    const r = runCli(['inspect', zip, '--runtime', 'nodejs20.x']);

    // THEN the runtime finds it and the package is listed with its version
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  nodejs20.x: finds nodejs/node_modules/\n');
    expect(r.stdout).toContain('  node left-pad 1.3.0');
  });
});

describe('layersmith inspect: bad input gets one line and exit 2', () => {
  test('a file that is not a ZIP', () => {
    const file = path.join(tempDir('notzip'), 'layer.zip');
    fs.writeFileSync(file, 'this is a text file, not a zip archive\n'.repeat(10));
    expectOneLineError(runCli(['inspect', file]), file, /NOT_A_ZIP|not a ZIP/i);
  });

  test('a truncated ZIP', async () => {
    const zip = await packed('trunc', PY_LAYER);
    const bytes = fs.readFileSync(zip);
    const cut = path.join(tempDir('trunc-cut'), 'cut.zip');
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expectOneLineError(runCli(['inspect', cut]), cut, /TRUNCATED|truncated|NOT_A_ZIP|not a ZIP/i);
  });

  test('a missing file', () => {
    const missing = path.join(tempDir('missing'), 'nope.zip');
    expectOneLineError(runCli(['inspect', missing]), `${missing}: no such file`);
  });

  test('a directory', () => {
    const dir = tempDir('dir');
    expectOneLineError(runCli(['inspect', dir]), `${dir}: is a directory, not a ZIP`);
  });

  test('an unknown flag, a bad --platform, a missing --runtime value', () => {
    expectOneLineError(runCli(['inspect', 'x.zip', '--verbose']), "layersmith inspect: unknown option '--verbose'", '--runtime <id>');
    expectOneLineError(runCli(['inspect', 'x.zip', '--platform', 'gcp']), "option '--platform' got 'gcp'; allowed: aws, alicloud");
    expectOneLineError(runCli(['inspect', 'x.zip', '--runtime']), "option '--runtime' needs a value <id>");
  });

  test('a runtime the platform does not have', async () => {
    const zip = await packed('rt', PY_LAYER);
    expectOneLineError(runCli(['inspect', zip, '--runtime', 'python9.9']), "--runtime python9.9: Unknown AWS Lambda runtime 'python9.9'");
  });

  test('arm64 on Function Compute', async () => {
    const zip = await packed('fcarm', PY_LAYER);
    expectOneLineError(runCli(['inspect', zip, '--platform', 'alicloud', '--arch', 'arm64']), '--arch arm64 is not available on', 'x86_64');
  });

  test('no ZIP at all, and two ZIPs', () => {
    expectOneLineError(runCli(['inspect']), 'layersmith inspect: missing <layer.zip>');
    expectOneLineError(runCli(['inspect', 'a.zip', 'b.zip']), 'expected one <layer.zip>, got 2');
  });
});
