import * as core from '../../lib/core';
import * as build from '../../lib/engine';
import * as front from '../../lib/pulumi';

test('layersmith/pulumi offers the three components, endDeclarations and the same LayerSource and LayerGrant as every front-end', () => {
  // GIVEN / WHEN the public entry point is loaded / THEN
  expect(Object.keys(front).sort()).toEqual(['FunctionWithLayers', 'LayerGrant', 'LayerPermission', 'LayerSource', 'RuntimeLayer', 'endDeclarations']);
  expect(front.LayerSource).toBe(build.LayerSource);
  expect(front.LayerGrant).toBe(core.LayerGrant);
});
