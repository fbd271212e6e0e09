import * as fs from 'fs';
import * as path from 'path';
import { cleanupTempDirs, expectOneLineError, manifestOf, runCli, tempDir } from './helpers';
import { FunctionRecord, LayerRecord, writeAssemblyManifest, writeAssemblyRecord } from '../../lib/core/assembly';
import type { LayerManifest } from '../../lib/core/model';

afterAll(cleanupTempDirs);

const AWS_LIMIT = 262_144_000;

interface LayerSpec {
  readonly path: string;
  readonly manifest?: LayerManifest;
  readonly key: string;
  readonly extra?: Partial<LayerRecord>;
}

/** Write a layer record (and its manifest) the way a front-end does. */
function addLayer(dir: string, platform: 'aws' | 'alicloud', spec: LayerSpec): LayerRecord {
  const manifestFile = spec.manifest ? writeAssemblyManifest(dir, spec.key, spec.manifest) : undefined;
  const record: LayerRecord = {
    kind: 'layer',
    schemaVersion: 1,
    platform,
    framework: platform === 'aws' ? 'aws-cdk' : 'ros-cdk',
    stack: spec.path.split('/')[0],
    path: spec.path,
    compatibleRuntimes: platform === 'aws' ? ['python3.12'] : ['python3.10'],
    compatibleArchitectures: ['x86_64'],
    inputKey: spec.key,
    manifestFile,
    retention: 'destroy',
    grants: [],
    ...spec.extra,
  };
  writeAssemblyRecord(dir, record);
  return record;
}

function addFunction(dir: string, platform: 'aws' | 'alicloud', fnPath: string, layers: LayerRecord[], extra: Partial<FunctionRecord> = {}): FunctionRecord {
  const record: FunctionRecord = {
    kind: 'function',
    schemaVersion: 1,
    platform,
    framework: platform === 'aws' ? 'aws-cdk' : 'ros-cdk',
    stack: fnPath.split('/')[0],
    path: fnPath,
    runtime: platform === 'aws' ? 'python3.12' : 'python3.10',
    architecture: 'x86_64',
    codeSize: 1_000,
    layers: layers.map((l) => ({ layerId: l.path, displayName: l.path, layerPath: l.path, inputKey: l.inputKey })),
    findings: [],
    ...extra,
  };
  writeAssemblyRecord(dir, record);
  return record;
}

/** Two python layers that both ship python/common/util.py, one shared, one public. */
function awsApp(dir: string): void {
  const base = addLayer(dir, 'aws', {
    path: 'App/Base',
    key: 'aaaa1111',
    manifest: manifestOf({ 'python/common/util.py': 2_000, 'python/base/__init__.py': 3_000 }, {
      packages: [{ ecosystem: 'python', name: 'requests', version: '2.32.3', path: 'python/requests-2.32.3.dist-info' }],
    }),
    extra: {
      layerName: 'base-deps',
      retention: 'retain',
      grants: [
        { kind: 'organization', principal: '*', organizationId: 'o-abcdefghij', statementId: 'org-o-abcdefghij' },
        { kind: 'account', principal: '123456789012', statementId: 'account-123456789012' },
      ],
    },
  });
  const tools = addLayer(dir, 'aws', {
    path: 'App/Tools',
    key: 'bbbb2222',
    manifest: manifestOf({ 'python/common/util.py': 5_000, 'bin/tool': 10_000 }, {
      natives: [{ path: 'bin/tool', format: 'elf', os: 'linux', cpu: 'x86_64' }],
    }),
    extra: { retention: 'retain', grants: [{ kind: 'public', principal: '*', statementId: 'public' }] },
  });
  addFunction(dir, 'aws', 'App/Handler', [base, tools]);
}

