import * as path from 'path';
import { cleanupTempDirs, runCli, tempDir, writeTree } from './helpers';
import { writeAssemblyManifest, writeAssemblyRecord, type LayerRecord } from '../../lib/core/assembly';
import { inspectZip } from '../../lib/engine/inspect';
import { packDirectory } from '../../lib/engine/zip';
import { downloadWheel, extractFromWheel } from '../engine/python/fixtures';

const RUST = 'cryptography/hazmat/bindings/_rust.abi3.so';
let zip: string;

beforeAll(async () => {
  // GIVEN a layer holding the real cryptography 50.0.2 _rust.abi3.so (needs GLIBC_2.34)
  const work = tempDir('glibc-cli');
  const wheel = downloadWheel('cryptography==50.0.2', path.join(work, 'wheels'));
  extractFromWheel(wheel, RUST, path.join(work, 'layer', 'python', RUST));
  zip = path.join(work, 'crypto.zip');
  await packDirectory(path.join(work, 'layer'), zip);
});
afterAll(cleanupTempDirs);

test('inspect shows what each binary needs and the layer\'s highest GLIBC; python3.11 fails LS-GLIBC, python3.12 passes', () => {
  // WHEN
  const old = runCli(['inspect', zip, '--runtime', 'python3.11']);
  const current = runCli(['inspect', zip, '--runtime', 'python3.12']);
  // THEN
  expect(old.code).toBe(1);
  expect(old.stdout).toMatch(new RegExp(`python/${RUST.replace(/\./g, '\\.')} +elf linux/x86_64 \\(.*\\), needs GLIBC_2\\.34`));
  expect(old.stdout).toContain('highest GLIBC needed: 2.34');
  expect(old.stdout).toMatch(/ERROR LS-GLIBC: .*needs GLIBC_2\.34; python3\.11 on AWS Lambda runs Amazon Linux 2 \(glibc 2\.26\)/);
  expect(current.code).toBe(0);
  expect(current.stdout).not.toContain('LS-GLIBC');
});

test('report shows the highest GLIBC a layer needs, in Markdown and JSON', async () => {
  // GIVEN a synthesized app whose one layer is that ZIP
  const dir = tempDir('glibc-report');
  writeTree(dir, { 'manifest.json': '{"version":"36.0.0","artifacts":{}}' });
  const manifestFile = writeAssemblyManifest(dir, 'k1', await inspectZip(zip));
  const record: LayerRecord = {
    kind: 'layer',
    schemaVersion: 1,
    platform: 'aws',
    framework: 'aws-cdk',
    stack: 'App',
    path: 'App/Crypto',
    compatibleRuntimes: ['python3.12'],
    compatibleArchitectures: ['x86_64'],
    inputKey: 'k1',
    manifestFile,
    retention: 'destroy',
    grants: [],
  };
  writeAssemblyRecord(dir, record);
  // WHEN
  const md = runCli(['report', dir]);
  const json = runCli(['report', dir, '--format', 'json']);
  // THEN
  expect(md.stdout).toMatch(/\| highest GLIBC needed \| 2\.34 \(runtimes whose OS has an older glibc cannot load it\) \|/);
  expect(JSON.parse(json.stdout).layers[0].glibc).toBe('2.34');
});
