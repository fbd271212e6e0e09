import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readElfLayout, sameProgramHeaders, strippableBytes, stripHazard } from './elf';
import { rescueImported } from './imports';
import type { SlimSpec } from './options';
import { DEFAULT_PROFILE, STRIP_RULE_ID, dirRule, fileRule, isProtected } from './profile';
import { deniedPackage, findStripTools, machineName, stripCopy, vendoredLibrary, type StripTool } from './strip';
import { checkImports, findInterpreter, listModules, pythonRoots, type ImportResult } from './verify';
import { checkRequires, findNode, listNodePackages, nodeMajor, nodeRoots } from './verify-node';
import { LayersmithBuildError } from '../../core/errors';
import type { ArchitectureId, SlimRecord, SlimRuleResult } from '../../core/model';
import { globToRegex } from '../zip/excludes';

/** What slimming needs to know about the build. */
export interface SlimContext {
  /** Runtimes of the target (python3.X ones give the import check its interpreter and roots). */
  readonly runtimes: readonly string[];
  readonly architecture: ArchitectureId;
  /** Python version 'X.Y' the layer was built for, when the source knows it better than the runtimes. */
  readonly pythonVersion?: string;
  /** Scratch directory outside the layer (removed files wait there until the check passes). @default a temp dir */
  readonly work?: string;
  /** PATH to find interpreters and strip tools on (tests). @default process.env.PATH */
  readonly envPath?: string;
  /** Runs a named step with progress. @default runs it */
  step?<T>(name: string, fn: () => Promise<T> | T): Promise<T>;
  /** A progress note. @default silent */
  note?(message: string): void;
}

interface LayerFile {
  readonly rel: string;
  readonly size: number;
  readonly link: boolean;
}

interface Moved {
  readonly rel: string;
  readonly parked: string;
  readonly bytes: number;
}

/** A compiled keep/remove glob: anchored ones match a path or an ancestor; bare names match any segment. */
class GlobSet {
  private readonly compiled: Array<{ glob: string; regex: RegExp; anchored: boolean }>;
  constructor(globs: readonly string[]) {
    this.compiled = globs.map((g) => {
      const clean = g.replace(/^\/+/, '').replace(/\/+$/, '');
      return { glob: g, regex: globToRegex(clean), anchored: clean.includes('/') };
    });
  }

  /** The first glob matching the path (or one of its parent directories), if any. */
  public match(rel: string): string | undefined {
    const segs = rel.split('/');
    for (const c of this.compiled) {
      if (c.anchored) {
        for (let i = segs.length; i > 0; i--) if (c.regex.test(segs.slice(0, i).join('/'))) return c.glob;
      } else if (segs.some((s) => c.regex.test(s))) {
        return c.glob;
      }
    }
    return undefined;
  }
}

/**
 * Slims a staged layer in place: removes what the runtime never loads (the default profile and
 * `spec.remove`), strips ELF debug information where that is safe, then imports every
 * top-level module and public subpackage with a local interpreter of the runtime's version
 * (Python), or requires every package with a local node of the runtime's major (Node).
 * A module that imported before and does not after fails the build with a
 * `LayersmithBuildError` (code SLIM_BROKE_IMPORT) naming the module and the rule whose
 * removals, restored alone, make it import again.
 */