describe('layersmith report on an AWS CDK assembly', () => {
  test('reviews layers, grants, the stack in order with the budget, and which layer wins a shadowed path', () => {
    // GIVEN an assembly with two layers (one public) and a function using both
    const dir = tempDir('aws');
    awsApp(dir);

    // WHEN the report is rendered as Markdown
    const r = runCli(['report', dir]);

    // THEN it succeeds and every part of the review is there
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const md = r.stdout;
    // public layers are called out loudly, near the top, before the layer sections
    expect(md).toContain('## ⚠️ PUBLIC LAYERS');
    expect(md).toContain('> **1 layer is PUBLIC');
    expect(md).toMatch(/> - \*\*`App\/Tools`\*\* \(aws, stack `App`\): permission with principal \* and no organization/);
    expect(md.indexOf('PUBLIC LAYERS')).toBeLessThan(md.indexOf('## Layers'));
    // layer facts
    expect(md).toContain('### `App/Base`');
    expect(md).toContain('| layer name | `base-deps` |');
    expect(md).toContain('| unzipped | 5,000 B (4.9 KiB) |');
    expect(md).toContain('| old versions | retained on update and removal |');
    expect(md).toContain('| python | `requests` | 2.32.3 |');
    expect(md).toContain('| `bin/tool` | linux | x86_64 |');
    // grants, sorted by layer then kind
    const grants = md.slice(md.indexOf('## Grants'), md.indexOf('## Functions'));
    expect(grants.indexOf('| `App/Base` | account | `123456789012`')).toBeGreaterThan(0);
    expect(grants.indexOf('| `App/Base` | organization | `*` | `o-abcdefghij`')).toBeGreaterThan(grants.indexOf('| `App/Base` | account'));
    expect(grants).toContain('| `App/Tools` | **PUBLIC (anyone)** | `*` |');
    // the function: order, budget (code 1,000 + 5,000 + 15,000), shadowed path, winner (AWS: last)
    const fn = md.slice(md.indexOf('### `App/Handler`'));
    expect(fn).toContain('the LAST layer wins');
    expect(fn.indexOf('| 1 | `App/Base` | 5,000 B (4.9 KiB) |')).toBeLessThan(fn.indexOf('| 2 | `App/Tools` | 15,000 B (14.6 KiB) |'));
    expect(fn).toContain(`Unzipped budget: 21,000 B (20.5 KiB) of ${'262,144,000'} B (250.0 MiB) (0.0%)`);
    expect(fn).toContain('| `python/common/util.py` | `App/Base`, `App/Tools` | `App/Tools` |');
  });

  test('--format json carries the same review as data, sorted, with the winner per shadowed path', () => {
    // GIVEN the same app
    const dir = tempDir('aws-json');
    awsApp(dir);

    // WHEN the report is rendered as JSON
    const r = runCli(['report', dir, '--format', 'json']);

    // THEN the data says the same as the Markdown
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.summary).toEqual({
      errors: expect.any(Number),
      frameworks: ['aws-cdk'],
      functions: 1,
      grants: 3,
      layers: 2,
      orderMismatches: 0,
      publicLayers: 1,
      stacks: ['App'],
      warnings: expect.any(Number),
    });
    expect(report.layers.map((l: { path: string; access: string }) => [l.path, l.access])).toEqual([['App/Base', 'shared'], ['App/Tools', 'public']]);
    const fn = report.functions[0];
    expect(fn.layers.map((l: { position: number; layerPath: string }) => [l.position, l.layerPath])).toEqual([[1, 'App/Base'], [2, 'App/Tools']]);
    expect(fn.budget).toEqual({ usedBytes: 21_000, limitBytes: AWS_LIMIT, unknownLayers: 0 });
    expect(fn.shadowed).toEqual([{ path: 'python/common/util.py', layers: ['App/Base', 'App/Tools'], winner: 'App/Tools' }]);
    expect(fn.findings.some((f: { ruleId: string }) => f.ruleId === 'LS-SHADOWED-FILE')).toBe(true);
    expect(fn.templateOrder).toEqual({ status: 'not-found' });
    // keys are sorted at every level
    expect(Object.keys(report)).toEqual([...Object.keys(report)].sort());
  });

  test('the same assembly gives byte-identical reports, whatever order the records were written in', () => {
    // GIVEN two assemblies with the same content, records written in opposite orders
    const a = tempDir('order-a');
    awsApp(a);
    const b = tempDir('order-b');
    const files = fs.readdirSync(path.join(a, 'layersmith')).filter((f) => f.endsWith('.json')).sort().reverse();
    fs.mkdirSync(path.join(b, 'layersmith', 'manifests'), { recursive: true });
    for (const f of fs.readdirSync(path.join(a, 'layersmith', 'manifests')).reverse()) {
      fs.copyFileSync(path.join(a, 'layersmith', 'manifests', f), path.join(b, 'layersmith', 'manifests', f));
    }
    for (const f of files) fs.copyFileSync(path.join(a, 'layersmith', f), path.join(b, 'layersmith', f));

    // WHEN both are reported twice, in both formats
    const runs = [a, b, a, b].map((d) => runCli(['report', d]));
    const json = [a, b].map((d) => runCli(['report', d, '--format', 'json']));

    // THEN all copies are identical, and nothing in them is a timestamp
    for (const r of [...runs, ...json]) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    for (const r of runs) expect(r.stdout).toBe(runs[0].stdout);
    expect(json[1].stdout).toBe(json[0].stdout);
    expect(runs[0].stdout).toContain('### `App/Handler`');
    expect(runs[0].stdout).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
  });

  test('--out writes the report to a file and nothing to stdout', () => {
    // GIVEN an app and an output path
    const dir = tempDir('out');
    awsApp(dir);
    const out = path.join(tempDir('out-file'), 'review.md');

    // WHEN --out is given
    const r = runCli(['report', dir, '--out', out]);

    // THEN the file holds exactly what stdout would have, and no temp file is left behind
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`layersmith: report written to ${out}\n`);
    expect(fs.readFileSync(out, 'utf8')).toBe(runCli(['report', dir]).stdout);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['review.md']);

    // AND with --quiet nothing at all goes to stderr
    const quiet = runCli(['report', dir, '--out', out, '--quiet']);
    expect({ code: quiet.code, stdout: quiet.stdout, stderr: quiet.stderr }).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  test('--fail-on public exits 1 for an app with a public layer, --fail-on never exits 0', () => {
    // GIVEN an app with a public layer
    const dir = tempDir('fail-on');
    awsApp(dir);

    // WHEN the report gates on public layers, and then on nothing
    const gated = runCli(['report', dir, '--fail-on', 'public', '--format', 'json']);
    const open = runCli(['report', dir, '--fail-on', 'never', '--format', 'json']);

    // THEN only the gated run fails, and both still print the report
    expect(gated.code).toBe(1);
    expect(JSON.parse(gated.stdout).summary.publicLayers).toBe(1);
    expect(open.code).toBe(0);
  });

  test('a layer whose bundling was skipped shows unknown sizes, and its function budget counts it as unknown', () => {
    // GIVEN a layer record without a manifest (bundling skipped for that stack)
    const dir = tempDir('skipped');
    const layer = addLayer(dir, 'aws', { path: 'App/Lazy', key: 'cccc3333' });
    addFunction(dir, 'aws', 'App/Fn', [layer]);

    // WHEN reported
    const r = runCli(['report', dir, '--format', 'json']);

    // THEN the layer is marked not built and the function's budget has one unknown layer
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.layers[0].built).toBe(false);
    expect(report.layers[0].unzippedSize).toBeUndefined();
    expect(report.functions[0].budget.unknownLayers).toBe(1);
    expect(runCli(['report', dir]).stdout).toContain('not built in this synth');
  });
});

