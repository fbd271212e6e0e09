import type * as pulumi from '@pulumi/pulumi';
import { TempTree } from './fixtures';
import { CapturedResource, installMocks, ofType } from './mocks';
import { LayersmithValidationError } from '../../lib/core';
import { endDeclarations, LayerGrant, LayerPermission, LayerSource, RuntimeLayer } from '../../lib/pulumi';

// An Automation API inline program runs inside a process that keeps going, so `beforeExit` never
// comes; neither does it in jest. These tests therefore never emit it (unlike mocks.ts's valueOf):
// only endDeclarations() ends the declarations here.

let captured: CapturedResource[];
let tree: TempTree;
let layerDir: string;

// One program (one set of mocks) for the file: the first test runs before its declarations end,
// the others call endDeclarations() themselves (a second call is harmless).
beforeAll(async () => {
  captured = await installMocks();
  tree = new TempTree();
  layerDir = tree.dir('layer', { 'nodejs/node_modules/greet/index.js': 'module.exports = () => "hi";\n' });
});
afterAll(() => tree.cleanup());
beforeEach(() => captured.splice(0));

function layer(name: string, platform: 'aws' | 'alicloud'): RuntimeLayer {
  return new RuntimeLayer(name, {
    platform,
    source: LayerSource.fromDirectory(layerDir),
    compatibleRuntimes: [platform === 'aws' ? 'nodejs20.x' : 'nodejs20'],
    cacheDir: tree.path('cache'),
  });
}

/** An Output's value, without signalling the end of declarations. */
function resolved<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}

const FC_VERSION = 'alicloud:fc/v3LayerVersion:V3LayerVersion';

describe('endDeclarations() ends an inline program\'s declarations, as beforeExit does for a program the CLI runs', () => {
  test('GIVEN an FC layer and a public LayerPermission WHEN the layer is built THEN no version is declared until endDeclarations(), '
    + 'which declares it with the grant\'s ACL', async () => {
    // GIVEN
    const shared = layer('inline-fc', 'alicloud');
    new LayerPermission('inline-fc-public', { layer: shared, grant: LayerGrant.public() });

    // WHEN the build is done
    await resolved(shared.artifact);
    // THEN the version still waits for the end of declarations
    expect(ofType(captured, FC_VERSION)).toEqual([]);

    // WHEN the program ends its declarations
    endDeclarations();
    // THEN the version is declared, public, and retained
    await resolved(shared.arn);
    expect(await resolved(shared.acl)).toBe('public');
    const [version] = ofType(captured, FC_VERSION);
    expect(version.name).toBe('inline-fc');
    expect(version.inputs.acl).toBe('1');
    expect(version.retainOnDelete).toBe(true);
  });

  test('GIVEN declarations ended and the layer\'s outputs awaited WHEN a LayerPermission is declared THEN it is refused with LATE_GRANT', async () => {
    // GIVEN
    const fcLayer = layer('inline-late', 'alicloud');
    endDeclarations();
    await resolved(fcLayer.arn);
    expect(await resolved(fcLayer.acl)).toBe('private');

    // WHEN
    let refused: unknown;
    try {
      new LayerPermission('inline-late-public', { layer: fcLayer, grant: LayerGrant.public() });
    } catch (err) {
      refused = err;
    }

    // THEN
    expect(refused).toBeInstanceOf(LayersmithValidationError);
    expect((refused as LayersmithValidationError).code).toBe('LATE_GRANT');
    expect((refused as Error).message).toMatch(/^LayerPermission 'inline-late-public': RuntimeLayer 'inline-late' already declared its FC layer version/);
    expect(ofType(captured, FC_VERSION).map((v) => v.inputs.acl)).toEqual(['0']);
  });

  test('GIVEN declarations ended WHEN a layer and its LayerPermission are declared after that THEN the version is declared without waiting, '
    + 'with the grant', async () => {
    // GIVEN
    endDeclarations();

    // WHEN
    const later = layer('inline-after', 'aws');
    new LayerPermission('inline-after-share', { layer: later, grant: LayerGrant.account('210987654321') });

    // THEN: declared without another end, retained because it is shared
    await resolved(later.arn);
    expect(await resolved(later.retained)).toBe(true);
    const [version] = ofType(captured, 'aws:lambda/layerVersion:LayerVersion');
    expect(version.name).toBe('inline-after');
    expect(version.retainOnDelete).toBe(true);
  });
});
