/**
 * The bad declarations of declarations.ts as Pulumi programs, run one per process under mocks by
 * messages.test.ts (export `run`, row and platform from $LAYERSMITH_ROW and $LAYERSMITH_PLATFORM).
 */
import * as path from 'path';
import { BAD_DECLARATIONS, writeLayer } from './declarations';
import type { PlatformId } from '../../lib/core';
import { FunctionWithLayers, LayerSource, RuntimeLayer } from '../../lib/pulumi';

export function run(): void {
  try {
    declare();
  } catch (err) {
    // What a program that throws while declaring reports: the error, once (as an unhandled rejection).
    void Promise.reject(err);
  }
}

function declare(): void {
  const root = process.env.LAYERSMITH_TEST_DIR!;
  const platform = process.env.LAYERSMITH_PLATFORM as PlatformId;
  const row = BAD_DECLARATIONS[Number(process.env.LAYERSMITH_ROW)];
  const layers = row.layers.map((l) => new RuntimeLayer(l.id, {
    platform,
    source: (l.files === null ? 'not-a-source' : LayerSource.fromDirectory(writeLayer(root, platform, l))) as LayerSource,
    compatibleRuntimes: l.runtimes[platform],
    ...(platform === 'aws' && l.awsArchitectures ? { compatibleArchitectures: l.awsArchitectures } : {}),
    ...(l.layerName !== undefined ? { layerName: l.layerName } : {}),
    ...(l.description !== undefined ? { description: l.description } : {}),
    cacheDir: path.join(root, 'cache'),
  }));
  if (!row.fn) return;
  const fn = platform === 'aws'
    ? { runtime: row.fn.runtime.aws, handler: 'index.handler', role: 'arn:aws:iam::123456789012:role/fn' }
    : { runtime: row.fn.runtime.alicloud, handler: 'index.handler' };
  new FunctionWithLayers(row.fn.id, { platform, layers, function: fn } as never);
}