export async function slimLayer(layerRoot: string, spec: SlimSpec, ctx: SlimContext): Promise<SlimRecord> {
  const root = path.resolve(layerRoot);
  const step = <T>(name: string, fn: () => Promise<T> | T): Promise<T> => (ctx.step ? ctx.step(name, fn) : Promise.resolve(fn()));
  const parkRoot = fs.mkdtempSync(path.join(ctx.work ?? os.tmpdir(), 'layersmith-slim-'));
  try {
    const files = walkFiles(root);
    const beforeBytes = files.reduce((n, f) => n + f.size, 0);
    const versions = pythonVersions(ctx);
    const roots = pythonRoots(root, versions);
    const checker = chooseChecker(root, roots, versions, ctx);
    const modules = checker.ok ? checker.list() : [];

    const { removals, kept } = await step('slim: plan removals', () => plan(root, files, spec, roots));
    const sizes = new Map(files.map((f) => [f.rel, f.size]));
    const moved = new Map<string, Moved[]>();
    await step('slim: remove files', () => {
      for (const [rel, rule] of removals) {
        const list = moved.get(rule) ?? [];
        const parked = path.join(parkRoot, String(ruleIndex(rule, moved)), rel);
        moveFile(path.join(root, rel), parked);
        list.push({ rel, parked, bytes: sizes.get(rel) ?? 0 });
        moved.set(rule, list);
      }
      pruneEmptyDirs(root, [...removals.keys()]);
    });

    const stripSkipped: Array<{ path: string; reason: string }> = [];
    const stripped: Moved[] = [];
    if (spec.strip) {
      const toStrip = files.filter((f) => !f.link && !removals.has(f.rel));
      await step('slim: strip debug info', () => stripAll(root, toStrip, spec, parkRoot, ctx.envPath, stripped, stripSkipped));
    }

    let verification: SlimRecord['verification'];
    if (!checker.ok) {
      verification = { ran: false, modules: [], note: `import check not run: ${checker.reason}.` };
      ctx.note?.(`slim: ${verification.note}`);
    } else {
      const present = modules.filter((m) => checker.exists(m));
      const gone = modules.filter((m) => !present.includes(m));
      const work = fs.mkdtempSync(path.join(parkRoot, 'cwd-'));
      const check = (mods: readonly string[]) => checker.check(mods, work);
      const results = await step(`slim: import check (${present.length} modules, ${checker.label})`, () => check(present));
      const failed = results.filter((r) => r.error !== undefined);
      let alreadyBroken: string[] = [];
      if (failed.length > 0) {
        const blame = await step('slim: find the rule that broke an import', () => attribute(root, check, failed, moved, stripped));
        alreadyBroken = blame.alreadyBroken;
        if (blame.broken.length > 0) throw brokenImportError(blame.broken, checker.label, checker.where, moved);
      }
      verification = {
        ran: true,
        interpreter: checker.label,
        modules: results.filter((r) => r.error === undefined).map((r) => r.module),
        ...(alreadyBroken.length > 0 ? { alreadyBroken } : {}),
        ...(gone.length > 0 ? { note: `not checked, removed entirely on purpose: ${gone.join(', ')}` } : {}),
      };
    }

    const rules: SlimRuleResult[] = [];
    for (const [rule, list] of moved) rules.push({ rule, files: list.length, bytes: list.reduce((n, m) => n + m.bytes, 0) });
    if (stripped.length > 0) rules.push({ rule: STRIP_RULE_ID, files: stripped.length, bytes: stripped.reduce((n, m) => n + m.bytes, 0) });
    rules.sort((a, b) => ruleOrder(a.rule) - ruleOrder(b.rule) || (a.rule < b.rule ? -1 : 1));
    const savedBytes = rules.reduce((n, r) => n + r.bytes, 0);
    const record: SlimRecord = {
      beforeBytes,
      afterBytes: beforeBytes - savedBytes,
      savedBytes,
      rules,
      kept,
      stripSkipped: stripSkipped.sort((a, b) => (a.path < b.path ? -1 : 1)),
      verification,
    };
    ctx.note?.(`slim saved ${savedBytes} bytes (${percent(savedBytes, beforeBytes)} of ${beforeBytes}): `
      + `${rules.map((r) => `${r.rule} ${r.bytes}`).join(', ') || 'nothing to remove'}`);
    return record;
  } finally {
    fs.rmSync(parkRoot, { recursive: true, force: true });
  }
}

function pythonVersions(ctx: SlimContext): string[] {
  const out = ctx.pythonVersion ? [ctx.pythonVersion] : [];
  for (const r of ctx.runtimes) {
    const m = /^python(3\.\d+)$/.exec(r);
    if (m && !out.includes(m[1])) out.push(m[1]);
  }
  return out;
}

function ruleOrder(rule: string): number {
  if (rule.startsWith('remove:')) return -1;
  if (rule === STRIP_RULE_ID) return DEFAULT_PROFILE.length;
  return DEFAULT_PROFILE.findIndex((r) => r.id === rule);
}

function ruleIndex(rule: string, moved: Map<string, Moved[]>): number {
  const keys = [...moved.keys()];
  const i = keys.indexOf(rule);
  return i < 0 ? keys.length : i;
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '0%';
}

