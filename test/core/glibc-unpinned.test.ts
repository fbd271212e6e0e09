import { manifest } from './manifest-helper';
import { analyzeLayer, analyzeStack, LAYER_RULE_IDS, type Finding, type LayerManifest, type NativeBinary } from '../../lib/core';

const RUST = 'python/cryptography/hazmat/bindings/_rust.abi3.so';

function withNatives(natives: NativeBinary[], extra: Partial<LayerManifest> = {}): LayerManifest {
  const m = manifest({ files: natives.map((n) => n.path) });
  const glibc = natives.map((n) => n.glibc).filter((g): g is string => !!g).sort().pop();
  return { ...m, natives, ...(glibc ? { glibc } : {}), ...extra };
}

const elf = (path: string, glibc?: string): NativeBinary => ({ path, format: 'elf', os: 'linux', cpu: 'x86_64', ...(glibc ? { glibc } : {}) });

function glibcOf(platform: 'aws' | 'alicloud', runtime: string, m: LayerManifest): Finding[] {
  return analyzeStack({
    platform, function: { path: 'App/Fn', runtime, architecture: 'x86_64' }, layers: [{ layerId: 'L', displayName: 'L', manifest: m }],
  }).findings.filter((f) => f.ruleId === 'LS-GLIBC');
}

test('the single-layer checks include LS-GLIBC and LS-UNPINNED', () => {
  expect(LAYER_RULE_IDS).toEqual(['LS-LAYOUT', 'LS-NATIVE-BINARY', 'LS-PYTHON-WHEEL-TAG', 'LS-GLIBC', 'LS-UNPINNED', 'LS-UNZIPPED-BUDGET', 'LS-INLINE-UPLOAD']);
});

describe('LS-GLIBC', () => {
  const m = withNatives([elf(RUST, '2.34'), elf('python/ok.so', '2.17'), elf('python/static.so')]);

  test.each([
    ['aws', 'python3.11', 'Amazon Linux 2', '2.26', 'python3.12 (Amazon Linux 2023, glibc 2.34)'],
    ['alicloud', 'python3.12', 'Debian 11', '2.31', undefined],
  ] as const)('%s %s: a .so needing GLIBC_2.34 is an error with the file, both versions and the fix', (platform, runtime, os, has, other) => {
    // WHEN
    const [f, ...rest] = glibcOf(platform, runtime, m);
    // THEN
    expect(rest).toEqual([]);
    expect(f.severity).toBe('error');
    expect(f.message).toBe(`Layer L holds 1 native binary needing a newer glibc than the function's OS: ${RUST} needs GLIBC_2.34; `
      + `${runtime} on ${platform === 'aws' ? 'AWS Lambda' : 'Function Compute'} runs ${os} (glibc ${has}), so loading fails at import time.`);
    expect(f.fix).toBe(`Install a build made for glibc ${has} or older (a manylinux_2_${has.split('.')[1]} or manylinux2014 wheel, often an older release)`
      + `${other ? `, or run the function on ${other}` : ''}.`);
    expect(f.data).toEqual({ runtime, runtimeGlibc: has, neededGlibc: '2.34', paths: [RUST] });
  });

  test.each([['aws', 'python3.12'], ['alicloud', 'custom.debian12']] as const)('%s %s loads it', (platform, runtime) => {
    expect(glibcOf(platform, runtime, m)).toEqual([]);
  });

  test('an OS whose glibc is unconfirmed gives a warning', () => {
    const [f] = glibcOf('alicloud', 'python3.9', withNatives([elf(RUST, '2.28')]));
    expect(f.severity).toBe('warning');
    expect(f.message).toMatch(/runs Debian 9 \(glibc 2\.24, unconfirmed\)/);
  });

  test('a layer declared for python3.11 and python3.12 fails only for python3.11', () => {
    const findings = analyzeLayer({ platform: 'aws', path: 'App/L', manifest: m, compatibleRuntimes: ['python3.11', 'python3.12'], compatibleArchitectures: [] });
    const glibc = findings.filter((f) => f.ruleId === 'LS-GLIBC');
    expect(glibc.map((f) => f.data?.runtime)).toEqual(['python3.11']);
  });
});

describe('LS-UNPINNED', () => {
  const build = (unpinned?: string[]): LayerManifest => {
    const m = manifest({ files: ['python/numpy/__init__.py'], packages: [{ ecosystem: 'python', name: 'numpy', version: '2.2.6', path: 'python/numpy-2.2.6.dist-info/' }] });
    return {
      ...m,
      build: { source: 'python', inputKey: 'k', platform: 'aws', architecture: 'x86_64', runtimes: ['python3.11'], builder: 'b', ...(unpinned ? { unpinned } : {}) },
    };
  };

  test('an unpinned requirement warns and names the version this build installed', () => {
    // WHEN
    const [f, ...rest] = analyzeLayer({ platform: 'aws', path: 'App/L', manifest: build(['numpy', 'pandas>=2']), compatibleRuntimes: ['python3.11'], compatibleArchitectures: [] })
      .filter((x) => x.ruleId === 'LS-UNPINNED');
    // THEN
    expect(rest).toEqual([]);
    expect(f.severity).toBe('warning');
    expect(f.message).toBe('Layer App/L installs 2 requirements without an exact pin or a lockfile (numpy, pandas>=2): '
      + 'the layer will change whenever the package index does, with no change in your code.');
    expect(f.fix).toBe('Pin each with == (this build installed numpy==2.2.6) or build from a lockfile (uv.lock, poetry.lock, Pipfile.lock).');
  });

  test('pinned builds and built-outside manifests have no warning', () => {
    for (const m of [build([]), build(), manifest()]) {
      expect(analyzeLayer({ platform: 'aws', path: 'App/L', manifest: m, compatibleRuntimes: ['python3.11'], compatibleArchitectures: [] })
        .filter((x) => x.ruleId === 'LS-UNPINNED')).toEqual([]);
    }
  });
});
