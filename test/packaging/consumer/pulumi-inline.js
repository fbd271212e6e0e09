// An Automation API style inline program, under Pulumi's mocks, with the installed package: the
// process never reaches beforeExit while it declares, so only endDeclarations() (from
// layersmith/pulumi) lets the FC layer version be declared, with the grant made before it.
const path = require('path');
const pulumi = require('@pulumi/pulumi');

// A host process that keeps running (as an Automation API caller does): beforeExit cannot come,
// so the version can only be declared by endDeclarations(). Gives up after 60 s.
const host = setTimeout(() => {
  process.stdout.write(`RESULT ${JSON.stringify({ error: 'no FC layer version declared within 60 s' })}\n`);
  process.exit(1);
}, 60_000);

const FC_VERSION = 'alicloud:fc/v3LayerVersion:V3LayerVersion';
const declared = [];
const versionOutputs = (inputs) => ({ layerVersionArn: `acs:fc:cn-hangzhou:1234567890123456:layers/${inputs.layerName}/versions/1`, version: '1' });
pulumi.runtime.setMocks({
  newResource: (args) => {
    declared.push({ type: args.type, name: args.name, inputs: args.inputs });
    return { id: `${args.name}-id`, state: { ...args.inputs, ...(args.type === FC_VERSION ? versionOutputs(args.inputs) : {}) } };
  },
  call: (args) => args.inputs,
}, 'inline', 'dev', false).then(async () => {
  const { endDeclarations, LayerGrant, LayerPermission, LayerSource, RuntimeLayer } = require('layersmith/pulumi');
  const layer = new RuntimeLayer('inline-fc', {
    platform: 'alicloud', source: LayerSource.fromDirectory(path.join(__dirname, 'layers', 'tools')), compatibleRuntimes: ['nodejs20'],
  });
  new LayerPermission('inline-fc-public', { layer, grant: LayerGrant.public() });
  // Output.promise() resolves a value without signalling the end of the program.
  await layer.artifact.promise();
  const beforeEnd = declared.filter((r) => r.type === FC_VERSION).length;
  endDeclarations();
  await layer.arn.promise();
  const versions = declared.filter((r) => r.type === FC_VERSION);
  clearTimeout(host);
  process.stdout.write(`RESULT ${JSON.stringify({ beforeEnd, versions: versions.map((v) => ({ name: v.name, acl: v.inputs.acl })) })}\n`);
}).catch((e) => {
  clearTimeout(host);
  process.stdout.write(`RESULT ${JSON.stringify({ error: String((e && e.stack) || e) })}\n`);
});
