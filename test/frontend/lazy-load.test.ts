import { execFileSync } from 'child_process';
import * as path from 'path';

/**
 * A synth of a directory layer loads only the code it runs: the front-ends and the key of a
 * directory source do not load the package-manager builders, the ZIP writer, the inspector or
 * slim. Every export is still there, and each source kind loads when it is first used.
 */

const repo = path.resolve(__dirname, '..', '..');

/** Requires `entry` in a fresh process, runs `then` there, and returns what it printed as JSON. */
function inFreshProcess(entry: string, then: string): { exports: string[]; loaded: string[]; result: unknown } {
  const script = `
    require('ts-node/register/transpile-only');
    const before = new Set(Object.keys(require.cache));
    const m = require(${JSON.stringify(path.join(repo, 'lib', entry))});
    const loaded = Object.keys(require.cache).filter((k) => !before.has(k) && k.startsWith(${JSON.stringify(path.join(repo, 'lib') + path.sep)}))
      .map((k) => k.slice(${JSON.stringify(path.join(repo, 'lib') + path.sep)}.length).replace(/\\.(ts|js)$/, ''));
    const result = (() => { ${then} })();
    process.stdout.write(JSON.stringify({ exports: Object.keys(m).sort(), loaded, result }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, TS_NODE_PREFER_TS_EXTS: 'true' }, encoding: 'utf8' }));
}

const NOT_ON_THE_WARM_PATH = [
  /^engine\/engine$/, /^engine\/zip\/pack$/, /^engine\/zip\/zip-writer$/, /^engine\/inspect\/inspect$/, /^engine\/slim\/slim$/,
  /^engine\/python\//, /^engine\/builders\//, /^engine\/node\//,
  /^engine\/sources\/(zip|python|node|java|php|ruby|custom-runtime|command)$/,
];

describe.each([
  ['aws-cdk', ['FunctionWithLayers', 'LayerGrant', 'LayerPermission', 'LayerSource', 'RuntimeLayer']],
  ['ros-cdk', ['FC3_LAYER_VERSION_TYPE', 'FunctionWithLayers', 'LayerGrant', 'LayerPermission', 'LayerSource', 'RuntimeLayer']],
])('layersmith/%s', (entry, exported) => {
  test('GIVEN a fresh process WHEN the front-end is required THEN every export is there and no builder, writer, inspector or slim code is loaded', () => {
    const { exports, loaded } = inFreshProcess(entry, 'return null;');
    expect(exports).toEqual(exported);
    expect(loaded.filter((m) => NOT_ON_THE_WARM_PATH.some((re) => re.test(m)))).toEqual([]);
    // and what a directory layer's key needs is loaded with it
    expect(loaded).toEqual(expect.arrayContaining(['engine/sources/directory', 'engine/digest', 'engine/cache']));
  });

  test('GIVEN a fresh process WHEN a source of another kind is made THEN its module loads then, and its spec is right', () => {
    const { loaded, result } = inFreshProcess(entry, `
      const spec = m.LayerSource.command({ command: ['true'], cwd: ${JSON.stringify(repo)}, inputs: [${JSON.stringify(path.join(repo, 'package.json'))}] }).bind();
      return { kind: spec.kind, command: spec.command, commandLoaded: Object.keys(require.cache).some((k) => /engine[\\\\/]sources[\\\\/]command\\.(ts|js)$/.test(k)) };
    `);
    expect(loaded.filter((m) => m === 'engine/sources/command')).toEqual([]);
    expect(result).toEqual({ kind: 'command', command: ['true'], commandLoaded: true });
  });
});
