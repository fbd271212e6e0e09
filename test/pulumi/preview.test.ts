import * as pulumi from '@pulumi/pulumi';
import { TempTree } from './fixtures';
import { CapturedResource, installMocks, ofType, valueOf } from './mocks';
import { LayerSource, RuntimeLayer } from '../../lib/pulumi';

let captured: CapturedResource[];
let tree: TempTree;

beforeAll(async () => {
  // pulumi preview: the mocks run in dry-run mode, where provider outputs are unknown.
  captured = await installMocks({ preview: true });
  tree = new TempTree();
});
afterAll(() => tree.cleanup());

test('preview builds the layer (or the cache answers), so the diff carries the real hash and no upload happens', async () => {
  // GIVEN a layer in a preview
  const dir = tree.dir('layer', { 'nodejs/node_modules/hello/index.js': 'module.exports = 1;\n' });
  const layer = new RuntimeLayer('previewed', {
    platform: 'aws',
    source: LayerSource.fromDirectory(dir),
    compatibleRuntimes: ['nodejs20.x'],
    cacheDir: tree.path('cache'),
  });

  // WHEN the layer version is declared
  await valueOf(layer.arn);
  await new Promise((r) => setImmediate(r));

  // THEN its inputs are known values: the ZIP path and its hash, as in `up`
  const [version] = ofType(captured, 'aws:lambda/layerVersion:LayerVersion');
  const artifact = await valueOf(layer.artifact);
  expect(version.inputs.sourceCodeHash).toBe(artifact.manifest.zip.sha256);
  expect(version.inputs.code).toBeInstanceOf(pulumi.asset.FileArchive);
  expect(await version.inputs.code.path).toBe(artifact.zipPath);
});
