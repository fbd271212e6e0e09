import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Crc64 } from '../../../lib/core/checksums';
import { buildLayer } from '../../../lib/engine/engine';
import { inspectZip } from '../../../lib/engine/inspect';
import { LayerSource } from '../../../lib/engine/source';
import { packDirectory } from '../../../lib/engine/zip';
import { cleanupTempDirs, makeTempDir, writeTree } from '../../helpers';

afterAll(() => cleanupTempDirs());

function layerTree(): string {
  const dir = makeTempDir();
  const files: Record<string, string> = {};
  for (let p = 0; p < 6; p++) {
    files[`nodejs/node_modules/pkg${p}/package.json`] = JSON.stringify({ name: `pkg${p}`, version: `1.${p}.0` });
    for (let f = 0; f < 10; f++) files[`nodejs/node_modules/pkg${p}/lib/f${f}.js`] = `module.exports = ${p * 100 + f};\n`.repeat(20 + f);
  }
  writeTree(dir, files);
  return dir;
}

describe('a build inspects its own ZIP with the checksums the writer computed', () => {
  test('GIVEN a packed ZIP WHEN inspected with the writer\'s checksums THEN the manifest equals one inspected from the file alone', async () => {
    // GIVEN
    const dir = layerTree();
    const zip = path.join(makeTempDir(), 'layer.zip');
    const packed = await packDirectory(dir, zip);
    // WHEN
    const fromFile = await inspectZip(zip);
    const fromWriter = await inspectZip(zip, { checksums: { sha256: packed.sha256, crc64: packed.crc64 } });
    // THEN the same description, packages and all, and the checksums are those of the bytes on disk
    expect(fromWriter).toEqual(fromFile);
    expect(fromWriter.packages.map((p) => `${p.name}@${p.version}`))
      .toEqual(['pkg0@1.0.0', 'pkg1@1.1.0', 'pkg2@1.2.0', 'pkg3@1.3.0', 'pkg4@1.4.0', 'pkg5@1.5.0']);
    const bytes = fs.readFileSync(zip);
    expect(fromWriter.zip.sha256).toBe(createHash('sha256').update(bytes).digest('base64'));
    expect(fromWriter.zip.crc64).toBe(new Crc64().update(bytes).digestDecimal());
  });

  test('GIVEN a build WHEN committed THEN its manifest records the SHA-256 and CRC-64 of the cached ZIP\'s bytes', async () => {
    // GIVEN / WHEN
    const built = await buildLayer(LayerSource.fromDirectory(layerTree()), { platform: 'aws', architecture: 'x86_64', runtimes: ['nodejs20.x'] },
      { cacheDir: makeTempDir(), progress: false });
    // THEN
    const bytes = fs.readFileSync(built.zipPath);
    expect(built.manifest.zip.sha256).toBe(createHash('sha256').update(bytes).digest('base64'));
    expect(built.manifest.zip.crc64).toBe(new Crc64().update(bytes).digestDecimal());
    expect(built.manifest.zip.zippedSize).toBe(bytes.length);
  });

  test('GIVEN checksums AND verifyCrc WHEN inspected THEN the checksums are computed from the file, not taken', async () => {
    // GIVEN a ZIP and checksums that do not belong to it
    const zip = path.join(makeTempDir(), 'layer.zip');
    await packDirectory(layerTree(), zip);
    // WHEN
    const m = await inspectZip(zip, { verifyCrc: true, checksums: { sha256: 'not-it', crc64: '0' } });
    // THEN
    expect(m.zip.sha256).toBe(createHash('sha256').update(fs.readFileSync(zip)).digest('base64'));
  });
});
