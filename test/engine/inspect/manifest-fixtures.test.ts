import * as fs from 'fs';
import * as path from 'path';
import { FIXTURES } from './manifest-fixtures/generate';
import { inspectZip } from '../../../lib/engine/inspect';
import { readWithYauzl } from '../zip/helpers';

// Each fixture ZIP (Info-ZIP in readdir order, packDirectory, Python zipfile, archiver, the raw
// builder with zip64 records) has the manifest inspectZip gave for it before it was made faster
// (see manifest-fixtures/generate.ts). The fast paths must answer the same, key order included:
// manifests are written to disk and hashed.

const HERE = path.join(__dirname, 'manifest-fixtures');

describe.each(FIXTURES)('the manifest of %s.zip', (name) => {
  const zip = path.join(HERE, `${name}.zip`);
  const want = fs.readFileSync(path.join(HERE, `${name}.manifest.json`), 'utf8');

  test('GIVEN the fixture WHEN inspected THEN the manifest equals the recorded one, field for field and in key order', async () => {
    // WHEN
    const m = await inspectZip(zip);
    // THEN
    expect(m).toStrictEqual(JSON.parse(want));
    expect(`${JSON.stringify(m, null, 1)}\n`).toBe(want);
  });

  test('GIVEN the fixture and its checksums WHEN inspected without reading it whole THEN the manifest is the same', async () => {
    // GIVEN the checksums a build passes on (the reader then reads the file piecewise)
    const recorded = JSON.parse(want);
    // WHEN
    const m = await inspectZip(zip, { checksums: { sha256: recorded.zip.sha256, crc64: recorded.zip.crc64 } });
    // THEN
    expect(`${JSON.stringify(m, null, 1)}\n`).toBe(want);
  });

  test('GIVEN the fixture WHEN inspected with verifyCrc THEN the manifest is the same', async () => {
    // WHEN
    const m = await inspectZip(zip, { verifyCrc: true });
    // THEN
    expect(`${JSON.stringify(m, null, 1)}\n`).toBe(want);
  });
});

test('the fixtures cover what the fast paths branch on', () => {
  // GIVEN the recorded manifests
  const manifests = FIXTURES.map((n) => JSON.parse(fs.readFileSync(path.join(HERE, `${n}.manifest.json`), 'utf8')));
  const all = manifests.flatMap((m) => m.entries as { path: string; type: string }[]);
  // THEN names beyond ASCII and beyond the BMP, every entry type, every ecosystem, natives with glibc
  expect(all.some((e) => /[^\x00-\x7F]/.test(e.path))).toBe(true);
  expect(all.some((e) => /[\uD800-\uDFFF]/.test(e.path))).toBe(true);
  expect(new Set(all.map((e) => e.type))).toEqual(new Set(['file', 'directory', 'symlink']));
  expect(new Set(manifests.flatMap((m) => m.packages.map((p: { ecosystem: string }) => p.ecosystem))))
    .toEqual(new Set(['node', 'python', 'java', 'ruby', 'php']));
  expect(manifests.some((m) => m.glibc === '2.25')).toBe(true);
});

test('the Info-ZIP fixture lists its entries out of order and the packDirectory one in order, so both sort paths run', async () => {
  // GIVEN the central directory order, read by yauzl
  const order = async (n: string) => (await readWithYauzl(path.join(HERE, `${n}.zip`))).map((e) => e.name);
  const sorted = (names: string[]) => [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  // WHEN
  const infozip = await order('infozip-mixed');
  const packed = await order('packed-mixed');
  // THEN
  expect(infozip).not.toEqual(sorted(infozip));
  expect(packed).toEqual(sorted(packed));
});
