import { arnLayer, layer } from './manifest-helper';
import { analyzeStack, STACK_RULES, type Finding, type StackInput, type StackLayer } from '../../lib/core';

const AWS_FC_PY = { aws: 'python3.12', alicloud: 'python3.12' } as const;

function stack(platform: 'aws' | 'alicloud', layers: StackLayer[], fn: Partial<StackInput['function']> = {}, limits?: StackInput['limits']): StackInput {
  return { platform, function: { path: 'App/Fn', runtime: AWS_FC_PY[platform], architecture: 'x86_64', ...fn }, layers, limits };
}

function byRule(findings: readonly Finding[], ruleId: string): Finding[] {
  return findings.filter((f) => f.ruleId === ruleId);
}

const py = (name: string, files: string[] = [`python/${name}.py`], extra = {}) => layer(name, { files, ...extra });

test('the rule registry is pinned: no rule silently disappears', () => {
  expect(STACK_RULES.map((r) => r.id)).toEqual([
    'LS-UNKNOWN-RUNTIME', 'LS-DEPRECATED-RUNTIME', 'LS-LAYER-COUNT', 'LS-DUPLICATE-LAYER', 'LS-LAYER-ARN', 'LS-UNZIPPED-BUDGET',
    'LS-RUNTIME-COMPAT', 'LS-ARCH-COMPAT', 'LS-LAYOUT', 'LS-SHADOWED-FILE', 'LS-PACKAGE-VERSION-CONFLICT', 'LS-RUNTIME-SHADOW', 'LS-NATIVE-BINARY',
    'LS-PYTHON-WHEEL-TAG', 'LS-GLIBC', 'LS-UNKNOWN-LAYER', 'LS-CUSTOM-RUNTIME-ENV',
  ]);
  for (const r of STACK_RULES) expect(r.description.length).toBeGreaterThan(10);
});

test('a clean stack has no findings on either platform', () => {
  for (const p of ['aws', 'alicloud'] as const) {
    const report = analyzeStack(stack(p, [py('a'), py('b')], { codeSize: 100 }));
    expect(report.findings).toEqual([]);
    expect(report.budget).toEqual({ usedBytes: 120, limitBytes: p === 'aws' ? 262_144_000 : 500 * 1024 * 1024, unknownLayers: 0 });
  }
});

describe('LS-LAYER-COUNT', () => {
  test.each(['aws', 'alicloud'] as const)('%s: 5 layers pass, 6 fail with the numbers', (p) => {
    const five = ['a', 'b', 'c', 'd', 'e'].map((n) => py(n));
    expect(byRule(analyzeStack(stack(p, five)).findings, 'LS-LAYER-COUNT')).toEqual([]);
    const [f, ...rest] = byRule(analyzeStack(stack(p, [...five, py('f')])).findings, 'LS-LAYER-COUNT');
    expect(rest).toEqual([]);
    expect(f.severity).toBe('error');
    expect(f.message).toMatch(/^6 layers attached; .* allows at most 5 per function\.$/);
    expect(f.data).toEqual({ count: 6, max: 5 });
  });

  test('the limit can be overridden per app', () => {
    const six = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => py(n));
    expect(byRule(analyzeStack(stack('alicloud', six, {}, { maxLayersPerFunction: 6 })).findings, 'LS-LAYER-COUNT')).toEqual([]);
  });
});

