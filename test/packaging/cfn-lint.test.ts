import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { cleanupTempDirs, makeTempDir, testWithTools } from '../helpers';
import { ACCEPTED_WARNINGS, lintTemplates } from './cfn-lint';

/** The cfn-lint check the synth suites use: what it accepts, and that it does catch errors. */
const lintTest = testWithTools('cfn-lint');

afterAll(cleanupTempDirs);

function synthesize(build: (stack: Stack) => void): string {
  const out = makeTempDir('layersmith-test-cfnlint-');
  const app = new App({ outdir: out });
  build(new Stack(app, 'Plain'));
  app.synth();
  return path.join(out, 'Plain.template.json');
}

describe('cfn-lint on synthesized templates', () => {
  lintTest('GIVEN a plain aws-cdk-lib lambda.Function (no layersmith) WHEN linted THEN every accepted warning is one it gets too', () => {
    const file = synthesize((stack) => new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: lambda.Code.fromInline('def handler(e, c): pass'),
    }));
    const raw = JSON.parse(spawnSync('cfn-lint', ['--format', 'json', '--', file], { encoding: 'utf8' }).stdout);
    expect([...new Set(raw.map((f: { Rule: { Id: string } }) => f.Rule.Id))].sort()).toEqual(Object.keys(ACCEPTED_WARNINGS).sort());
    expect(lintTemplates([file])).toEqual({ errors: [], warnings: [] });
  });

  lintTest('GIVEN a template with a wrong LayerVersion property WHEN linted THEN the error is reported (the check is live)', () => {
    const file = synthesize((stack) => new lambda.CfnLayerVersion(stack, 'Layer', {
      content: { s3Bucket: 'b', s3Key: 'k' }, compatibleRuntimes: ['python9.99'],
    }));
    const text = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Object.keys(text.Resources)).toContain('Layer');
    expect(lintTemplates([file]).errors.join('\n')).toMatch(/python9\.99/);
  });
});
