// Runs pulumi-program.js under Pulumi's own unit-test mocks (no CLI, no cloud) with this app's
// @pulumi/pulumi, and prints every resource it declared as one JSON line when the program is done.
const pulumi = require('@pulumi/pulumi');

const resources = [];
const errors = [];
process.on('unhandledRejection', (e) => errors.push(String((e && e.message) || e)));
const outputs = (type, name, inputs) => {
  if (type === 'aws:lambda/layerVersion:LayerVersion') {
    const layerArn = `arn:aws:lambda:us-east-1:123456789012:layer:${inputs.layerName}`;
    return { layerArn, arn: `${layerArn}:1`, version: '1' };
  }
  if (type === 'aws:lambda/function:Function') return { arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}` };
  return {};
};
pulumi.runtime.setMocks({
  newResource: (args) => {
    resources.push({ type: args.type, name: args.name, inputs: args.inputs });
    return { id: `${args.name}-id`, state: { ...args.inputs, ...outputs(args.type, args.name, args.inputs) } };
  },
  call: (args) => args.inputs,
}, 'consumer', 'dev', false).then(() => require('./pulumi-program.js'));
// The program is done when a beforeExit passes with nothing new (layersmith declares the layer
// versions on the first one, which schedules more work); FileArchive paths are promises, read them.
let seen = -1;
let printing = false;
process.on('beforeExit', () => {
  if (printing) return;
  if (resources.length + errors.length !== seen) {
    seen = resources.length + errors.length;
    setImmediate(() => undefined);
    return;
  }
  printing = true;
  Promise.all(resources.map(async (r) => ({
    ...r,
    inputs: { ...r.inputs, ...(r.inputs.code && r.inputs.code.path !== undefined ? { code: { path: await r.inputs.code.path } } : {}) },
  }))).then(
    (all) => process.stdout.write(`RESULT ${JSON.stringify({ errors, resources: all })}\n`),
    (e) => process.stdout.write(`RESULT ${JSON.stringify({ errors: [...errors, String(e)], resources: [] })}\n`),
  );
});