describe('LS-DUPLICATE-LAYER', () => {
  test.each(['aws', 'alicloud'] as const)('%s: the same layer twice is an error naming both positions', (p) => {
    const a = py('a');
    const [f] = byRule(analyzeStack(stack(p, [a, py('b'), { ...a }])).findings, 'LS-DUPLICATE-LAYER');
    expect(f.severity).toBe('error');
    expect(f.message).toMatch(/^Layer a is attached 2 times \(#1 a, #3 a\); .* rejects the same layer twice on one function, even at different versions\.$/);
  });

  test('two versions of one ARN layer are the same layer', () => {
    const v1 = arnLayer('arn:aws:lambda:us-east-1:123456789012:layer:shared:1', { layerId: 'one' });
    const v2 = arnLayer('arn:aws:lambda:us-east-1:123456789012:layer:shared:2', { layerId: 'two' });
    const [f] = byRule(analyzeStack(stack('aws', [v1, v2])).findings, 'LS-DUPLICATE-LAYER');
    expect(f.data).toMatchObject({ layerId: 'arn:aws:lambda:us-east-1:123456789012:layer:shared', positions: [1, 2] });
    const fc1 = arnLayer('acs:fc:cn-hangzhou:official:layers/P/versions/1', { layerId: 'x' });
    const fc2 = arnLayer('acs:fc:cn-hangzhou:official:layers/P/versions/3', { layerId: 'y' });
    expect(byRule(analyzeStack(stack('alicloud', [fc1, fc2])).findings, 'LS-DUPLICATE-LAYER')).toHaveLength(1);
  });
});

describe('LS-UNZIPPED-BUDGET', () => {
  test('AWS: 262,144,000 bytes pass, 262,144,001 fail with the numbers', () => {
    const at = analyzeStack(stack('aws', [py('a', undefined, { unzippedSize: 262_143_000 })], { codeSize: 1_000 }));
    expect(byRule(at.findings, 'LS-UNZIPPED-BUDGET')).toEqual([]);
    expect(at.budget.usedBytes).toBe(262_144_000);
    const over = analyzeStack(stack('aws', [py('a', undefined, { unzippedSize: 262_143_000 })], { codeSize: 1_001 }));
    const [f] = byRule(over.findings, 'LS-UNZIPPED-BUDGET');
    expect(f.severity).toBe('error');
    expect(f.message.startsWith('Unzipped size 262,144,001 bytes (layers 262,143,000 bytes + function code 1,001 bytes) exceeds the AWS Lambda limit of 262,144,000 bytes by 1 bytes.')).toBe(true);
    expect(f.data).toMatchObject({ usedBytes: 262_144_001, limitBytes: 262_144_000 });
  });

  test('FC: the unconfirmed default says so and can be overridden', () => {
    const big = [py('a', undefined, { unzippedSize: 600 * 1024 * 1024 })];
    const [f] = byRule(analyzeStack(stack('alicloud', big)).findings, 'LS-UNZIPPED-BUDGET');
    expect(f.message).toContain('(an unconfirmed default; set limits.maxUnzippedBytes if your account allows more)');
    expect(f.message).toContain('+ function code (unknown)');
    expect(byRule(analyzeStack(stack('alicloud', big, {}, { maxUnzippedBytes: 1024 ** 3 })).findings, 'LS-UNZIPPED-BUDGET')).toEqual([]);
  });

  test('layers known only by ARN are counted as unknown, and said so', () => {
    const report = analyzeStack(stack('aws', [py('a', undefined, { unzippedSize: 262_144_001 }), arnLayer('arn:aws:lambda:us-east-1:123456789012:layer:x:1')]));
    expect(report.budget).toEqual({ usedBytes: 262_144_001, limitBytes: 262_144_000, unknownLayers: 1 });
    expect(byRule(report.findings, 'LS-UNZIPPED-BUDGET')[0].message).toContain('1 layer(s) known only by ARN are not counted');
  });
});

describe('LS-RUNTIME-COMPAT', () => {
  test('AWS: a layer declaring other runtimes is an error (the declaration is all that is known of its build)', () => {
    const [f] = byRule(analyzeStack(stack('aws', [py('a', undefined, { compatibleRuntimes: ['python3.11', 'python3.13'] })])).findings, 'LS-RUNTIME-COMPAT');
    expect(f).toMatchObject({ severity: 'error', layer: 'a' });
    expect(f.message).toBe('Layer a declares compatible runtimes python3.11, python3.13, which do not include the function runtime python3.12; '
      + 'Lambda would deploy it, but the layer says it was built for other runtimes.');
    expect(byRule(analyzeStack(stack('aws', [py('a', undefined, { compatibleRuntimes: ['python3.12'] })])).findings, 'LS-RUNTIME-COMPAT')).toEqual([]);
  });

  test('FC: the API rejects a runtime the layer does not list, so it is an error', () => {
    const [f] = byRule(analyzeStack(stack('alicloud', [py('a', undefined, { compatibleRuntimes: ['python3.10'] })])).findings, 'LS-RUNTIME-COMPAT');
    expect(f.severity).toBe('error');
    expect(f.message).toContain('Function Compute rejects the function ("runtime is not supported by layer")');
  });

  test('FC custom-container cannot attach layers at all', () => {
    const [f] = byRule(analyzeStack(stack('alicloud', [py('a')], { runtime: 'custom-container' })).findings, 'LS-RUNTIME-COMPAT');
    expect(f.severity).toBe('error');
    expect(f.message).toBe('Runtime custom-container cannot attach layers on Alibaba Cloud Function Compute, but 1 layer(s) are attached.');
  });
});

describe('LS-ARCH-COMPAT', () => {
  test('AWS: an x86_64-only layer on an arm64 function is an error', () => {
    const [f] = byRule(analyzeStack(stack('aws', [py('a', undefined, { compatibleArchitectures: ['x86_64'] })], { architecture: 'arm64' })).findings, 'LS-ARCH-COMPAT');
    expect(f.message).toBe('Layer a declares architectures x86_64, but the function runs on arm64.');
    expect(byRule(analyzeStack(stack('aws', [py('a', undefined, { compatibleArchitectures: ['x86_64', 'arm64'] })], { architecture: 'arm64' })).findings, 'LS-ARCH-COMPAT')).toEqual([]);
  });

  test('FC: an arm64 function is an error (FC runs x86_64 only)', () => {
    const [f] = byRule(analyzeStack(stack('alicloud', [], { architecture: 'arm64' })).findings, 'LS-ARCH-COMPAT');
    expect(f.message).toBe('Function architecture arm64 is not available on Alibaba Cloud Function Compute, which runs x86_64.');
  });
});

describe('LS-LAYOUT', () => {
  test('AWS: site-packages at the zip root is an error naming the expected layout', () => {
    const [f] = byRule(analyzeStack(stack('aws', [layer('deps', { files: ['site-packages/requests/__init__.py', 'site-packages/requests/api.py'] })])).findings, 'LS-LAYOUT');
    expect(f.severity).toBe('error');
    expect(f.message).toBe('Layer deps has none of its 2 files where python3.12 looks (e.g. site-packages/requests/__init__.py, site-packages/requests/api.py): '
      + 'python3.12 on AWS Lambda finds layer content under python/, python/lib/python3.12/site-packages/, bin/ or lib/ (extracted under /opt).');
    expect(f.fix).toMatch(/Put Python packages under python\//);
  });

  test('node_modules without nodejs/ is an error on both platforms', () => {
    for (const [p, rt] of [['aws', 'nodejs20.x'], ['alicloud', 'nodejs20']] as const) {
      const [f] = byRule(analyzeStack(stack(p, [layer('deps', { files: ['node_modules/left-pad/index.js'] })], { runtime: rt })).findings, 'LS-LAYOUT');
      expect(f.severity).toBe('error');
      expect(f.fix).toBe('Move node_modules/ under nodejs/ (nodejs/node_modules/...).');
    }
  });

  test('AWS versioned paths must match the function version; FC only searches python/', () => {
    const built311 = layer('deps', { files: ['python/lib/python3.11/site-packages/six.py'] });
    const [f] = byRule(analyzeStack(stack('aws', [built311])).findings, 'LS-LAYOUT');
    expect(f.fix).toMatch(/built for Python 3\.11 .* but the function runs python3\.12/);
    const built312 = layer('deps', { files: ['python/lib/python3.12/site-packages/six.py'] });
    expect(byRule(analyzeStack(stack('aws', [built312])).findings, 'LS-LAYOUT')).toEqual([]);
    // FC adds only /opt/python to the path: the versioned site-packages dir is not searched there
    expect(byRule(analyzeStack(stack('alicloud', [built312])).findings, 'LS-LAYOUT')[0]).toMatchObject({
      severity: 'error', fix: 'python3.12 does not search python/lib/python3.12/site-packages/ on this platform: use the python/ layout.',
    });
    const node18 = layer('n', { files: ['nodejs/node18/node_modules/x/index.js'] });
    expect(byRule(analyzeStack(stack('aws', [node18], { runtime: 'nodejs20.x' })).findings, 'LS-LAYOUT')[0].severity).toBe('error');
    expect(byRule(analyzeStack(stack('aws', [node18], { runtime: 'nodejs18.x' })).findings, 'LS-LAYOUT')).toEqual([]);
  });

  test('ruby gems go under ruby/gems/X.Y.0 on AWS; php under php/ on FC', () => {
    const gems = layer('g', { files: ['ruby/gems/3.3.0/gems/rack-3.0.0/lib/rack.rb'] });
    expect(byRule(analyzeStack(stack('aws', [gems], { runtime: 'ruby3.3' })).findings, 'LS-LAYOUT')).toEqual([]);
    expect(byRule(analyzeStack(stack('aws', [gems], { runtime: 'ruby3.2' })).findings, 'LS-LAYOUT')[0].severity).toBe('error');
    const vendor = layer('v', { files: ['vendor/autoload.php'] });
    const [f] = byRule(analyzeStack(stack('alicloud', [vendor], { runtime: 'php7.2' })).findings, 'LS-LAYOUT');
    expect(f.fix).toBe("Put Composer's vendor/ under php/ (php/vendor/...).");
  });

  test('bin/ and lib/ are found by every runtime; part outside is info; empty layer is a warning', () => {
    expect(byRule(analyzeStack(stack('aws', [layer('t', { files: ['bin/tool', 'lib/libx.so'] })], { runtime: 'java21' })).findings, 'LS-LAYOUT')).toEqual([]);
    const [info] = byRule(analyzeStack(stack('aws', [layer('m', { files: ['python/a.py', 'README.md'] })])).findings, 'LS-LAYOUT');
    expect(info.severity).toBe('info');
    expect(info.message).toMatch(/^1 of 2 files in layer m are outside the directories python3\.12 searches \(e\.g\. README\.md\)/);
    const [empty] = byRule(analyzeStack(stack('aws', [layer('e', { files: [] })])).findings, 'LS-LAYOUT');
    expect(empty).toMatchObject({ severity: 'warning', message: 'Layer e holds no files.' });
  });

  test('AWS custom runtime: content elsewhere is a warning (the bootstrap may read /opt itself); FC custom: not checked', () => {
    const [f] = byRule(analyzeStack(stack('aws', [py('a')], { runtime: 'provided.al2023' })).findings, 'LS-LAYOUT');
    expect(f.severity).toBe('warning');
    expect(byRule(analyzeStack(stack('aws', [layer('b', { files: ['bootstrap'] })], { runtime: 'provided.al2023' })).findings, 'LS-LAYOUT')).toEqual([]);
    expect(byRule(analyzeStack(stack('alicloud', [py('a')], { runtime: 'custom.debian12' })).findings, 'LS-LAYOUT')).toEqual([]);
  });
});

describe('LS-SHADOWED-FILE', () => {
  const first = layer('first', { files: ['python/shared.py', 'python/only1.py', 'python/pkg/__init__.py'] });
  const second = layer('second', { files: ['python/shared.py', 'python/pkg/__init__.py', 'python/only2.py'] });

  test('AWS: the last layer wins, and the finding says so with the paths', () => {
    const report = analyzeStack(stack('aws', [first, second]));
    expect(report.shadowed).toEqual([
      { path: 'python/pkg/__init__.py', layers: ['first', 'second'], winner: 'second' },
      { path: 'python/shared.py', layers: ['first', 'second'], winner: 'second' },
    ]);
    const [f] = byRule(report.findings, 'LS-SHADOWED-FILE');
    expect(f).toMatchObject({ severity: 'warning', layer: 'first' });
    expect(f.message).toBe('2 file(s) of layer first are hidden by layer second, which wins because AWS Lambda extracts layers in list order, '
      + 'so the last layer in the list overwrites earlier ones: python/pkg/__init__.py, python/shared.py.');
  });

  test('FC: the first layer wins', () => {
    const report = analyzeStack(stack('alicloud', [first, second]));
    expect(report.shadowed.map((s) => s.winner)).toEqual(['first', 'first']);
    expect(byRule(report.findings, 'LS-SHADOWED-FILE')[0].message).toMatch(/^2 file\(s\) of layer second are hidden by layer first, which wins because Function Compute gives precedence to the layer with the smaller index/);
  });

  test('three layers holding a path: all are named, one winner', () => {
    const third = layer('third', { files: ['python/shared.py'] });
    const report = analyzeStack(stack('aws', [first, second, third]));
    expect(report.shadowed.find((s) => s.path === 'python/shared.py')).toEqual({ path: 'python/shared.py', layers: ['first', 'second', 'third'], winner: 'third' });
    expect(byRule(report.findings, 'LS-SHADOWED-FILE').map((f) => f.layer).sort()).toEqual(['first', 'first', 'second']);
  });

  test('directories merge and never shadow; a duplicate layer is not reported as shadowing', () => {
    const a = layer('a', { files: ['python/a/x.py'] });
    const b = layer('b', { files: ['python/a/y.py'] });
    expect(analyzeStack(stack('aws', [a, b])).shadowed).toEqual([]);
    expect(analyzeStack(stack('aws', [a, { ...a }])).shadowed).toEqual([]);
  });
});

describe('LS-PACKAGE-VERSION-CONFLICT', () => {
  const pkg = (name: string, version: string, path: string, ecosystem: 'python' | 'node' | 'java' = 'python') => ({ ecosystem, name, version, path });

  test.each([['aws', 'b'], ['alicloud', 'a']] as const)('%s: one package at two versions names both and the winner (%s)', (p, winner) => {
    const a = layer('a', { files: ['python/requests/__init__.py'], packages: [pkg('requests', '2.31.0', 'python/requests-2.31.0.dist-info')] });
    const b = layer('b', { files: ['python/requests/__init__.py'], packages: [pkg('requests', '2.32.3', 'python/requests-2.32.3.dist-info')] });
    const [f] = byRule(analyzeStack(stack(p, [a, b])).findings, 'LS-PACKAGE-VERSION-CONFLICT');
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('python package requests is at 2 places with different versions: 2.31.0 in a (python/requests-2.31.0.dist-info), 2.32.3 in b (python/requests-2.32.3.dist-info)');
    expect(f.message).toContain(`files shared by both copies come from ${winner}`);
    expect(f.data).toMatchObject({ winner });
  });

  test('same version is fine; nested node dependencies do not count; jars explain the classpath', () => {
    const same = [layer('a', { packages: [pkg('six', '1.16.0', 'python/six-1.16.0.dist-info')] }), layer('b', { packages: [pkg('six', '1.16.0', 'python/six-1.16.0.dist-info')] })];
    expect(byRule(analyzeStack(stack('aws', same)).findings, 'LS-PACKAGE-VERSION-CONFLICT')).toEqual([]);
    const nested = [
      layer('a', { packages: [pkg('debug', '4.3.4', 'nodejs/node_modules/debug/package.json', 'node')] }),
      layer('b', { packages: [pkg('debug', '2.6.9', 'nodejs/node_modules/express/node_modules/debug/package.json', 'node')] }),
    ];
    expect(byRule(analyzeStack(stack('aws', nested, { runtime: 'nodejs20.x' })).findings, 'LS-PACKAGE-VERSION-CONFLICT')).toEqual([]);
    const jars = [
      layer('a', { packages: [pkg('com.google.guava:guava', '32.0.0', 'java/lib/guava-32.0.0.jar', 'java')] }),
      layer('b', { packages: [pkg('com.google.guava:guava', '33.0.0', 'java/lib/guava-33.0.0.jar', 'java')] }),
    ];
    expect(byRule(analyzeStack(stack('aws', jars, { runtime: 'java21' })).findings, 'LS-PACKAGE-VERSION-CONFLICT')[0].message).toContain('both jars end up on the classpath');
  });
});

describe('LS-NATIVE-BINARY', () => {
  test('AWS arm64 function: x86_64 and macOS binaries are errors, grouped with counts', () => {
    const l = layer('n', {
      files: ['python/a.so'],
      natives: [{ path: 'python/a.so', cpu: 'x86_64' }, { path: 'python/b.so', cpu: 'x86_64' }, { path: 'python/c.so', format: 'macho', os: 'darwin', cpu: 'arm64' }, { path: 'python/ok.so', cpu: 'arm64' }],
    });
    const found = byRule(analyzeStack(stack('aws', [l], { architecture: 'arm64' })).findings, 'LS-NATIVE-BINARY');
    expect(found.map((f) => f.message)).toEqual([
      'Layer n holds 2 native binaries built for linux/x86_64 (python/a.so, python/b.so); AWS Lambda runs linux/arm64.',
      'Layer n holds 1 native binary built for darwin/arm64 (python/c.so); AWS Lambda runs linux/arm64.',
    ]);
    expect(found[0].fix).toContain('manylinux2014_aarch64');
  });

  test('FC: an arm64 binary cannot run; an ELF with unknown OS ABI counts as Linux', () => {
    const l = layer('n', { natives: [{ path: 'lib/a.so', cpu: 'arm64' }, { path: 'lib/b.so', os: 'unknown', cpu: 'x86_64' }] });
    const found = byRule(analyzeStack(stack('alicloud', [l])).findings, 'LS-NATIVE-BINARY');
    expect(found.map((f) => f.data?.target)).toEqual(['linux/arm64']);
  });
});

describe('LS-PYTHON-WHEEL-TAG', () => {
  const wheels = (...tags: string[]) => layer('w', { wheelTags: tags.map((t, i) => ({ path: `python/p${i}.dist-info/WHEEL`, tags: [t] })) });

  test('wheels for another CPython, musl or macOS are errors; abi3 and pure wheels pass', () => {
    const found = byRule(analyzeStack(stack('aws', [wheels(
      'cp311-cp311-manylinux_2_17_x86_64', 'cp312-cp312-musllinux_1_1_x86_64', 'cp312-cp312-macosx_11_0_arm64',
      'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64', 'cp38-abi3-manylinux2014_x86_64', 'py3-none-any', 'py2.py3-none-any',
    )])).findings, 'LS-PYTHON-WHEEL-TAG');
    expect(found.map((f) => f.data?.path)).toEqual(['python/p0.dist-info/WHEEL', 'python/p1.dist-info/WHEEL', 'python/p2.dist-info/WHEEL']);
    expect(found[0].message).toContain('built for cp311 (ABI cp311), not CPython 3.12');
    expect(found[1].message).toContain('built for musl libc');
    expect(found[2].message).toContain('built for macosx_11_0_arm64, not Linux x86_64');
  });

  test('the architecture must match the function', () => {
    const found = byRule(analyzeStack(stack('aws', [wheels('cp312-cp312-manylinux2014_x86_64')], { architecture: 'arm64' })).findings, 'LS-PYTHON-WHEEL-TAG');
    expect(found).toHaveLength(1);
    expect(byRule(analyzeStack(stack('alicloud', [wheels('cp312-cp312-manylinux2014_x86_64')])).findings, 'LS-PYTHON-WHEEL-TAG')).toEqual([]);
  });
});

describe('LS-UNKNOWN-LAYER', () => {
  test('says which checks could not run, fewer when runtimes and architectures are declared', () => {
    const arn = 'arn:aws:lambda:us-east-1:123456789012:layer:ext:4';
    const [bare] = byRule(analyzeStack(stack('aws', [arnLayer(arn)])).findings, 'LS-UNKNOWN-LAYER');
    expect(bare.severity).toBe('info');
    expect(bare.message).toBe(`Layer ${arn} is known only by ARN (${arn}), so these checks could not run on it: size budget, layout, shadowed files, `
      + 'package versions, native binaries, runtime compatibility, architecture compatibility.');
    const [declared] = byRule(analyzeStack(stack('aws', [arnLayer(arn, { compatibleRuntimes: ['python3.12'], compatibleArchitectures: ['x86_64'] })])).findings, 'LS-UNKNOWN-LAYER');
    expect(declared.message).not.toContain('runtime compatibility');
    expect(byRule(analyzeStack(stack('aws', [arnLayer(arn, { compatibleRuntimes: ['python3.11'] })])).findings, 'LS-RUNTIME-COMPAT')).toHaveLength(1);
  });
});

describe('LS-LAYER-ARN', () => {
  test('an FC ARN on an AWS function (and the reverse) is an error', () => {
    const [f] = byRule(analyzeStack(stack('aws', [arnLayer('acs:fc:cn-hangzhou:official:layers/P/versions/1')])).findings, 'LS-LAYER-ARN');
    expect(f.severity).toBe('error');
    expect(f.message).toMatch(/Invalid AWS Lambda layer version ARN 'acs:fc:cn-hangzhou:official:layers\/P\/versions\/1'/);
    expect(byRule(analyzeStack(stack('alicloud', [arnLayer('arn:aws:lambda:us-east-1:123456789012:layer:x:1')])).findings, 'LS-LAYER-ARN')).toHaveLength(1);
  });
});

describe('LS-CUSTOM-RUNTIME-ENV', () => {
  test('FC custom runtime: names the env vars the layers need', () => {
    const layers = [layer('p', { files: ['python/x.py', 'lib/libz.so'] }), layer('n', { files: ['nodejs/node_modules/x/index.js', 'bin/tool'] })];
    const [f] = byRule(analyzeStack(stack('alicloud', layers, { runtime: 'custom.debian12' })).findings, 'LS-CUSTOM-RUNTIME-ENV');
    expect(f.severity).toBe('info');
    expect(f.fix).toBe("Set PYTHONPATH=/opt/python, LD_LIBRARY_PATH=/opt/lib, NODE_PATH=/opt/nodejs/node_modules, PATH=/opt/bin:$PATH in the function's environment variables.");
    expect(f.data).toMatchObject({ env: ['PYTHONPATH=/opt/python', 'LD_LIBRARY_PATH=/opt/lib', 'NODE_PATH=/opt/nodejs/node_modules', 'PATH=/opt/bin:$PATH'] });
  });

  test('ARN-only layers get the generic hint; AWS custom runtimes and built-in FC runtimes get nothing', () => {
    const [f] = byRule(analyzeStack(stack('alicloud', [arnLayer('acs:fc:cn-hangzhou:official:layers/P/versions/1')], { runtime: 'custom' })).findings, 'LS-CUSTOM-RUNTIME-ENV');
    expect(f.fix).toContain('FC custom runtimes add no layer directories to any search path');
    expect(byRule(analyzeStack(stack('aws', [py('a')], { runtime: 'provided.al2023' })).findings, 'LS-CUSTOM-RUNTIME-ENV')).toEqual([]);
    expect(byRule(analyzeStack(stack('alicloud', [py('a')])).findings, 'LS-CUSTOM-RUNTIME-ENV')).toEqual([]);
    expect(byRule(analyzeStack(stack('alicloud', [], { runtime: 'custom.debian12' })).findings, 'LS-CUSTOM-RUNTIME-ENV')).toEqual([]);
  });
});

describe('LS-UNKNOWN-RUNTIME and LS-DEPRECATED-RUNTIME', () => {
  test('AWS: an id outside the enum is an error and runtime checks are skipped', () => {
    const report = analyzeStack(stack('aws', [layer('x', { files: ['node_modules/a.js'] })], { runtime: 'python3.99' }));
    expect(byRule(report.findings, 'LS-UNKNOWN-RUNTIME')[0]).toMatchObject({ severity: 'error' });
    expect(byRule(report.findings, 'LS-UNKNOWN-RUNTIME')[0].message).toMatch(/^Unknown AWS Lambda runtime 'python3\.99'.* Runtime-dependent checks \(layout, runtime compatibility\) did not run\.$/);
    expect(byRule(report.findings, 'LS-LAYOUT')).toEqual([]);
  });

  test('FC: an unlisted id is info, naming the inferred family', () => {
    const [f] = byRule(analyzeStack(stack('alicloud', [], { runtime: 'python3.13' })).findings, 'LS-UNKNOWN-RUNTIME');
    expect(f.severity).toBe('info');
    expect(f.message).toBe('Runtime python3.13 is not one layersmith lists for Alibaba Cloud Function Compute; it was checked as a python runtime (searching python, bin, lib).');
  });

  test('deprecated runtimes are a warning on both platforms', () => {
    expect(byRule(analyzeStack(stack('aws', [], { runtime: 'python3.8' })).findings, 'LS-DEPRECATED-RUNTIME')[0].severity).toBe('warning');
    expect(byRule(analyzeStack(stack('alicloud', [], { runtime: 'nodejs10' })).findings, 'LS-DEPRECATED-RUNTIME')[0].severity).toBe('warning');
    expect(byRule(analyzeStack(stack('aws', [])).findings, 'LS-DEPRECATED-RUNTIME')).toEqual([]);
  });
});
