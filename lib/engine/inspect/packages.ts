import type { PackageRecord } from '../../core/model';

/** PEP 503 name normalisation: lower case, runs of '-', '_' and '.' become one '-'. */
export function normalisePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** `name-1.2.3.dist-info/` directory name -> record (the first '-' splits; wheels escape '-' in names). */
export function pythonDistInfo(dirPath: string): PackageRecord | undefined {
  const base = dirPath.replace(/\/$/, '').split('/').pop()!;
  const m = /^([^-]+)-(.+)\.dist-info$/.exec(base);
  if (!m) return undefined;
  return { ecosystem: 'python', name: normalisePythonName(m[1]), version: m[2], path: dirPath.endsWith('/') ? dirPath : `${dirPath}/` };
}

/** `vendor/lib/name-1.2.3.jar` -> record; the version starts at the first '-' followed by a digit. */
export function javaJar(path: string): PackageRecord | undefined {
  const base = path.split('/').pop()!;
  const m = /^(.+?)-(\d[^/]*)\.jar$/.exec(base);
  if (!m) return undefined;
  return { ecosystem: 'java', name: m[1], version: m[2], path };
}

/** `specifications/name-1.2.3[-platform].gemspec` -> record. */
export function rubyGemspec(path: string): PackageRecord | undefined {
  const base = path.split('/').pop()!;
  const m = /^(.+?)-(\d[^-]*)(?:-[^/]+)?\.gemspec$/.exec(base);
  if (!m) return undefined;
  return { ecosystem: 'ruby', name: m[1], version: m[2], path };
}

/** Whether a path is a package's own package.json inside node_modules (not a nested file). */
export function isNodePackageJson(path: string): boolean {
  return /(^|\/)node_modules\/(@[^/]+\/)?[^/@][^/]*\/package\.json$/.test(path);
}

/** package.json content -> record, or undefined when it has no name or version. */
export function nodePackage(path: string, content: Buffer): PackageRecord | undefined {
  try {
    const json = JSON.parse(content.toString('utf8'));
    if (typeof json?.name === 'string' && typeof json?.version === 'string') {
      return { ecosystem: 'node', name: json.name, version: json.version, path };
    }
  } catch {
    // A broken package.json is the package's problem, not a reason to refuse the layer.
  }
  return undefined;
}

/** Whether a path is composer's list of installed packages. */
export function isComposerInstalled(path: string): boolean {
  return /(^|\/)vendor\/composer\/installed\.json$/.test(path);
}

/** composer installed.json (composer 1: an array; composer 2: { packages: [...] }) -> records. */
export function composerPackages(path: string, content: Buffer): PackageRecord[] {
  try {
    const json = JSON.parse(content.toString('utf8'));
    const list: unknown[] = Array.isArray(json) ? json : Array.isArray(json?.packages) ? json.packages : [];
    const out: PackageRecord[] = [];
    for (const p of list) {
      const rec = p as { name?: unknown; version?: unknown };
      if (typeof rec?.name === 'string' && typeof rec?.version === 'string') {
        out.push({ ecosystem: 'php', name: rec.name, version: rec.version, path });
      }
    }
    return out;
  } catch {
    return [];
  }
}

/** `Tag: ...` lines of a WHEEL file. */
export function wheelTags(content: Buffer): string[] {
  return content.toString('utf8').split(/\r?\n/)
    .map((l) => /^Tag:\s*(\S+)\s*$/.exec(l)?.[1])
    .filter((t): t is string => t !== undefined);
}
