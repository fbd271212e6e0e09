import { runtimeLanguageVersion, runtimeSearchPaths } from '../../lib/core/search-paths';

describe('runtimeSearchPaths (platform facts, FACTS.md)', () => {
  test('AWS Python: /var/task, then the versioned site-packages, then /opt/python; /opt/bin last on PATH, /opt/lib after the task dirs', () => {
    expect(runtimeSearchPaths('aws', 'python3.11')).toEqual({
      codeDir: '/var/task',
      pythonPath: ['/var/task', '/opt/python/lib/python3.11/site-packages', '/opt/python'],
      nodePath: [],
      path: ['/opt/bin'],
      ldLibraryPath: ['/var/task', '/var/task/lib', '/opt/lib'],
      addsNothing: false,
    });
  });

  test('AWS Node.js: NODE_PATH has the versioned dir first, then nodejs/node_modules, then /var/task', () => {
    expect(runtimeSearchPaths('aws', 'nodejs20.x').nodePath).toEqual(['/opt/nodejs/node20/node_modules', '/opt/nodejs/node_modules', '/var/task']);
    // Node 16 has no versioned layer path on Lambda
    expect(runtimeSearchPaths('aws', 'nodejs16.x').nodePath).toEqual(['/opt/nodejs/node_modules', '/var/task']);
  });

  test('FC built-in runtimes: /code, then /opt/python or /opt/nodejs/node_modules', () => {
    expect(runtimeSearchPaths('alicloud', 'python3.10').pythonPath).toEqual(['/code', '/opt/python']);
    expect(runtimeSearchPaths('alicloud', 'nodejs20').nodePath).toEqual(['/opt/nodejs/node_modules', '/code']);
    expect(runtimeSearchPaths('alicloud', 'nodejs20').path).toEqual(['/code', '/code/bin', '/opt/bin']);
  });

  test('FC custom runtimes add nothing anywhere', () => {
    expect(runtimeSearchPaths('alicloud', 'custom.debian10')).toEqual({
      codeDir: '/code', pythonPath: [], nodePath: [], path: [], ldLibraryPath: [], addsNothing: true,
    });
  });

  test('the language version each runtime needs locally', () => {
    expect(runtimeLanguageVersion('aws', 'python3.11')).toBe('3.11');
    expect(runtimeLanguageVersion('aws', 'nodejs20.x')).toBe('20');
    expect(runtimeLanguageVersion('alicloud', 'nodejs20')).toBe('20');
    // FC's python3 runtime is Python 3.6
    expect(runtimeLanguageVersion('alicloud', 'python3')).toBe('3.6');
    expect(runtimeLanguageVersion('alicloud', 'custom.debian10')).toBeUndefined();
  });

  test('an unknown runtime throws as resolveRuntime does', () => {
    expect(() => runtimeSearchPaths('aws', 'python9.9')).toThrow(/Unknown AWS Lambda runtime 'python9.9'/);
  });
});
