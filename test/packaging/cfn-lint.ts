import { spawnSync } from 'child_process';

/**
 * cfn-lint (AWS's CloudFormation linter) on synthesized templates. Error-level findings fail the
 * tests; a warning passes only if it is listed here with the reason it is accepted.
 */
export const ACCEPTED_WARNINGS: Record<string, string> = {
  // aws-cdk-lib's own lambda.Function: DependsOn its service role next to Fn::GetAtt of the same
  // role; every plain Function gets it (test/packaging/cfn-lint.test.ts shows it).
  W3005: 'redundant DependsOn on the service role, emitted by aws-cdk-lib for every lambda.Function',
};

/** One cfn-lint finding, as `Level RuleId file: message`. */
export interface LintResult {
  readonly errors: string[];
  readonly warnings: string[];
}

export function lintTemplates(files: string[]): LintResult {
  const r = spawnSync('cfn-lint', ['--format', 'json', '--', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  // Exit codes are a bit mask of the levels found (2 error, 4 warning, 8 informational); 1 is a crash.
  if (r.status === 1 || r.stdout.trim() === '') {
    if (r.status === 0) return { errors: [], warnings: [] };
    throw new Error(`cfn-lint failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  const findings = JSON.parse(r.stdout) as { Level: string; Rule: { Id: string }; Message: string; Filename: string }[];
  const line = (f: { Level: string; Rule: { Id: string }; Message: string; Filename: string }) => `${f.Rule.Id} ${f.Filename}: ${f.Message}`;
  return {
    errors: findings.filter((f) => f.Level === 'Error').map(line),
    warnings: findings.filter((f) => f.Level === 'Warning' && !(f.Rule.Id in ACCEPTED_WARNINGS)).map(line),
  };
}
