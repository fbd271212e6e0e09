import { loadSdk, typeToken } from '../../lib/pulumi/providers';

test('a missing provider SDK is named with the command that installs it', () => {
  // GIVEN a package that is not installed / WHEN it is loaded / THEN
  expect(() => loadSdk('@pulumi/not-installed-provider', 'alicloud'))
    .toThrow("layersmith/pulumi: platform 'alicloud' needs the @pulumi/not-installed-provider package, which is not installed. Fix: npm install @pulumi/not-installed-provider");
});

test('an installed provider SDK loads', () => {
  expect((loadSdk('@pulumi/aws', 'aws') as { lambda: unknown }).lambda).toBeDefined();
});

test('type tokens follow the layersmith:<platform>:<Component> convention', () => {
  expect(typeToken('aws', 'RuntimeLayer')).toBe('layersmith:aws:RuntimeLayer');
  expect(typeToken('alicloud', 'FunctionWithLayers')).toBe('layersmith:alicloud:FunctionWithLayers');
});