/** Every file and symlink under root, layer-relative, sorted. */
function walkFiles(root: string): LayerFile[] {
  const out: LayerFile[] = [];
  const walk = (dir: string, rel: string) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      const abs = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(abs, r);
      else if (ent.isSymbolicLink()) out.push({ rel: r, size: Buffer.byteLength(fs.readlinkSync(abs)), link: true });
      else if (ent.isFile()) out.push({ rel: r, size: fs.statSync(abs).size, link: false });
    }
  };
  walk(root, '');
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** Decides what goes: user removals first, then the first profile rule matching a path or a parent directory. */
function plan(root: string, files: readonly LayerFile[], spec: SlimSpec, roots: readonly string[]): {
  removals: Map<string, string>; kept: Array<{ path: string; reason: string }>;
} {
  const keep = new GlobSet(spec.keep);
  const remove = new GlobSet(spec.remove);
  const removals = new Map<string, string>();
  const profile = new Map<string, string>();
  const kept: Array<{ path: string; reason: string }> = [];
  const dirRules = new Map<string, string | null>();
  const ruleOfDir = (dirRel: string): string | undefined => {
    if (dirRel === '') return undefined;
    const known = dirRules.get(dirRel);
    if (known !== undefined) return known ?? undefined;
    const parent = dirRel.includes('/') ? dirRel.slice(0, dirRel.lastIndexOf('/')) : '';
    const name = dirRel.slice(dirRel.lastIndexOf('/') + 1);
    const inherited = ruleOfDir(parent);
    const own = inherited ?? (isProtected(dirRel, name) ? undefined
      : dirRule(dirRel, name, fs.existsSync(path.join(root, dirRel, '__init__.py')))?.id);
    dirRules.set(dirRel, own ?? null);
    return own;
  };
  const keptFiles: string[] = [];
  for (const f of files) {
    const name = f.rel.slice(f.rel.lastIndexOf('/') + 1);
    const dir = f.rel.includes('/') ? f.rel.slice(0, f.rel.lastIndexOf('/')) : '';
    const byUser = remove.match(f.rel);
    const byProfile = isProtected(f.rel, name) ? undefined : (ruleOfDir(dir) ?? fileRule(f.rel, name)?.id);
    const keptBy = keep.match(f.rel);
    if (keptBy && (byUser || byProfile)) {
      kept.push({ path: f.rel, reason: `keep: ${keptBy}` });
      keptFiles.push(f.rel);
    } else if (byUser) {
      removals.set(f.rel, `remove:${byUser}`);
    } else if (byProfile) {
      profile.set(f.rel, byProfile);
    } else {
      keptFiles.push(f.rel);
    }
  }
  // A test helper that library code imports (numpy.testing -> numpy._core.tests._natype) stays.
  for (const r of rescueImported(root, roots, keptFiles, profile)) {
    kept.push({ path: r.path, reason: `imported by ${r.importedBy}` });
  }
  for (const [rel, rule] of profile) removals.set(rel, rule);
  kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { removals, kept };
}

function moveFile(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  try {
    fs.renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    fs.cpSync(from, to, { verbatimSymlinks: true });
    fs.rmSync(from, { force: true });
  }
}

/** Removes directories left empty by the removals, bottom-up (directories empty before stay). */
function pruneEmptyDirs(root: string, removed: readonly string[]): void {
  const dirs = new Set<string>();
  for (const rel of removed) {
    let d = path.posix.dirname(rel);
    while (d !== '.' && !dirs.has(d)) {
      dirs.add(d);
      d = path.posix.dirname(d);
    }
  }
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
    const abs = path.join(root, d);
    try {
      if (fs.readdirSync(abs).length === 0) fs.rmdirSync(abs);
    } catch {
      // already gone with its parent
    }
  }
}

function isElfCandidate(rel: string): boolean {
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  return /\.(so|node)$/.test(name) || /\.so\.[0-9.]+$/.test(name);
}

