/**
 * Pulumi programs that must fail, each run in its own process by run-program.ts. Source files go
 * under $LAYERSMITH_TEST_DIR, which the test creates and removes.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { FunctionWithLayers, LayerGrant, LayerSource, RuntimeLayer } from '../../../lib/pulumi';
import { elfHeader } from '../fixtures';

const root = (): string => {
  const testDir = process.env.LAYERSMITH_TEST_DIR;
  if (!testDir) throw new Error('LAYERSMITH_TEST_DIR is not set');
  return testDir;
};

function dir(name: string, files: Record<string, string | Buffer>): string {
  const base = path.join(root(), name);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(base, rel)), { recursive: true });
    fs.writeFileSync(path.join(base, rel), content);
  }
  return base;
}

const cacheDir = () => path.join(root(), 'cache');
const role = 'arn:aws:iam::123456789012:role/fn';

export function sixLayersOnAws(): void {
  const layers = [1, 2, 3, 4, 5, 6].map((i) => new RuntimeLayer(`l${i}`, {
    platform: 'aws',
    source: LayerSource.fromDirectory(dir(`l${i}`, { [`python/m${i}.py`]: `X = ${i}\n` })),
    compatibleRuntimes: ['python3.12'],
    cacheDir: cacheDir(),
  }));
  new FunctionWithLayers('too-many', { platform: 'aws', layers, function: { runtime: 'python3.12', handler: 'h.h', role } });
}

export function wrongArchitectureBinary(): void {
  // An x86-64 shared library in a layer declared for arm64 only.
  const native = new RuntimeLayer('native', {
    platform: 'aws',
    source: LayerSource.fromDirectory(dir('native', { 'lib/libfast.so': elfHeader(62) })),
    compatibleRuntimes: ['provided.al2023'],
    compatibleArchitectures: ['arm64'],
    cacheDir: cacheDir(),
  });
  new FunctionWithLayers('uses-native', {
    platform: 'aws', layers: [native], function: { runtime: 'provided.al2023', handler: 'bootstrap', role, architectures: ['arm64'] },
  });
}

export function runtimeMismatch(): void {
  const py = new RuntimeLayer('py-only', {
    platform: 'aws', source: LayerSource.fromDirectory(dir('py', { 'python/x.py': '' })), compatibleRuntimes: ['python3.12'], cacheDir: cacheDir(),
  });
  new FunctionWithLayers('node-fn', { platform: 'aws', layers: [py], function: { runtime: 'nodejs20.x', handler: 'index.handler', role } });
}

export function fcZipTooBigWithoutBucket(): void {
  const big = new RuntimeLayer('fc-big', {
    platform: 'alicloud',
    source: LayerSource.fromDirectory(dir('fc-big', { 'python/x.py': 'X = 1\n' })),
    compatibleRuntimes: ['python3.12'],
    limits: { maxInlineZipBytes: 10 },
    cacheDir: cacheDir(),
  });
  new FunctionWithLayers('fc-fn', { platform: 'alicloud', layers: [big], function: { runtime: 'python3.12', handler: 'index.handler' } });
}

export function awsZipTooBigWithoutBucket(): void {
  new RuntimeLayer('aws-big', {
    platform: 'aws',
    source: LayerSource.fromDirectory(dir('aws-big', { 'python/x.py': 'X = 1\n' })),
    compatibleRuntimes: ['python3.12'],
    limits: { maxInlineZipBytes: 10 },
    cacheDir: cacheDir(),
  });
}

export function failingBuild(): void {
  const inputs = dir('cmd', { 'build.sh': 'echo building; echo broken >&2; exit 3\n' });
  const broken = new RuntimeLayer('broken', {
    platform: 'aws',
    source: LayerSource.command({ command: ['sh', path.join(inputs, 'build.sh')], cwd: inputs, inputs: [inputs] }),
    compatibleRuntimes: ['python3.12'],
    cacheDir: cacheDir(),
  });
  new FunctionWithLayers('needs-broken', { platform: 'aws', layers: [broken], function: { runtime: 'python3.12', handler: 'h.h', role } });
}

export function unreadableFunctionCode(): void {
  const code = path.join(dir('code', { 'code.zip': 'this is not a zip' }), 'code.zip');
  new FunctionWithLayers('bad-code', {
    platform: 'aws', layers: [], function: { runtime: 'python3.12', handler: 'h.h', role, code: new pulumi.asset.FileArchive(code) },
  });
}

export function fcSixLayers(): void {
  const layers = [1, 2, 3, 4, 5, 6].map((i) => `acs:fc:cn-hangzhou:official:layers/L${i}/versions/1`);
  new FunctionWithLayers('fc-too-many', { platform: 'alicloud', layers, function: { runtime: 'python3.10', handler: 'index.handler' } });
}

export function fcVersionsWithConflictingAcls(): void {
  // Two versions of one FC layer (same layerName): one private, one public.
  const content = () => ({ 'python/tools.py': 'X = 1\n' });
  new RuntimeLayer('tools-private', {
    platform: 'alicloud',
    layerName: 'shared-tools',
    source: LayerSource.fromDirectory(dir('tools-a', content())),
    compatibleRuntimes: ['python3.12'],
    cacheDir: cacheDir(),
  });
  new RuntimeLayer('tools-public', {
    platform: 'alicloud',
    layerName: 'shared-tools',
    source: LayerSource.fromDirectory(dir('tools-b', content())),
    compatibleRuntimes: ['python3.12'],
    grants: [LayerGrant.public()],
    cacheDir: cacheDir(),
  });
}

export function fcVersionsWithSameAcl(): void {
  for (const v of ['a', 'b']) {
    new RuntimeLayer(`tools-${v}`, {
      platform: 'alicloud',
      layerName: 'shared-tools',
      source: LayerSource.fromDirectory(dir(`same-${v}`, { 'python/tools.py': `V = '${v}'\n` })),
      compatibleRuntimes: ['python3.12'],
      grants: [LayerGrant.public()],
      cacheDir: cacheDir(),
    });
  }
}
