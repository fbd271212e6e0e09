/**
 * Runs one Pulumi program under mocks in its own process, the way the Pulumi language host does:
 * an unhandled rejection or uncaught exception fails the program (reported once per error). When
 * the event loop is empty (the program is done) it prints what was created and what failed as one
 * JSON line. Usage: node -r ts-node/register/transpile-only program-runner.ts <module> <export|-> [config-json]
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
  // The program is done when a beforeExit passes with nothing new: layersmith declares layer
  // versions on the first one (the end of the program's declarations), which schedules more work.
  let printed = false;
  let seen = -1;
  process.on('beforeExit', () => {
    if (printed) return;
    const now = captured.length + errors.length;
    if (now !== seen) {
      seen = now;
      setImmediate(() => undefined);
      return;
    }
    printed = true;
    const resources = captured.map((r) => ({ type: r.type, name: r.name, custom: r.custom, inputs: r.inputs }));
    // Long strings (inline base64 ZIPs) are cut: the result is for reading, not for deploying.
    const short = (_key: string, value: unknown) => typeof value === 'string' && value.length > 120 ? `${value.slice(0, 40)}... (${value.length} chars)` : value;
    process.stdout.write(`PROGRAM-RESULT ${JSON.stringify({ errors, resources: JSON.parse(JSON.stringify(resources, short)) })}\n`);
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.resolve(modulePath));
  // '-' runs a module-level program (as the Pulumi CLI does with index.ts).
  if (exportName !== '-') await mod[exportName]();
}

main().catch((e) => {
  process.stdout.write(`PROGRAM-RESULT ${JSON.stringify({ errors: [`runner: ${(e as Error).stack}`], resources: [] })}\n`);
});