function stripAll(
  root: string, files: readonly LayerFile[], spec: SlimSpec, parkRoot: string, envPath: string | undefined,
  stripped: Moved[], skipped: Array<{ path: string; reason: string }>,
): void {
  const keep = new GlobSet(spec.keep);
  let tools: StripTool[] | undefined;
  const parkDir = path.join(parkRoot, 'strip');
  let n = 0;
  for (const f of files) {
    if (!isElfCandidate(f.rel)) continue;
    const abs = path.join(root, f.rel);
    const layout = readElfLayout(abs);
    if (!layout || (layout.kind !== 'ET_DYN' && layout.kind !== 'ET_EXEC')) continue;
    const gain = strippableBytes(layout);
    if (gain === 0) continue;
    const keptBy = keep.match(f.rel);
    if (keptBy) {
      skipped.push({ path: f.rel, reason: `keep: ${keptBy}` });
      continue;
    }
    if (vendoredLibrary(f.rel)) {
      skipped.push({ path: f.rel, reason: 'a vendored library (auditwheel *.libs/ or delocate .dylibs/): patched files are never stripped' });
      continue;
    }
    const denied = deniedPackage(f.rel);
    if (denied) {
      skipped.push({ path: f.rel, reason: `${denied.pkg} is on the strip deny-list (${denied.source})` });
      continue;
    }
    tools ??= findStripTools(envPath);
    const tool = tools.find((t) => t.machines.has(layout.machine));
    if (!tool) {
      const reason = `no strip tool here handles ${machineName(layout.machine)} objects (binutils strip lists no such target; `
        + 'llvm-strip is not installed)';
      skipped.push({ path: f.rel, reason });
      continue;
    }
    const hazard = stripHazard(layout);
    if (hazard) {
      skipped.push({ path: f.rel, reason: hazard });
      continue;
    }
    const out = path.join(parkDir, `stripped-${n++}`);
    fs.mkdirSync(parkDir, { recursive: true });
    try {
      stripCopy(tool, abs, out);
    } catch (e) {
      skipped.push({ path: f.rel, reason: `strip failed: ${(e as Error).message.split('\n')[0]}` });
      fs.rmSync(out, { force: true });
      continue;
    }
    const after = readElfLayout(out);
    if (!after || !sameProgramHeaders(layout, after)) {
      skipped.push({ path: f.rel, reason: 'stripping changed the program headers, so the stripped copy was discarded' });
      fs.rmSync(out, { force: true });
      continue;
    }
    const saved = f.size - fs.statSync(out).size;
    if (saved <= 0) {
      fs.rmSync(out, { force: true });
      continue;
    }
    const original = path.join(parkDir, `original-${n}`);
    const mode = fs.statSync(abs).mode & 0o777;
    moveFile(abs, original);
    moveFile(out, abs);
    fs.chmodSync(abs, mode);
    stripped.push({ rel: f.rel, parked: original, bytes: saved });
  }
}

/** How the layer's modules are checked: a Python interpreter, a Node binary, or why neither. */
type Checker =
  | { readonly ok: false; readonly reason: string }
  | {
    readonly ok: true;
    readonly label: string;
    /** How the check resolves modules, for messages. */
    readonly where: string;
    list(): string[];
    exists(module: string): boolean;
    check(modules: readonly string[], cwd: string): Promise<ImportResult[]>;
  };

function chooseChecker(root: string, roots: readonly string[], versions: readonly string[], ctx: SlimContext): Checker {
  if (roots.length > 0) {
    const py = findInterpreter(versions[0], ctx.architecture, ctx.envPath);
    if (!py.ok) return py;
    return {
      ok: true,
      label: py.label,
      where: 'the layer\'s import roots first on sys.path',
      list: () => listModules(root, roots),
      exists: (m) => moduleExists(root, roots, m),
      check: (mods, cwd) => checkImports(py.command, root, roots, mods, cwd),
    };
  }
  const major = nodeMajor(ctx.runtimes);
  const nodeDirs = nodeRoots(root, major);
  if (nodeDirs.length > 0) {
    const node = findNode(major, ctx.architecture, ctx.envPath);
    if (!node.ok) return node;
    return {
      ok: true,
      label: node.label,
      where: `require() with NODE_PATH=${nodeDirs.join(':')}`,
      list: () => listNodePackages(root, nodeDirs),
      exists: (m) => nodeDirs.some((d) => fs.existsSync(path.join(root, d, m))),
      check: (mods, cwd) => checkRequires(node.command, root, nodeDirs, mods, cwd),
    };
  }
  return { ok: false, reason: 'the layer has neither python/ nor nodejs/node_modules; the import check covers Python and Node layers' };
}

function moduleExists(root: string, roots: readonly string[], mod: string): boolean {
  const rel = mod.split('.').join('/');
  return roots.some((r) => {
    const base = path.join(root, r, rel);
    if (fs.existsSync(`${base}.py`) || fs.existsSync(base)) return true;
    const dir = path.dirname(base);
    const leaf = path.basename(base);
    try {
      return fs.readdirSync(dir).some((n) => n.startsWith(`${leaf}.`) && n.endsWith('.so'));
    } catch {
      return false;
    }
  });
}

interface Breakage {
  readonly module: string;
  readonly error: string;
  /** Rules whose removals, restored alone, make the module import; empty: only all together. */
  readonly rules: readonly string[];
}

/**
 * Which rule broke each failed module: with every removal restored a module that still fails
 * was broken before slimming; otherwise each rule's removals are re-applied alone, and the rule
 * under which the module fails again is the one named.
 */
