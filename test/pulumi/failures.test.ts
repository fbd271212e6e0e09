import { TempTree } from './fixtures';
import { ProgramResult, runProgram } from './run-program';

// Each program runs in its own process under mocks: an error fails the program through an
// unhandled rejection, exactly as `pulumi up` sees it, and must leave the failed resources undeclared.
const PROGRAMS = require.resolve('./programs/failing.ts');

let tree: TempTree;
beforeEach(() => {
  tree = new TempTree();
});
afterEach(() => tree.cleanup());

function run(exportName: string): ProgramResult {
  const result = runProgram(PROGRAMS, exportName, { LAYERSMITH_TEST_DIR: tree.root });
  // Each error is reported once, in our own words (not wrapped by the engine's serializer).
  for (const e of result.errors) expect(e).not.toMatch(/error serializing/);
  return result;
}

const types = (r: ProgramResult) => r.resources.filter((x) => x.custom).map((x) => x.type);

test('six layers on one AWS function fail the program with the stack rule text and declare no function', () => {
  // GIVEN six RuntimeLayers on one function / WHEN the program runs
  const result = run('sixLayersOnAws');
  // THEN one error, in lib/core's format, names the function, the rule and the numbers
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0]).toMatch(/^\[error\] FunctionWithLayers 'too-many' LS-LAYER-COUNT: .*6.*5/);
  expect(types(result)).not.toContain('aws:lambda/function:Function');
  // The layers themselves are fine and declared.
  expect(types(result).filter((t) => t === 'aws:lambda/layerVersion:LayerVersion')).toHaveLength(6);
});

test('six layers on an FC function fail the same way', () => {
  const result = run('fcSixLayers');
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0]).toMatch(/FunctionWithLayers 'fc-too-many' LS-LAYER-COUNT/);
  expect(types(result)).toEqual([]);
});

test('a native binary for the wrong CPU fails the layer before it is published', () => {
  const result = run('wrongArchitectureBinary');
  expect(result.errors).toHaveLength(1);
  expect(result.errors.join('\n')).toMatch(/\[error\] RuntimeLayer 'native'.*LS-NATIVE-BINARY.*lib\/libfast\.so/);
  expect(types(result)).not.toContain('aws:lambda/layerVersion:LayerVersion');
  expect(types(result)).not.toContain('aws:lambda/function:Function');
});

test('a layer for another runtime fails the function with LS-RUNTIME-COMPAT', () => {
  const result = run('runtimeMismatch');
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0]).toMatch(/FunctionWithLayers 'node-fn'.*LS-RUNTIME-COMPAT.*nodejs20\.x/);
  expect(types(result)).toEqual(['aws:lambda/layerVersion:LayerVersion']);
});

test('an FC ZIP over the inline limit without an OSS bucket fails with the sizes and the fix', () => {
  const result = run('fcZipTooBigWithoutBucket');
  // The function using the layer fails with the layer's error, reported once.
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0]).toMatch(/^RuntimeLayer 'fc-big': the layer ZIP is \d+ bytes, over Function Compute's inline upload limit of 10 bytes.*Fix: set ossBucket/);
  expect(types(result)).toEqual([]);
});

test('an AWS ZIP over the inline limit without an S3 bucket fails with the sizes and the fix', () => {
  const result = run('awsZipTooBigWithoutBucket');
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0]).toMatch(/^RuntimeLayer 'aws-big': the layer ZIP is \d+ bytes, over Lambda's inline upload limit of 10 bytes\..*Fix: set s3Bucket/);
  expect(types(result)).toEqual([]);
});

test('a failing build fails the program with the command, its exit code and output, and declares nothing', () => {
  const result = run('failingBuild');
  const text = result.errors.join('\n');
  expect(text).toMatch(/exit(ed with)? (code )?3/);
  expect(text).toContain('broken');
  expect(types(result)).toEqual([]);
});

test('function code that is not a readable ZIP fails with a clear message', () => {
  const result = run('unreadableFunctionCode');
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0]).toMatch(/^FunctionWithLayers 'bad-code': cannot read the function code.*Fix: give a valid ZIP or directory, or set codeSize\./);
  expect(types(result)).toEqual([]);
});

test('two versions of one FC layer with different ACLs fail: FC keeps one ACL per layer', () => {
  // GIVEN two RuntimeLayers publishing layer 'shared-tools', one private and one public
  const result = run('fcVersionsWithConflictingAcls');
  // THEN the program fails once, naming both versions, their ACLs and the fix
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0]).toMatch(/FC layer 'shared-tools'.*disagree on the ACL/);
  expect(result.errors[0]).toMatch(/'tools-private': private/);
  expect(result.errors[0]).toMatch(/'tools-public': public/);
  expect(result.errors[0]).toMatch(/Fix: /);
  // AND at most the first version is declared; never both with different ACLs
  expect(types(result).filter((t) => t === 'alicloud:fc/v3LayerVersion:V3LayerVersion').length).toBeLessThanOrEqual(1);
});

test('two versions of one FC layer with the same ACL are fine', () => {
  const result = run('fcVersionsWithSameAcl');
  expect(result.errors).toEqual([]);
  expect(types(result).filter((t) => t === 'alicloud:fc/v3LayerVersion:V3LayerVersion')).toHaveLength(2);
});