describe('layersmith report on a Function Compute (ROS CDK) assembly', () => {
  test('the FIRST layer wins a shadowed path, and a public ACL is called out', () => {
    // GIVEN two FC layers holding the same path, the second one public
    const dir = tempDir('fc');
    const first = addLayer(dir, 'alicloud', { path: 'Fc/First', key: 'dddd4444', manifest: manifestOf({ 'python/shared.py': 100 }) });
    const second = addLayer(dir, 'alicloud', {
      path: 'Fc/Second',
      key: 'eeee5555',
      manifest: manifestOf({ 'python/shared.py': 300 }),
      extra: { acl: 'public', grants: [{ kind: 'public', principal: '*' }] },
    });
    addFunction(dir, 'alicloud', 'Fc/Handler', [first, second]);

    // WHEN reported as JSON and Markdown
    const json = JSON.parse(runCli(['report', dir, '--format', 'json']).stdout);
    const md = runCli(['report', dir]).stdout;

    // THEN FC precedence picks the first layer, and the ACL is the one grant
    expect(json.functions[0].precedence).toBe('first-wins');
    expect(json.functions[0].shadowed).toEqual([{ path: 'python/shared.py', layers: ['Fc/First', 'Fc/Second'], winner: 'Fc/First' }]);
    expect(json.grants).toEqual([expect.objectContaining({ layer: 'Fc/Second', kind: 'public', platform: 'alicloud' })]);
    expect(md).toContain('the FIRST layer wins');
    expect(md).toContain('FC layer ACL is public');
  });
});

