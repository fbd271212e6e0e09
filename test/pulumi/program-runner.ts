/**
 * Runs one Pulumi program under mocks in its own process, the way the Pulumi language host does:
 * an unhandled rejection or uncaught exception fails the program (reported once per error). When
 * the event loop is empty (the program is done) it prints what was created and what failed as one
 * JSON line. Usage: node -r ts-node/register/transpile-only program-runner.ts <module> <export> [config-json]
 */
import * as path from 'path';
import { installMocks } from './mocks';

async function main(): Promise<void> {
  const [modulePath, exportName, configJson] = process.argv.slice(2);
  const reported = new Set<unknown>();
  const errors: string[] = [];
  const fail = (err: unknown): void => {
    if (reported.has(err)) return;
    reported.add(err);
    errors.push(err instanceof Error ? err.message : String(err));
  };
  process.on('unhandledRejection', fail);
  process.on('uncaughtException', fail);
  const captured = await installMocks({ config: configJson ? JSON.parse(configJson) : undefined });
  let printed = false;
  process.on('beforeExit', () => {
    if (printed) return;
    printed = true;
    process.stdout.write(`PROGRAM-RESULT ${JSON.stringify({ errors, resources: captured.map((r) => ({ type: r.type, name: r.name, custom: r.custom })) })}\n`);
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.resolve(modulePath));
  await mod[exportName]();
}

main().catch((e) => {
  process.stdout.write(`PROGRAM-RESULT ${JSON.stringify({ errors: [`runner: ${(e as Error).stack}`], resources: [] })}\n`);
});
