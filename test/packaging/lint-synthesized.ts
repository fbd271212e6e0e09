import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lintTemplates } from './cfn-lint';
import { hasTool } from '../helpers';

/**
 * Every CloudFormation template the test/aws-cdk suites synthesize goes through cfn-lint: this
 * setup file (jest setupFilesAfterEnv) records each template `Template.fromStack` produces in
 * those files, and lints them all in one cfn-lint run when the file is done. An error-level
 * finding, or a warning not accepted in cfn-lint.ts, fails the test file.
 */
const testPath = expect.getState().testPath ?? '';

if (/[\\/]test[\\/]aws-cdk[\\/]/.test(testPath) && hasTool('cfn-lint')) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Template } = require('aws-cdk-lib/assertions') as typeof import('aws-cdk-lib/assertions');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layersmith-test-templates-'));
  const files: string[] = [];
  const fromStack = Template.fromStack.bind(Template);
  Template.fromStack = (...args: Parameters<typeof Template.fromStack>) => {
    const template = fromStack(...args);
    const file = path.join(dir, `${files.length}-${args[0].stackName}.template.json`);
    fs.writeFileSync(file, JSON.stringify(template.toJSON()));
    files.push(file);
    return template;
  };
  afterAll(() => {
    try {
      if (files.length === 0) return;
      const { errors, warnings } = lintTemplates(files);
      if (errors.length + warnings.length > 0) {
        throw new Error(`cfn-lint on the ${files.length} templates ${path.basename(testPath)} synthesized:\n${[...errors, ...warnings].join('\n')}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
}