describe('layersmith report reads the templates of the assembly', () => {
  /** A cdk.out-like dir: manifest.json naming one stack and its template. */
  function withTemplate(dir: string, resources: Record<string, unknown>): void {
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
      version: '48.0.0',
      artifacts: {
        App: { type: 'aws:cloudformation:stack', environment: 'aws://unknown-account/unknown-region', properties: { templateFile: 'App.template.json' } },
        Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } },
      },
    }));
    fs.writeFileSync(path.join(dir, 'App.template.json'), JSON.stringify({ Resources: resources }));
  }

  const layerResource = (p: string) => ({ Type: 'AWS::Lambda::LayerVersion', Properties: {}, Metadata: { 'aws:cdk:path': `${p}/Resource` } });
  const fnResource = (layers: unknown[]) => ({ Type: 'AWS::Lambda::Function', Properties: { Layers: layers }, Metadata: { 'aws:cdk:path': 'App/Handler/Resource' } });

  test('Layers in the template in the declared order are confirmed', () => {
    // GIVEN an app whose template lists the layers in the declared order
    const dir = tempDir('tpl-ok');
    awsApp(dir);
    withTemplate(dir, { BaseL: layerResource('App/Base'), ToolsL: layerResource('App/Tools'), Fn: fnResource([{ Ref: 'BaseL' }, { Ref: 'ToolsL' }]) });

    // WHEN reported
    const json = JSON.parse(runCli(['report', dir, '--format', 'json']).stdout);

    // THEN the order check passes, naming the template
    expect(json.functions[0].templateOrder).toEqual({ status: 'match', template: 'App.template.json', templateLayers: ['App/Base/Resource', 'App/Tools/Resource'] });
    expect(runCli(['report', dir]).stdout).toContain('Template `App.template.json`: Layers are in exactly this order.');
  });

  test('Layers reordered in the template are reported loudly and fail --fail-on error', () => {
    // GIVEN a template whose Layers differ from the declared order
    const dir = tempDir('tpl-bad');
    awsApp(dir);
    withTemplate(dir, { BaseL: layerResource('App/Base'), ToolsL: layerResource('App/Tools'), Fn: fnResource([{ Ref: 'ToolsL' }, { Ref: 'BaseL' }]) });

    // WHEN reported with --fail-on error
    const r = runCli(['report', dir, '--fail-on', 'error']);

    // THEN the mismatch is shown with the template's order, counted, and the command fails
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('**Template `App.template.json`: Layers DIFFER from the declared order:** `App/Tools/Resource`, `App/Base/Resource`');
    expect(r.stdout).toMatch(/\| order mismatches \|[\s\S]*\| 1 \|\n/);
  });

  test('a public permission present only in a template (not declared through layersmith) is called out', () => {
    // GIVEN a private layer plus a hand-written permission with Principal * in the template
    const dir = tempDir('tpl-public');
    const layer = addLayer(dir, 'aws', { path: 'App/Private', key: 'ffff6666', manifest: manifestOf({ 'python/x.py': 1 }) });
    addFunction(dir, 'aws', 'App/Handler', [layer]);
    withTemplate(dir, {
      PrivL: layerResource('App/Private'),
      Perm: { Type: 'AWS::Lambda::LayerVersionPermission', Properties: { Action: 'lambda:GetLayerVersion', Principal: '*', LayerVersionArn: { Ref: 'PrivL' } } },
      OrgPerm: { Type: 'AWS::Lambda::LayerVersionPermission', Properties: { Action: 'lambda:GetLayerVersion', Principal: '*', OrganizationId: 'o-abcdefghij', LayerVersionArn: { Ref: 'PrivL' } } },
    });

    // WHEN reported
    const json = JSON.parse(runCli(['report', dir, '--format', 'json']).stdout);

    // THEN both permissions are grants found only in the template
    type G = { layer: string; kind: string; source: string; versions: string };
    expect(json.grants.map((g: G) => [g.layer, g.kind, g.source, g.versions])).toEqual([
      ['App/Private', 'organization', 'template', 'only in App.template.json (OrgPerm), not declared through layersmith'],
      ['App/Private', 'public', 'template', 'only in App.template.json (Perm), not declared through layersmith'],
    ]);
    // AND the Principal * permission is a public entry from the template; the org one is not
    expect(json.publicAccess).toEqual([{
      layer: 'App/Private/Resource',
      platform: 'aws',
      stack: 'App',
      source: 'template',
      how: 'permission Perm in App.template.json grants principal * with no organization (not declared through a layersmith LayerPermission)',
    }]);
  });

  test('a ROS template with a public FC layer ACL that no record declares is called out', () => {
    // GIVEN a ROS CDK output dir whose template holds a public ALIYUN::FC3::LayerVersion
    const dir = tempDir('ros-tpl');
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
      version: '1.0.0',
      artifacts: { Fc: { type: 'aliyun:ros:stack', properties: { templateFile: 'Fc.template.json' } } },
    }));
    fs.writeFileSync(path.join(dir, 'Fc.template.json'), JSON.stringify({
      ROSTemplateFormatVersion: '2015-09-01',
      Resources: {
        Shared: { Type: 'ALIYUN::FC3::LayerVersion', Properties: { LayerName: 'shared', Acl: '1' }, Metadata: { 'aliyun:ros:path': 'Fc/Shared/Resource' } },
        Private: { Type: 'ALIYUN::FC3::LayerVersion', Properties: { LayerName: 'private', Acl: '0' }, Metadata: { 'aliyun:ros:path': 'Fc/Private/Resource' } },
      },
    }));

    // WHEN reported with the public gate
    const r = runCli(['report', dir, '--fail-on', 'public', '--format', 'json']);

    // THEN only the public one is listed, as found in the template, and the gate fails
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).publicAccess).toEqual([{
      layer: 'Fc/Shared/Resource',
      platform: 'alicloud',
      stack: 'Fc',
      source: 'template',
      how: 'layer version Shared in Fc.template.json has a public ACL (not declared through a layersmith LayerPermission)',
    }]);
  });

  test('an assembly with no layersmith constructs says so and succeeds', () => {
    // GIVEN a cloud assembly with a stack but no layersmith records
    const dir = tempDir('plain-cdk');
    withTemplate(dir, { Bucket: { Type: 'AWS::S3::Bucket', Properties: {} } });

    // WHEN reported
    const r = runCli(['report', dir]);

    // THEN the review is empty but valid, and names the stack it read
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('stacks: `App`');
    expect(r.stdout).toContain('No layersmith layers or functions were found in this assembly.');
  });

  test('records in a nested stage assembly are found', () => {
    // GIVEN a top assembly whose manifest points at a nested stage assembly holding the records
    const dir = tempDir('nested');
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
      version: '48.0.0',
      artifacts: { assemblyProd: { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Prod', displayName: 'Prod' } } },
    }));
    awsApp(path.join(dir, 'assembly-Prod'));

    // WHEN the top dir is reported
    const json = JSON.parse(runCli(['report', dir, '--format', 'json']).stdout);

    // THEN the nested layers and function are in the review, with their manifests
    expect(json.layers.map((l: { path: string }) => l.path)).toEqual(['App/Base', 'App/Tools']);
    expect(json.functions[0].budget.usedBytes).toBe(21_000);
  });
});

