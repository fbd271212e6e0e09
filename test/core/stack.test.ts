import { layer, manifest } from './manifest-helper';
import { analyzeLayer, analyzeStack, formatFindings, type Finding, type StackRule } from '../../lib/core';

describe('formatFindings', () => {
  test('one line per finding, errors first, with subject, layer, rule id, message and fix', () => {
    // GIVEN
    const findings: Finding[] = [
      { ruleId: 'LS-B', severity: 'info', message: 'FYI.' },
      { ruleId: 'LS-A', severity: 'error', message: '6 layers attached; AWS Lambda allows at most 5 per function.', fix: 'Merge layers.' },
      { ruleId: 'LS-C', severity: 'warning', message: 'Hidden.', fix: 'Remove.', layer: 'App/L1' },
    ];
    // WHEN
    const text = formatFindings('App/Stack/Fn', findings);
    // THEN
    expect(text.split('\n')).toEqual([
      '[error] App/Stack/Fn LS-A: 6 layers attached; AWS Lambda allows at most 5 per function. Fix: Merge layers.',
      '[warning] App/Stack/Fn (layer App/L1) LS-C: Hidden. Fix: Remove.',
      '[info] App/Stack/Fn LS-B: FYI.',
    ]);
    expect(formatFindings('x', [])).toBe('');
  });
});

describe('analyzeStack', () => {
  const a = layer('App/A', { files: ['python/shared.py', 'python/a.py'] });
  const b = layer('App/B', { files: ['python/shared.py', 'python/b.py'] });
  const fn = { path: 'App/Fn', runtime: 'python3.12', architecture: 'x86_64' as const };

  test('the report splits findings by severity, errors first', () => {
    // GIVEN a stack with an error (layout), a warning (shadowing) and info (ARN-only layer)
    const bad = layer('App/Bad', { files: ['node_modules/x/index.js'] });
    const arn = { layerId: 'ext', displayName: 'ext', arn: 'arn:aws:lambda:us-east-1:123456789012:layer:ext:1' };
    // WHEN
    const report = analyzeStack({ platform: 'aws', function: fn, layers: [a, b, bad, arn] });
    // THEN
    expect(report.findings.map((f) => f.severity)).toEqual(['error', 'warning', 'info']);
    expect(report.errors.map((f) => f.ruleId)).toEqual(['LS-LAYOUT']);
    expect(report.warnings.map((f) => f.ruleId)).toEqual(['LS-SHADOWED-FILE']);
  });

  test('the winner follows the declared order, also when the same manifests are analysed again in another order', () => {
    // WHEN analysed in both orders, twice (the second time from the per-stack cache)
    for (let round = 0; round < 2; round++) {
      // THEN
      expect(analyzeStack({ platform: 'aws', function: fn, layers: [a, b] }).shadowed).toEqual([{ path: 'python/shared.py', layers: ['App/A', 'App/B'], winner: 'App/B' }]);
      expect(analyzeStack({ platform: 'aws', function: fn, layers: [b, a] }).shadowed).toEqual([{ path: 'python/shared.py', layers: ['App/B', 'App/A'], winner: 'App/A' }]);
      expect(analyzeStack({ platform: 'alicloud', function: fn, layers: [a, b] }).shadowed[0].winner).toBe('App/A');
    }
  });

  test('display names are part of the result, not cached across stacks with other names', () => {
    const renamed = { ...b, displayName: 'Other/B' };
    expect(analyzeStack({ platform: 'aws', function: fn, layers: [a, b] }).shadowed[0].winner).toBe('App/B');
    expect(analyzeStack({ platform: 'aws', function: fn, layers: [a, renamed] }).shadowed[0].winner).toBe('Other/B');
  });

  test('a custom rule list runs only those rules', () => {
    const only: StackRule = { id: 'X-ALWAYS', description: 'test rule', check: (ctx) => [{ ruleId: 'X-ALWAYS', severity: 'error', message: `${ctx.layers.length} layers` }] };
    expect(analyzeStack({ platform: 'aws', function: fn, layers: [a, b] }, [only]).findings).toEqual([{ ruleId: 'X-ALWAYS', severity: 'error', message: '2 layers' }]);
  });

  test('a bad limit override is an error', () => {
    expect(() => analyzeStack({ platform: 'aws', function: fn, layers: [], limits: { maxLayersPerFunction: -1 } })).toThrow(/maxLayersPerFunction=-1/);
  });
});

