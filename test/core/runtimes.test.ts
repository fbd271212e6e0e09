import { AWS_RUNTIME_IDS, FC_RUNTIME_IDS, isValidRuntime, layoutHint, resolveRuntime } from '../../lib/core';

describe('AWS runtimes', () => {
  test.each([
    ['python3.12', 'python', '3.12', ['python', 'python/lib/python3.12/site-packages', 'bin', 'lib']],
    ['nodejs20.x', 'nodejs', '20', ['nodejs/node_modules', 'nodejs/node20/node_modules', 'bin', 'lib']],
    ['nodejs24.x', 'nodejs', '24', ['nodejs/node_modules', 'nodejs/node24/node_modules', 'bin', 'lib']],
    ['nodejs16.x', 'nodejs', '16', ['nodejs/node_modules', 'bin', 'lib']],
    ['java21', 'java', '21', ['java/lib', 'bin', 'lib']],
    ['java8.al2', 'java', '8', ['java/lib', 'bin', 'lib']],
    ['ruby3.3', 'ruby', '3.3', ['ruby/gems/3.3.0', 'ruby/lib', 'bin', 'lib']],
    ['dotnet8', 'dotnet', '8', ['bin', 'lib']],
    ['provided.al2023', 'custom', undefined, ['bin', 'lib']],
  ])('%s is family %s, version %s, searching %j', (id, family, version, paths) => {
    // WHEN
    const rt = resolveRuntime('aws', id);
    // THEN
    expect(rt).toMatchObject({ id, platform: 'aws', family, version, known: true, supportsLayers: true });
    expect(rt.searchPaths).toEqual(paths);
  });

  test('custom runtimes use a bootstrap at the layer root', () => {
    expect(resolveRuntime('aws', 'provided.al2').rootFiles).toEqual(['bootstrap']);
    expect(resolveRuntime('aws', 'python3.12').rootFiles).toEqual([]);
  });

  test('the full enum is accepted, deprecated ids flagged', () => {
    expect(AWS_RUNTIME_IDS).toEqual(expect.arrayContaining(['nodejs', 'nodejs4.3-edge', 'python2.7', 'go1.x', 'dotnetcore1.0', 'provided', 'java25', 'python3.14']));
    for (const id of AWS_RUNTIME_IDS) expect(resolveRuntime('aws', id).id).toBe(id);
    expect(resolveRuntime('aws', 'python3.9').deprecated).toBe(true);
    expect(resolveRuntime('aws', 'go1.x').deprecated).toBe(true);
    expect(resolveRuntime('aws', 'python3.13').deprecated).toBe(false);
  });

  test('an unknown AWS id is an error naming it and listing the valid ones', () => {
    expect(() => resolveRuntime('aws', 'nodejs20')).toThrow(/^Unknown AWS Lambda runtime 'nodejs20': it is not in the Lambda Runtime enum\. Use one of: nodejs, .*nodejs20\.x.*provided\.al2023\.$/);
    expect(isValidRuntime('aws', 'python3.12')).toBe(true);
    expect(isValidRuntime('aws', 'custom.debian12')).toBe(false);
  });
});

describe('Function Compute runtimes', () => {
  test.each([
    ['python3.10', 'python', '3.10', ['python', 'bin', 'lib']],
    ['nodejs20', 'nodejs', '20', ['nodejs/node_modules', 'bin', 'lib']],
    ['java11', 'java', '11', ['java/lib', 'bin', 'lib']],
    ['php7.2', 'php', '7.2', ['php', 'bin', 'lib']],
    ['go1', 'go', '1', ['bin', 'lib']],
  ])('%s is family %s, version %s, searching %j', (id, family, version, paths) => {
    const rt = resolveRuntime('alicloud', id);
    expect(rt).toMatchObject({ id, platform: 'alicloud', family, version, known: true, supportsLayers: true });
    expect(rt.searchPaths).toEqual(paths);
    expect(rt.envHint).toBeUndefined();
  });

  test('custom runtimes add no search paths and carry an env hint', () => {
    const rt = resolveRuntime('alicloud', 'custom.debian12');
    expect(rt.family).toBe('custom');
    expect(rt.searchPaths).toEqual([]);
    expect(rt.envHint).toContain('PYTHONPATH=/opt/python');
    expect(rt.envHint).toContain('LD_LIBRARY_PATH=/opt/lib');
  });

  test('custom-container cannot attach layers', () => {
    expect(resolveRuntime('alicloud', 'custom-container').supportsLayers).toBe(false);
  });

  test('FC3 free-form ids are accepted with the family inferred and known=false', () => {
    expect(FC_RUNTIME_IDS).toContain('custom.debian10');
    expect(resolveRuntime('alicloud', 'python3.13')).toMatchObject({ family: 'python', version: '3.13', known: false });
    expect(resolveRuntime('alicloud', 'nodejs22')).toMatchObject({ family: 'nodejs', version: '22', known: false });
    expect(resolveRuntime('alicloud', 'custom.debian13')).toMatchObject({ family: 'custom', known: false, searchPaths: [] });
    expect(resolveRuntime('alicloud', 'somethingnew')).toMatchObject({ family: 'custom', known: false });
  });

  test('a malformed FC id is an error naming it and the rule', () => {
    expect(() => resolveRuntime('alicloud', 'Python 3')).toThrow(/^Invalid Function Compute runtime 'Python 3': an FC3 runtime id is lower-case letters/);
    expect(() => resolveRuntime('alicloud', '')).toThrow(/Invalid Function Compute runtime ''/);
  });
});

describe('layoutHint', () => {
  test('names every directory the runtime searches', () => {
    expect(layoutHint('aws', 'python3.12')).toBe('python3.12 on AWS Lambda finds layer content under python/, python/lib/python3.12/site-packages/, bin/ or lib/ (extracted under /opt)');
    expect(layoutHint('alicloud', 'nodejs20')).toBe('nodejs20 on Function Compute finds layer content under nodejs/node_modules/, bin/ or lib/ (extracted under /opt)');
    expect(layoutHint('aws', 'provided.al2023')).toContain('bootstrap at the root');
  });

  test('custom runtimes on FC explain the env vars; custom-container says no layers', () => {
    expect(layoutHint('alicloud', 'custom.debian12')).toMatch(/adds no layer directory to any search path.*NODE_PATH/);
    expect(layoutHint('alicloud', 'custom-container')).toBe('custom-container functions on Function Compute cannot attach layers');
  });
});