async function attribute(
  root: string, check: (modules: readonly string[]) => Promise<ImportResult[]>, failed: readonly ImportResult[],
  moved: Map<string, Moved[]>, stripped: Moved[],
): Promise<{ broken: Breakage[]; alreadyBroken: string[] }> {
  const groups = new Map<string, Moved[]>(moved);
  if (stripped.length > 0) groups.set(STRIP_RULE_ID, stripped);
  const swap = (list: readonly Moved[], back: boolean) => {
    for (const m of list) {
      const live = path.join(root, m.rel);
      if (back) {
        // a stripped file is parked as its original; the stripped bytes wait beside it
        if (fs.existsSync(live)) moveFile(live, `${m.parked}.current`);
        moveFile(m.parked, live);
      } else {
        moveFile(live, m.parked);
        if (fs.existsSync(`${m.parked}.current`)) moveFile(`${m.parked}.current`, live);
      }
    }
  };
  for (const list of groups.values()) swap(list, true);
  const names = failed.map((f) => f.module);
  const restored = await check(names);
  const alreadyBroken = restored.filter((r) => r.error !== undefined).map((r) => r.module);
  const suspects = failed.filter((f) => !alreadyBroken.includes(f.module));
  const blamed = new Map<string, string[]>(suspects.map((s) => [s.module, []]));
  if (suspects.length > 0) {
    // user removals first, then the profile's order; stop once every module has its rule
    const ordered = [...groups].sort(([a], [b]) => ruleOrder(a) - ruleOrder(b));
    for (const [rule, list] of ordered) {
      if ([...blamed.values()].every((rules) => rules.length > 0)) break;
      swap(list, false);
      const again = await check(suspects.map((s) => s.module));
      for (const r of again) if (r.error !== undefined) blamed.get(r.module)!.push(rule);
      swap(list, true);
    }
  }
  return {
    broken: suspects.map((s) => ({ module: s.module, error: s.error!, rules: blamed.get(s.module) ?? [] })),
    alreadyBroken,
  };
}

function brokenImportError(broken: readonly Breakage[], interpreter: string, where: string, moved: Map<string, Moved[]>): LayersmithBuildError {
  const byCause = new Map<string, Breakage[]>();
  for (const b of broken) {
    const key = `${b.error}\u0000${b.rules.join(',')}`;
    byCause.set(key, [...(byCause.get(key) ?? []), b]);
  }
  const lines = [...byCause.values()].map((group) => {
    const b = group[0];
    const by = b.rules.length > 0 ? `rule '${b.rules[0]}'` : 'the removals of several rules together';
    const names = group.map((g) => g.module);
    const shown = names.length > 8 ? `${names.slice(0, 8).join(', ')} and ${names.length - 8} more` : names.join(', ');
    return `${shown} no longer import${names.length === 1 ? 's' : ''} (${b.error}), broken by ${by}`;
  });
  const hint = keepHint(broken, moved);
  const first = broken[0];
  const stripOnly = first.rules.length > 0 && first.rules.every((r) => r === STRIP_RULE_ID);
  const fix = stripOnly
    ? 'set slim: { strip: false }, or keep the library with slim: { keep: [...] }'
    : first.rules.some((r) => r.startsWith('remove:'))
      ? `drop or narrow the remove glob${hint ? `, or keep the file with slim: { keep: ['${hint}'] }` : ''}`
      : `keep what it needs with slim: { keep: ['${hint ?? '<path>'}'] }`;
  return new LayersmithBuildError('SLIM_BROKE_IMPORT',
    `slim broke the layer (checked with ${interpreter}, ${where}): ${lines.join('; ')}. Fix: ${fix}.`);
}

/** A layer path among the removed files that the first failure's "No module named 'a.b'" points at. */
function keepHint(broken: readonly Breakage[], moved: Map<string, Moved[]>): string | undefined {
  const missing = /No module named '([\w.]+)'/.exec(broken[0].error)?.[1];
  if (!missing) return undefined;
  const rel = missing.split('.').join('/');
  for (const list of moved.values()) {
    const hit = list.find((m) => m.rel.endsWith(`/${rel}.py`) || m.rel.endsWith(`/${rel}/__init__.py`));
    if (hit) return hit.rel;
  }
  // a namespace package (no __init__.py): keep the directory
  for (const list of moved.values()) {
    const inside = list.find((m) => m.rel.includes(`/${rel}/`));
    if (inside) return `${inside.rel.slice(0, inside.rel.indexOf(`/${rel}/`) + rel.length + 1)}/**`;
  }
  return undefined;
}
