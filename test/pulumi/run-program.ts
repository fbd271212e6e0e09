import { spawnSync } from 'child_process';
import * as path from 'path';

/** What a program run in its own process created and which errors failed it. */
export interface ProgramResult {
  readonly errors: string[];
  readonly resources: { type: string; name: string; custom: boolean; inputs: Record<string, any> }[];
}

const REPO = path.resolve(__dirname, '..', '..');

/**
 * Runs `exportName` of `modulePath` as a Pulumi program under mocks in a child process, so that
 * errors fail it the way they fail `pulumi up` (unhandled rejection), not the test runner.
 */
export function runProgram(modulePath: string, exportName: string, env: Record<string, string> = {}, config?: Record<string, string>): ProgramResult {
  const args = ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'program-runner.ts'), modulePath, exportName];
  if (config) args.push(JSON.stringify(config));
  const res = spawnSync(process.execPath, args, {
    cwd: REPO,
    encoding: 'utf8',
    // preferTsExts: lib/ is compiled in place, and a stale .js next to a .ts must never be the code under test.
    env: { ...process.env, ...env, TS_NODE_PROJECT: path.join(REPO, 'test', 'tsconfig.json'), TS_NODE_PREFER_TS_EXTS: 'true', LAYERSMITH_QUIET: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = res.stdout.split('\n').find((l) => l.startsWith('PROGRAM-RESULT '));
  if (!line) {
    throw new Error(`program runner printed no result (exit ${res.status}):\n${res.stdout}\n${res.stderr}`);
  }
  return JSON.parse(line.slice('PROGRAM-RESULT '.length)) as ProgramResult;
}