describe('analyzeLayer', () => {
  test('layout is checked against every declared runtime', () => {
    // GIVEN a layer that only has Python content, declared for Python and Node
    const m = manifest({ files: ['python/x.py'] });
    // WHEN
    const findings = analyzeLayer({ platform: 'aws', path: 'App/L', manifest: m, compatibleRuntimes: ['python3.12', 'nodejs20.x'], compatibleArchitectures: [] });
    // THEN
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'LS-LAYOUT', severity: 'error', layer: 'App/L' });
    expect(findings[0].message).toMatch(/^Layer App\/L has none of its 1 files where nodejs20\.x looks/);
  });

  test('a multi-runtime layer is fine; files no declared runtime finds are info', () => {
    const both = manifest({ files: ['python/x.py', 'nodejs/node_modules/y/index.js'] });
    expect(analyzeLayer({ platform: 'aws', path: 'App/L', manifest: both, compatibleRuntimes: ['python3.12', 'nodejs20.x'], compatibleArchitectures: [] })).toEqual([]);
    const extra = manifest({ files: ['python/x.py', 'nodejs/node_modules/y/index.js', 'NOTICE'] });
    const findings = analyzeLayer({ platform: 'aws', path: 'App/L', manifest: extra, compatibleRuntimes: ['python3.12', 'nodejs20.x'], compatibleArchitectures: [] });
    expect(findings).toEqual([expect.objectContaining({ ruleId: 'LS-LAYOUT', severity: 'info' })]);
    expect(findings[0].message).toContain('1 of 3 files in layer App/L are outside the directories every declared runtime searches (e.g. NOTICE)');
  });

  test('native binaries: AWS checks the declared architectures (any of them runs it), FC x86_64 only', () => {
    const m = manifest({ files: ['lib/a.so'], natives: [{ path: 'lib/a.so', cpu: 'arm64' }, { path: 'lib/w.dll', format: 'pe', os: 'windows', cpu: 'x86_64' }] });
    const aws = analyzeLayer({ platform: 'aws', path: 'App/L', manifest: m, compatibleRuntimes: [], compatibleArchitectures: ['x86_64'] });
    expect(aws.map((f) => f.data?.target)).toEqual(['linux/arm64', 'windows/x86_64']);
    const awsAny = analyzeLayer({ platform: 'aws', path: 'App/L', manifest: m, compatibleRuntimes: [], compatibleArchitectures: [] });
    expect(awsAny.map((f) => f.data?.target)).toEqual(['windows/x86_64']);
    expect(awsAny[0].message).toContain('AWS Lambda runs linux/x86_64 or linux/arm64');
    const fc = analyzeLayer({ platform: 'alicloud', path: 'App/L', manifest: m, compatibleRuntimes: [], compatibleArchitectures: [] });
    expect(fc.map((f) => f.data?.target)).toEqual(['linux/arm64', 'windows/x86_64']);
  });

  test('wheels are reported only when no declared architecture can load them', () => {
    const m = manifest({ files: ['python/x.py'], wheelTags: [{ path: 'python/x.dist-info/WHEEL', tags: ['cp312-cp312-manylinux2014_aarch64'] }] });
    expect(analyzeLayer({ platform: 'aws', path: 'L', manifest: m, compatibleRuntimes: ['python3.12'], compatibleArchitectures: ['x86_64', 'arm64'] })).toEqual([]);
    const x86 = analyzeLayer({ platform: 'aws', path: 'L', manifest: m, compatibleRuntimes: ['python3.12'], compatibleArchitectures: ['x86_64'] });
    expect(x86.map((f) => f.ruleId)).toEqual(['LS-PYTHON-WHEEL-TAG']);
    const py311 = analyzeLayer({ platform: 'aws', path: 'L', manifest: m, compatibleRuntimes: ['python3.11'], compatibleArchitectures: ['arm64'] });
    expect(py311[0].message).toContain('not CPython 3.11');
  });

  test('the layer alone over the unzipped budget is an error at 262,144,001 bytes, not at 262,144,000', () => {
    const at = manifest({ files: ['python/x.py'], unzippedSize: 262_144_000 });
    expect(analyzeLayer({ platform: 'aws', path: 'L', manifest: at, compatibleRuntimes: [], compatibleArchitectures: [] })).toEqual([]);
    const over = manifest({ files: ['python/x.py'], unzippedSize: 262_144_001 });
    const [f] = analyzeLayer({ platform: 'aws', path: 'L', manifest: over, compatibleRuntimes: [], compatibleArchitectures: [] });
    expect(f).toMatchObject({ ruleId: 'LS-UNZIPPED-BUDGET', severity: 'error' });
    expect(f.message).toBe('Layer L unzips to 262,144,001 bytes, over the AWS Lambda limit of 262,144,000 bytes for function code plus all layers, by 1 bytes.');
  });

  test('a ZIP over the inline upload size is info naming S3 or OSS', () => {
    const at = manifest({ files: ['python/x.py'], zippedSize: 52_428_800 });
    expect(analyzeLayer({ platform: 'aws', path: 'L', manifest: at, compatibleRuntimes: [], compatibleArchitectures: [] })).toEqual([]);
    const over = manifest({ files: ['python/x.py'], zippedSize: 52_428_801 });
    const [f] = analyzeLayer({ platform: 'aws', path: 'L', manifest: over, compatibleRuntimes: [], compatibleArchitectures: [] });
    expect(f).toMatchObject({ ruleId: 'LS-INLINE-UPLOAD', severity: 'info' });
    expect(f.message).toContain('it must be uploaded through S3');
    const fcOver = manifest({ files: ['python/x.py'], zippedSize: 70 * 1024 * 1024 + 1 });
    expect(analyzeLayer({ platform: 'alicloud', path: 'L', manifest: fcOver, compatibleRuntimes: [], compatibleArchitectures: [] })[0].message).toContain('through OSS');
  });

  test('runtime ids that do not resolve are left to validateLayerProps', () => {
    const m = manifest({ files: ['python/x.py'] });
    expect(analyzeLayer({ platform: 'aws', path: 'L', manifest: m, compatibleRuntimes: ['python9'], compatibleArchitectures: [] })).toEqual([]);
  });
});
