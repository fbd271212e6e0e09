import * as path from 'path';
import { anchorDirectory } from '../../../lib/engine';
import type { SourceSpec } from '../../../lib/engine/api';
import { LayerSource } from '../../../lib/engine/source';
import { cleanupTempDirs, makeTempDir, writeTree } from '../../helpers';

afterAll(cleanupTempDirs);

describe('anchorDirectory', () => {
  // GIVEN one project tree holding an input of every source kind
  const root = makeTempDir('layersmith-test-anchor-');
  writeTree(root, {
    'dir/a.txt': 'a',
    'z/layer.zip': 'PK',
    'py/requirements.txt': 'x==1',
    'wheels/x-1-py3-none-any.whl': 'w',
    'node/package.json': '{}',
    'jars/a.jar': 'j',
    'mvn/pom.xml': '<project/>',
    'php/composer.json': '{}',
    'rb/Gemfile': '',
    'cr/bootstrap': '#!/bin/sh',
    'cr/extra/bin/x': 'x',
    'cmd/build.sh': 'sh',
  });
  const at = (rel: string): string => path.join(root, rel);

  test.each<[string, () => LayerSource, string]>([
    ['directory: the directory itself', () => LayerSource.fromDirectory(at('dir')), 'dir'],
    ['zip: the folder of the ZIP', () => LayerSource.fromZip(at('z/layer.zip')), 'z'],
    ['python: the folder of the requirements file', () => LayerSource.python({ requirements: at('py/requirements.txt'), findLinks: [at('wheels')] }), 'py'],
    ['python without requirements: the first find-links directory', () => LayerSource.python({ packages: ['x'], findLinks: [at('wheels')] }), 'wheels'],
    ['node: the package directory', () => LayerSource.node({ packageDir: at('node') }), 'node'],
    ['java: the jars directory', () => LayerSource.java({ jarsDir: at('jars') }), 'jars'],
    ['java: the folder of the pom', () => LayerSource.java({ pom: at('mvn/pom.xml') }), 'mvn'],
    ['php: the composer directory', () => LayerSource.php({ composerDir: at('php') }), 'php'],
    ['ruby: the Gemfile directory', () => LayerSource.ruby({ gemfileDir: at('rb') }), 'rb'],
    ['customRuntime: the extra directory first', () => LayerSource.customRuntime({ bootstrap: at('cr/bootstrap'), dir: at('cr/extra') }), 'cr/extra'],
    ['customRuntime alone: the folder of the bootstrap', () => LayerSource.customRuntime({ bootstrap: at('cr/bootstrap') }), 'cr'],
    ['command: its working directory', () => LayerSource.command({ command: ['sh', 'build.sh'], cwd: at('cmd'), inputs: ['build.sh'] }), 'cmd'],
  ])('%s', (_name, make, expected) => {
    // WHEN anchored THEN the kind's own directory is chosen
    expect(anchorDirectory(make().bind())).toBe(at(expected));
  });

  test('a source whose directories are gone anchors on the current directory', () => {
    // GIVEN a spec (read back from JSON) naming directories that no longer exist
    const spec: SourceSpec = { kind: 'python', layout: 'python', packages: ['x'], findLinks: [at('gone')] };

    // THEN the current directory is used
    expect(anchorDirectory(spec)).toBe(process.cwd());
  });

  test('an unknown kind is refused with its spec in the message', () => {
    const spec = { kind: 'cobol', path: '/x' } as unknown as SourceSpec;
    expect(() => anchorDirectory(spec)).toThrow('anchorDirectory: unknown source kind in {"kind":"cobol","path":"/x"}');
  });
});
