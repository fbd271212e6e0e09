import { layer } from './manifest-helper';
import { analyzeStack, AWS_PYTHON_RUNTIME_SDKS, compareVersions, type PackageRecord, type StackInput, type StackLayer } from '../../lib/core';

function stack(platform: 'aws' | 'alicloud', runtime: string, layers: StackLayer[], codeSize = 0): StackInput {
  return { platform, function: { path: 'App/Fn', runtime, architecture: 'x86_64', codeSize }, layers };
}

const pkg = (name: string, version: string, unzippedBytes: number, at = `python/${name}-${version}.dist-info/`): PackageRecord => ({
  ecosystem: 'python', name, version, path: at, files: 10, unzippedBytes,
});

describe('LS-UNZIPPED-BUDGET says what to cut', () => {
  test('an over-budget stack names each layer\'s share, the largest packages across the stack and the bytes to cut', () => {
    // GIVEN two layers of 150,000,000 and 120,000,000 bytes (262,144,000 is the AWS budget)
    const sci = layer('Sci', {
      files: ['python/a.py'],
      unzippedSize: 150_000_000,
      packages: [pkg('scipy', '1.16.3', 118_673_698), pkg('six', '1.17.0', 38_070)],
    });
    const data = layer('Data', {
      files: ['python/b.py'],
      unzippedSize: 120_000_000,
      packages: [pkg('numpy', '2.2.6', 58_621_052), pkg('pandas', '2.2.3', 43_806_995), pkg('pytz', '2026.4', 1_004_006), pkg('tzdata', '2026.4', 581_360)],
    });
    // WHEN the stack is analysed
    const [f] = analyzeStack(stack('aws', 'python3.11', [sci, data], 1_000)).findings.filter((x) => x.ruleId === 'LS-UNZIPPED-BUDGET');
    // THEN the error names shares, the five largest packages in size order and the excess
    const excess = 150_000_000 + 120_000_000 + 1_000 - 262_144_000;
    expect(f.severity).toBe('error');
    expect(f.message).toContain('Layer shares: Sci 150,000,000 bytes');
    expect(f.message).toContain('(55.6%)');
    expect(f.message).toMatch(/Largest packages: scipy 1\.16\.3 118,673,698 bytes in Sci, numpy 2\.2\.6 58,621,052 bytes in Data, pandas 2\.2\.3 43,806,995 bytes in Data/);
    expect(f.message).not.toContain('six');
    expect(f.message).toContain(`Cut at least ${excess.toLocaleString('en-US')} bytes`);
    expect(f.data).toMatchObject({ excessBytes: excess, layerShares: [{ layer: 'Sci', bytes: 150_000_000 }, { layer: 'Data', bytes: 120_000_000 }] });
    expect((f.data!.largestPackages as Array<{ name: string }>).map((p) => p.name)).toEqual(['scipy', 'numpy', 'pandas', 'pytz', 'tzdata']);
  });

  test('a stack within budget has no budget finding whatever its packages', () => {
    const l = layer('L', { files: ['python/a.py'], unzippedSize: 262_144_000, packages: [pkg('scipy', '1', 200_000_000)] });
    expect(analyzeStack(stack('aws', 'python3.11', [l])).findings.filter((x) => x.ruleId === 'LS-UNZIPPED-BUDGET')).toEqual([]);
  });
});

describe('LS-RUNTIME-SHADOW', () => {
  const shadow = (input: StackInput) => analyzeStack(input).findings.filter((f) => f.ruleId === 'LS-RUNTIME-SHADOW');

  test('botocore without boto3 in /opt/python is a warning naming the missing half', () => {
    const l = layer('Sdk', { files: ['python/botocore/__init__.py'], packages: [pkg('botocore', '1.35.0', 1)] });
    const [f] = shadow(stack('aws', 'python3.12', [l]));
    expect(f).toMatchObject({ severity: 'warning', layer: 'Sdk', data: { package: 'botocore', missing: 'boto3' } });
    expect(f.message).toContain('holds botocore 1.35.0 but no boto3');
  });

  test('boto3 without botocore (site-packages layout) is a warning too', () => {
    const at = 'python/lib/python3.11/site-packages/boto3-1.35.0.dist-info/';
    const l = layer('Sdk', { files: ['python/lib/python3.11/site-packages/boto3/__init__.py'], packages: [pkg('boto3', '1.35.0', 1, at)] });
    expect(shadow(stack('aws', 'python3.11', [l])).map((f) => f.data?.missing)).toEqual(['botocore']);
  });

  test('a pair older than the runtime ships gives one warning per package with both versions', () => {
    const l = layer('Old', { files: ['python/x.py'], packages: [pkg('boto3', '1.9.42', 1), pkg('botocore', '1.12.42', 1)] });
    const found = shadow(stack('aws', 'python3.9', [l]));
    expect(found.map((f) => f.data?.package)).toEqual(['boto3', 'botocore']);
    expect(found[0].message).toContain(`older than the boto3 ${AWS_PYTHON_RUNTIME_SDKS['python3.9'].boto3}`);
    expect(found[0].data).toMatchObject({ version: '1.9.42', unconfirmed: false });
  });

  test('a runtime whose SDK version no primary source lists says the floor is unconfirmed', () => {
    const l = layer('Old', { files: ['python/x.py'], packages: [pkg('boto3', '1.9.42', 1), pkg('botocore', '1.12.42', 1)] });
    const [f] = shadow(stack('aws', 'python3.12', [l]));
    expect(f.message).toContain('(or newer; unconfirmed)');
    expect(f.data).toMatchObject({ unconfirmed: true });
  });

  test('halves split across two layers make a pair; a current pair, FC, Node and nested copies give nothing', () => {
    const a = layer('A', { files: ['python/a.py'], packages: [pkg('boto3', '1.35.0', 1)] });
    const b = layer('B', { files: ['python/b.py'], packages: [pkg('botocore', '1.35.0', 1)] });
    expect(shadow(stack('aws', 'python3.12', [a, b]))).toEqual([]);
    const half = layer('H', { files: ['python/h.py'], packages: [pkg('botocore', '1.0.0', 1)] });
    expect(shadow(stack('alicloud', 'python3.12', [half]))).toEqual([]);
    expect(shadow(stack('aws', 'nodejs20.x', [half]))).toEqual([]);
    const nested = layer('N', { files: ['python/v/x.py'], packages: [pkg('botocore', '1.0.0', 1, 'python/vendor/botocore-1.0.0.dist-info/')] });
    expect(shadow(stack('aws', 'python3.12', [nested]))).toEqual([]);
  });

  test('compareVersions orders dotted versions numerically', () => {
    expect(compareVersions('1.26.90', '1.29.0')).toBe(-1);
    expect(compareVersions('1.35.0', '1.35')).toBe(0);
    expect(compareVersions('2026.4', '2025.12')).toBe(1);
  });
});
