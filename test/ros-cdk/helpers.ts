import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ros from '@alicloud/ros-cdk-core';

/** Temp dirs made by this test file; removed by `cleanupTmp()` in afterAll. */
const made: string[] = [];

export function tmpDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ls-ros-${prefix}-`));
  made.push(dir);
  return dir;
}

export function cleanupTmp(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Point the build cache at a fresh temp dir for this test file and silence progress lines, so
 * tests never share or pollute the user's cache.
 */
export function isolateCache(): string {
  const dir = tmpDir('cache');
  process.env.LAYERSMITH_CACHE_DIR = dir;
  process.env.LAYERSMITH_QUIET = '1';
  return dir;
}

export interface TestApp {
  readonly app: ros.App;
  readonly stack: ros.Stack;
  readonly outdir: string;
}

/**
 * An app with one stack. The synthesizer qualifier is pinned: ROS CDK's default draws a random
 * one per run, which would put a different bucket name in every template.
 */
export function makeApp(options: { outdir?: string; context?: Record<string, unknown>; stackName?: string } = {}): TestApp {
  const outdir = options.outdir ?? tmpDir('out');
  // Context values are JSON (the CLI passes them that way); the prop's type only admits strings.
  const context = (options.context ?? {}) as Record<string, string>;
  const app = new ros.App({ outdir, stackTraces: false, context });
  const stack = new ros.Stack(app, options.stackName ?? 'LayersStack', {
    synthesizer: new ros.DefaultStackSynthesizer({ qualifier: 'lstest' }),
  });
  return { app, stack, outdir };
}

/** Synthesize and return the stack's template. */
export function synthTemplate(t: TestApp): any {
  t.app.synth();
  return readTemplate(t.outdir, t.stack.stackName);
}

export function readTemplate(outdir: string, stackName: string): any {
  return JSON.parse(fs.readFileSync(path.join(outdir, `${stackName}.template.json`), 'utf8'));
}

export function readAssets(outdir: string, stackName: string): any {
  return JSON.parse(fs.readFileSync(path.join(outdir, `${stackName}.assets.json`), 'utf8'));
}

/** Resources of a type, keyed by logical id. */
export function resourcesOfType(template: any, type: string): Record<string, any> {
  return Object.fromEntries(Object.entries(template.Resources ?? {}).filter(([, r]: [string, any]) => r.Type === type));
}

/** The single resource of a type (fails the test when there is not exactly one). */
export function onlyResource(template: any, type: string): { logicalId: string; resource: any } {
  const found = Object.entries(resourcesOfType(template, type));
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}: ${found.map(([id]) => id).join(', ')}`);
  return { logicalId: found[0][0], resource: found[0][1] };
}

/** Write a directory tree: keys are relative paths, values file contents. */
export function writeTree(root: string, files: Record<string, string | Buffer>): string {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return root;
}

/** A layer root directory with the given files. */
export function layerDir(files: Record<string, string | Buffer>): string {
  return writeTree(tmpDir('layer'), files);
}

/** ELF e_machine values (System V ABI). */
export const ELF_X86_64 = 62;
export const ELF_AARCH64 = 183;

/** The first bytes of a 64-bit little-endian Linux shared object for a CPU: enough for header detection. */
export function elfSharedObject(machine: number): Buffer {
  const b = Buffer.alloc(128);
  b.set([0x7f, 0x45, 0x4c, 0x46], 0); // magic
  b[4] = 2; // ELFCLASS64
  b[5] = 1; // little endian
  b[6] = 1; // EV_CURRENT
  b[7] = 0; // ELFOSABI_SYSV (Linux objects usually carry 0)
  b.writeUInt16LE(3, 16); // ET_DYN
  b.writeUInt16LE(machine, 18);
  b.writeUInt32LE(1, 20); // e_version
  b.writeUInt16LE(64, 52); // e_ehsize
  return b;
}

/** The first bytes of a 64-bit x86_64 Mach-O dynamic library (macOS), for header detection. */
export function machoDylibX86_64(): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32LE(0xfeedfacf, 0); // MH_MAGIC_64
  b.writeUInt32LE(0x01000007, 4); // CPU_TYPE_X86_64
  b.writeUInt32LE(3, 8); // CPU_SUBTYPE_X86_64_ALL
  b.writeUInt32LE(6, 12); // MH_DYLIB
  return b;
}

/** Every metadata entry of a type in the synthesized manifest, as [construct path, message]. */
export function annotations(outdir: string, type: 'aliyun:ros:warning' | 'aliyun:ros:info' | string): Array<[string, string]> {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  const out: Array<[string, string]> = [];
  for (const artifact of Object.values(manifest.artifacts ?? {}) as any[]) {
    for (const [p, entries] of Object.entries(artifact.metadata ?? {}) as Array<[string, any[]]>) {
      for (const e of entries) if (e.type === type) out.push([p, String(e.data)]);
    }
  }
  return out;
}
