import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { cleanupTempDirs, tempDir } from './util';
import { readAssemblyManifest, readAssemblyRecords } from '../../lib/core/assembly';
import type { FunctionRecord, LayerRecord } from '../../lib/core/assembly';
import { testWithTools } from '../helpers';
import { lintTemplates } from '../packaging/cfn-lint';
import { exampleFromTarball } from '../packaging/examples';

/**
 * The example app with the packed tarball installed (a temporary copy), synthesized by the real
 * aws-cdk CLI (`cdk synth`), offline and without credentials, exactly as `npm run demo` does.
 */
let EXAMPLE: string;
const STACK = 'OrdersPlatform';
const CDK_CLI = require.resolve('aws-cdk/bin/cdk');

function cdkSynth(outdir: string, cacheDir: string): void {
  const result = spawnSync(process.execPath, [CDK_CLI, 'synth', '--no-notices', '--quiet', '--output', outdir], {
    cwd: EXAMPLE,
    encoding: 'utf8',
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', LAYERSMITH_QUIET: '1', LAYERSMITH_CACHE_DIR: cacheDir },
  });
  if (result.status !== 0) {
    throw new Error(`cdk synth of ${EXAMPLE} failed with exit code ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
}

/** Every file of the example's sources (not build output), to touch their mtimes. */
function exampleSources(dir = EXAMPLE): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'cdk.out' || e.name === 'node_modules' ? [] : exampleSources(full);
    return [full];
  });
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** sha256 (hex) of every staged asset file, keyed by file name. */
function assetDigests(outdir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(outdir).filter((n) => n.startsWith('asset.') && n.endsWith('.zip')).sort()) {
    out[name] = crypto.createHash('sha256').update(fs.readFileSync(path.join(outdir, name))).digest('hex');
  }
  return out;
}

async function loadValidator(): Promise<any> {
  // Bundled inside aws-cdk-lib, which does not export the path; resolve it from the package root.
  const cdkLibRoot = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  return import(path.join(cdkLibRoot, 'node_modules', '@aws', 'cloudformation-validate'));
}

let first: string;
let second: string;

beforeAll(() => {
  EXAMPLE = exampleFromTarball('aws-cdk-app', tempDir('ls-example-app-'));
  // GIVEN a fresh build cache, WHEN the example is synthesized twice with every source file's
  // mtime changed in between (the second synth builds nothing: cache hits).
  const cacheDir = tempDir('ls-example-cache-');
  first = tempDir('ls-example-out1-');
  second = tempDir('ls-example-out2-');
  cdkSynth(first, cacheDir);
  const touched = new Date('2001-02-03T04:05:06Z');
  for (const file of exampleSources()) fs.utimesSync(file, touched, touched);
  cdkSynth(second, cacheDir);
}, 900_000);

afterAll(cleanupTempDirs);

describe('examples/aws-cdk-app synthesized with the real cdk synth', () => {
  test('THEN the app ran the packed layersmith installed into it, not the repository\'s sources', () => {
    const resolved = require.resolve('layersmith/aws-cdk', { paths: [EXAMPLE] });
    expect(path.relative(EXAMPLE, resolved)).toBe(path.join('node_modules', 'layersmith', 'lib', 'aws-cdk', 'index.js'));
    expect(fs.existsSync(path.join(EXAMPLE, 'node_modules', 'layersmith', 'lib', 'aws-cdk', 'index.ts'))).toBe(false);
  });

  test('THEN both synths give identical templates, asset hashes and asset bytes', () => {
    expect(readJson(path.join(second, `${STACK}.template.json`))).toEqual(readJson(path.join(first, `${STACK}.template.json`)));
    const assetsOf = (dir: string) => Object.keys(readJson(path.join(dir, `${STACK}.assets.json`)).files).sort();
    expect(assetsOf(second)).toEqual(assetsOf(first));
    expect(Object.keys(assetDigests(first))).toHaveLength(4);
    expect(assetDigests(second)).toEqual(assetDigests(first));
  });

  test('THEN each layer asset CDK will upload is our ZIP byte for byte (its SHA-256 is the manifest\'s)', () => {
    const template = readJson(path.join(first, `${STACK}.template.json`));
    const layers = (Object.values(template.Resources) as any[]).filter((r) => r.Type === 'AWS::Lambda::LayerVersion');
    expect(layers).toHaveLength(4);
    const records = readAssemblyRecords(first).filter((r): r is LayerRecord => r.kind === 'layer');
    const manifestShas = records.map((r) => readAssemblyManifest(first, r)!.zip.sha256).sort();
    const assetShas = layers.map((l) => crypto.createHash('sha256')
      .update(fs.readFileSync(path.join(first, `asset.${l.Properties.Content.S3Key}`))).digest('base64')).sort();
    expect(assetShas).toEqual(manifestShas);
  });

  test('THEN the template passes the offline CloudFormation validator with no errors', async () => {
    // GIVEN
    const validator = await loadValidator();
    const engine = new validator.CompositeEngine();
    try {
      const text = fs.readFileSync(path.join(first, `${STACK}.template.json`), 'utf8');

      // WHEN
      const report = engine.validateTemplate(new validator.TemplateContent(text, `${STACK}.template.json`));
      const broken = JSON.parse(text);
      const permission = Object.values(broken.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Lambda::LayerVersionPermission');
      permission.Properties.Principal = '12345';
      const control = engine.validateTemplate(new validator.TemplateContent(JSON.stringify(broken), 'broken.json'));

      // THEN
      const serious = (r: any) => r.diagnostics.filter((d: any) => d.severity === 'ERROR' || d.severity === 'FATAL');
      expect(serious(report).map((d: any) => `${d.ruleId}: ${d.message}`)).toEqual([]);
      // The validator does check our resources: a bad principal is reported.
      expect(serious(control).map((d: any) => d.message).join('\n')).toMatch(/12345/);
    } finally {
      engine.free();
    }
  }, 300_000);

  testWithTools('cfn-lint')('THEN the template passes cfn-lint (AWS\'s linter) with no error and no unaccepted warning', () => {
    expect(lintTemplates([path.join(first, `${STACK}.template.json`)])).toEqual({ errors: [], warnings: [] });
  });

  test('THEN the functions list their layers in the declared order and the arm64 function is arm64', () => {
    const template = readJson(path.join(first, `${STACK}.template.json`));
    const byPrefix = (prefix: string) => Object.entries(template.Resources as Record<string, any>)
      .find(([id, r]) => id.startsWith(prefix) && r.Type === 'AWS::Lambda::Function')![1];
    const refs = (fn: any) => fn.Properties.Layers.map((l: any) => l.Ref.replace(/[0-9A-F]{8}$/, ''));
    expect(refs(byPrefix('PriceOrder'))).toEqual(['PythonDeps', 'Tools', 'OpsOverrides']);
    expect(refs(byPrefix('Notifier'))).toEqual(['NodeDeps', 'Tools']);
    expect(byPrefix('Notifier').Properties.Architectures).toEqual(['arm64']);
  });

  test('THEN the shared layers are retained and granted, and the deliberate shadowed file is a warning', () => {
    const template = readJson(path.join(first, `${STACK}.template.json`));
    const permissions = (Object.values(template.Resources) as any[]).filter((r) => r.Type === 'AWS::Lambda::LayerVersionPermission');
    expect(permissions.map((p) => [p.Properties.Principal, p.Properties.OrganizationId ?? null, p.DeletionPolicy]).sort()).toEqual([
      ['*', 'o-a1b2c3d4e5', 'Retain'],
      ['111122223333', null, 'Retain'],
    ]);
    // Annotations live in the stack artifact's metadata (inline, or in the file the manifest names).
    const artifact = readJson(path.join(first, 'manifest.json')).artifacts[STACK];
    const allMetadata = artifact.metadata ?? readJson(path.join(first, artifact.additionalMetadataFile));
    const metadata = allMetadata['/OrdersPlatform/PriceOrder'] as any[];
    const warnings = metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringMatching(/LS-SHADOWED-FILE.*OrdersPlatform\/OpsOverrides.*bin\/healthcheck/)]);
  });

  test('THEN the assembly carries a record per construct and the manifest of every layer', () => {
    const records = readAssemblyRecords(first);
    expect(records.map((r) => `${r.kind}:${r.path}`)).toEqual([
      'function:OrdersPlatform/Notifier',
      'function:OrdersPlatform/PriceOrder',
      'layer:OrdersPlatform/NodeDeps',
      'layer:OrdersPlatform/OpsOverrides',
      'layer:OrdersPlatform/PythonDeps',
      'layer:OrdersPlatform/Tools',
    ]);
    const python = records.find((r) => r.path === 'OrdersPlatform/PythonDeps') as LayerRecord;
    const packages = readAssemblyManifest(first, python)!.packages.map((p) => `${p.name}==${p.version}`).sort();
    expect(packages).toEqual(['acme-money==1.4.0', 'acme-pricing==2.1.0']);
    const node = records.find((r) => r.path === 'OrdersPlatform/NodeDeps') as LayerRecord;
    expect(readAssemblyManifest(first, node)!.packages.map((p) => `${p.name}@${p.version}`)).toContain('ms@2.1.3');
    const notifier = records.find((r) => r.path === 'OrdersPlatform/Notifier') as FunctionRecord;
    expect(notifier.codeSize).toBe(fs.statSync(path.join(EXAMPLE, 'functions/notifier/index.js')).size);
  });

  test('THEN the template matches the committed snapshot', () => {
    expect(readJson(path.join(first, `${STACK}.template.json`))).toMatchSnapshot();
  });

  test('THEN the example type-checks', () => {
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', path.join(EXAMPLE, 'tsconfig.json')], { encoding: 'utf8' });
    expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
    expect(tsc.status).toBe(0);
  }, 300_000);
});
