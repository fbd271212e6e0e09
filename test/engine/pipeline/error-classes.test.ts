import * as fs from 'fs';
import * as path from 'path';
import {
  LayersmithBuildError, LayersmithError, LayersmithInspectError, LayersmithPackError, LayersmithValidationError,
} from '../../../lib/core/errors';
import type { BuildTarget, SourceSpec } from '../../../lib/engine/api';
import { buildLayer } from '../../../lib/engine/engine';
import { LayerSource } from '../../../lib/engine/source';
import { buildLayerSync } from '../../../lib/engine/sync';
import { cleanupTempDirs, makeTempDir, writeTree } from '../../helpers';
import { rawZip } from '../zip/raw-zip';

afterAll(cleanupTempDirs);

const TARGET: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.12'] };

type Case = [name: string, make: () => SourceSpec, cls: new (...a: never[]) => LayersmithError, code: string];

const commandSource = (command: string[]): SourceSpec => {
  const cwd = makeTempDir('layersmith-test-errcmd-');
  writeTree(cwd, { 'in.txt': `${Math.random()}` });
  return LayerSource.command({ command, cwd, inputs: ['in.txt'] }).bind();
};

const CASES: Case[] = [
  ['a command that writes nothing', () => commandSource(['true']), LayersmithBuildError, 'EMPTY_OUTPUT'],
  ['a command that exits non-zero', () => commandSource(['sh', '-c', 'exit 3']), LayersmithBuildError, 'COMMAND_FAILED'],
  ['a tool that is not installed', () => commandSource(['layersmith-no-such-tool']), LayersmithBuildError, 'MISSING_TOOL'],
  ['a node project without a lockfile', () => {
    const d = makeTempDir('layersmith-test-errnode-');
    writeTree(d, { 'package.json': `{"name":"a${Math.random().toString(36).slice(2)}"}` });
    return LayerSource.node({ packageDir: d }).bind();
  }, LayersmithBuildError, 'NO_LOCKFILE'],
  ['a symlink out of the layer root', () => {
    const d = makeTempDir('layersmith-test-errlink-');
    writeTree(d, { 'a.txt': `${Math.random()}` });
    fs.symlinkSync('/etc/hostname', path.join(d, 'host'));
    return LayerSource.fromDirectory(d).bind();
  }, LayersmithPackError, 'SYMLINK_ESCAPE'],
  ['a ZIP with a ../ entry', () => {
    const d = makeTempDir('layersmith-test-errzip-');
    fs.writeFileSync(path.join(d, 'bad.zip'), rawZip([{ name: '../evil.txt', data: Buffer.from(`${Math.random()}`) }]));
    return LayerSource.fromZip(path.join(d, 'bad.zip')).bind();
  }, LayersmithInspectError, 'DOT_DOT'],
  ['an empty exclude pattern', () => LayerSource.fromDirectory(makeTempDir('layersmith-test-errexcl-'), { excludes: [''] }).bind(), LayersmithValidationError, 'EMPTY_EXCLUDE'],
];

describe.each(CASES)('%s', (_name, make, cls, code) => {
  test(`buildLayer rejects with ${cls.name} ${code}`, async () => {
    const err = await buildLayer(make(), TARGET, { cacheDir: makeTempDir('layersmith-test-errcache-'), progress: false }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(cls);
    expect(err).toBeInstanceOf(LayersmithError);
    expect((err as LayersmithError).code).toBe(code);
  });

  test('buildLayerSync throws the same class, code and message from its child process', async () => {
    const spec = make();
    const inProcess = await buildLayer(spec, TARGET, { cacheDir: makeTempDir('layersmith-test-errcache-'), progress: false }).then(() => undefined, (e: Error) => e);
    let err: unknown;
    try {
      buildLayerSync(spec, TARGET, { cacheDir: makeTempDir('layersmith-test-errcache-'), progress: false });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(cls);
    expect(err).toBeInstanceOf(LayersmithError);
    expect((err as LayersmithError).code).toBe(code);
    expect((err as Error).message).toBe(inProcess!.message);
  });
});

test('factory validation throws LayersmithValidationError with a stable code', () => {
  const d = makeTempDir('layersmith-test-errfactory-');
  const codeOf = (f: () => unknown): [boolean, string | undefined] => {
    try {
      f();
    } catch (e) {
      return [e instanceof LayersmithValidationError, (e as LayersmithError).code];
    }
    return [false, undefined];
  };
  expect(codeOf(() => LayerSource.python({}))).toEqual([true, 'NOTHING_TO_INSTALL']);
  expect(codeOf(() => LayerSource.fromDirectory(path.join(d, 'missing')))).toEqual([true, 'PATH_NOT_FOUND']);
  expect(codeOf(() => LayerSource.fromZip(d))).toEqual([true, 'NOT_A_FILE']);
  expect(codeOf(() => LayerSource.java({ jarsDir: d, pom: d } as never))).toEqual([true, 'JARS_DIR_OR_POM']);
  expect(codeOf(() => LayerSource.command({ command: [], inputs: [d] }))).toEqual([true, 'EMPTY_COMMAND']);
});