describe('layersmith report: bad input gets one line and exit 2', () => {
  test('a missing directory', () => {
    const missing = path.join(tempDir('missing'), 'nope');
    expectOneLineError(runCli(['report', missing]), `${missing}: no such directory`, 'cdk.out');
  });

  test('a file instead of a directory', () => {
    const file = path.join(tempDir('file'), 'cdk.out');
    fs.writeFileSync(file, 'x');
    expectOneLineError(runCli(['report', file]), `${file}: is a file, not a directory`);
  });

  test('a directory that is not a cloud assembly', () => {
    const dir = tempDir('plain');
    fs.writeFileSync(path.join(dir, 'README.md'), '# hi');
    expectOneLineError(runCli(['report', dir]), `${dir}: not a cloud assembly (no manifest.json and no layersmith/ records)`, 'cdk synth');
  });

  test('a manifest.json that is not JSON', () => {
    const dir = tempDir('badmanifest');
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{ truncated');
    expectOneLineError(runCli(['report', dir]), 'manifest.json: not valid JSON', 'synthesize the app again');
  });

  test('a corrupt layersmith record', () => {
    const dir = tempDir('badrecord');
    awsApp(dir);
    const rec = fs.readdirSync(path.join(dir, 'layersmith')).find((f) => f.startsWith('layer__'))!;
    fs.writeFileSync(path.join(dir, 'layersmith', rec), '{"kind": "layer", ');
    expectOneLineError(runCli(['report', dir]), 'layersmith/: cannot read the layersmith records', 'synthesize the app again');
  });

  test('a record from a newer schema', () => {
    const dir = tempDir('schema');
    addLayer(dir, 'aws', { path: 'App/Future', key: 'abab', extra: { schemaVersion: 2 as unknown as 1 } });
    expectOneLineError(runCli(['report', dir]), 'record App/Future has schemaVersion 2', 'this layersmith reads schemaVersion 1');
  });

  test('an unknown flag', () => {
    expectOneLineError(runCli(['report', tempDir('flag'), '--colour']), "unknown option '--colour'", '--format md|json');
  });

  test('a format that does not exist', () => {
    expectOneLineError(runCli(['report', tempDir('fmt'), '--format', 'html']), "option '--format' got 'html'; allowed: md, json");
  });

  test('no directory at all, and two directories', () => {
    expectOneLineError(runCli(['report']), 'layersmith report: missing <cloud assembly dir>');
    expectOneLineError(runCli(['report', 'a', 'b']), 'expected one <cloud assembly dir>, got 2: a b');
  });

  test('an --out directory that does not exist leaves nothing behind', () => {
    const dir = tempDir('outbad');
    awsApp(dir);
    const out = path.join(dir, 'no', 'such', 'dir', 'r.md');
    expectOneLineError(runCli(['report', dir, '--out', out]), `--out ${out}: directory`, 'does not exist');
    expect(fs.existsSync(path.join(dir, 'no'))).toBe(false);
  });
});

describe('layersmith command line', () => {
  test('an unknown command is one line and exit 2; --help prints usage and exit 0', () => {
    expectOneLineError(runCli(['publish']), "unknown command 'publish'");
    const help = runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('layersmith inspect <layer.zip>');
    expect(help.stdout).toContain('layersmith report <cloud assembly dir>');
  });
});
