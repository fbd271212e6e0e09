import * as fs from 'fs';
import * as path from 'path';
import { ASSEMBLY_RECORDS_DIR, FunctionRecord, readAssemblyRecords, recordFileName, writeAssemblyRecord } from '../../lib/core/assembly';
import { ownedTempTag, tempPath, tempPathOwner, writeFileAtomic } from '../../lib/core/atomic';
import * as engineAtomic from '../../lib/engine/atomic';
import { cleanupTempDirs, makeTempDir } from '../helpers';

afterAll(cleanupTempDirs);

const record: FunctionRecord = {
  kind: 'function',
  schemaVersion: 1,
  platform: 'aws',
  framework: 'aws-cdk',
  stack: 'Stack',
  path: 'Stack/Fn',
  runtime: 'python3.12',
  architecture: 'x86_64',
  layers: [],
  findings: [],
};

describe('lib/core/atomic: the one temp-name scheme', () => {
  test('GIVEN a destination WHEN a temp path is made THEN it sits next to it and names this process, and the engine reads the same owner', () => {
    const dest = path.join('/some/dir', 'layer.zip');
    const tmp = tempPath(dest);
    expect(path.dirname(tmp)).toBe('/some/dir');
    expect(path.basename(tmp)).toMatch(new RegExp(`^layer\\.zip\\.tmp-${process.pid}-[0-9a-f]{8}$`));
    expect(tempPathOwner(path.basename(tmp))).toBe(process.pid);
    expect(engineAtomic.cacheTempOwner(path.basename(tmp))).toBe(process.pid);
    expect(tempPathOwner('layer.zip')).toBeUndefined();
    expect(ownedTempTag()).toMatch(new RegExp(`^${process.pid}-[0-9a-f]{8}$`));
    expect(tempPath(dest)).not.toBe(tmp);
  });

  test('GIVEN the engine\'s atomic module WHEN its writers are loaded THEN they are lib/core\'s (one scheme, old import paths kept)', () => {
    expect(engineAtomic.tempPath).toBe(tempPath);
    expect(engineAtomic.writeFileAtomic).toBe(writeFileAtomic);
  });

  test('GIVEN a write WHEN it succeeds THEN the file holds the data and no temp is left', () => {
    const dir = makeTempDir();
    writeFileAtomic(path.join(dir, 'a.json'), '{}\n');
    expect(fs.readFileSync(path.join(dir, 'a.json'), 'utf8')).toBe('{}\n');
    expect(fs.readdirSync(dir)).toEqual(['a.json']);
  });

  test('GIVEN a destination the rename cannot replace WHEN written THEN it throws and leaves no temp', () => {
    const dir = makeTempDir();
    fs.mkdirSync(path.join(dir, 'taken', 'inside'), { recursive: true });
    expect(() => writeFileAtomic(path.join(dir, 'taken'), 'x')).toThrow();
    expect(fs.readdirSync(dir)).toEqual(['taken']);
  });
});

describe('assembly records are written with that scheme', () => {
  test('GIVEN a record WHEN written THEN it reads back and the records directory holds only it', () => {
    const assembly = makeTempDir();
    const file = writeAssemblyRecord(assembly, record);
    expect(path.basename(file)).toBe(recordFileName(record));
    expect(readAssemblyRecords(assembly)).toEqual([record]);
    expect(fs.readdirSync(path.join(assembly, ASSEMBLY_RECORDS_DIR))).toEqual([recordFileName(record)]);
  });

  test('GIVEN a record whose file cannot be replaced WHEN written THEN it throws and no temp is left in the assembly', () => {
    // GIVEN a directory where the record file would go
    const assembly = makeTempDir();
    fs.mkdirSync(path.join(assembly, ASSEMBLY_RECORDS_DIR, recordFileName(record), 'inside'), { recursive: true });
    // WHEN / THEN
    expect(() => writeAssemblyRecord(assembly, record)).toThrow();
    expect(fs.readdirSync(path.join(assembly, ASSEMBLY_RECORDS_DIR))).toEqual([recordFileName(record)]);
  });
});
