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
  // The suffix test first: it runs for every entry and, unlike a regex test, allocates nothing.
  return path.endsWith('/package.json') && /(^|\/)node_modules\/(@[^/]+\/)?[^/@][^/]*\/package\.json$/.test(path);
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
  return path.endsWith('composer/installed.json') && /(^|\/)vendor\/composer\/installed\.json$/.test(path);
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

/** Metadata files whose content `attributeSizes` uses (besides package.json and installed.json). */
export function isSizeMetadata(path: string): boolean {
  return path.endsWith('.dist-info/RECORD') || path.endsWith('.dist-info/top_level.txt');
}

/** A file of the layer, as `attributeSizes` needs it. */
export interface SizedFile {
  readonly path: string;
  readonly size: number;
  /** Entries of type 'directory' are skipped (a manifest's entries can be passed as they are). */
  readonly type?: string;
}

/**
 * Which package each file belongs to, summed per package: Python files by the dist's RECORD
 * (else its top_level.txt names), Node files by the deepest package directory holding them,
 * jars and gemspecs by themselves plus a gem's own directories, Composer packages by their
 * install path. Files no package claims are counted in `unowned`. Files in sorted order are
 * fastest (each directory is then looked up once).
 */
export function attributeSizes(
  files: readonly SizedFile[], packages: readonly PackageRecord[], metadata: ReadonlyMap<string, Buffer>,
): { packages: PackageRecord[]; unowned: { files: number; unzippedBytes: number } } {
  const { counts, unowned } = packageSizes(files, packages, metadata);
  return {
    packages: packages.map((p, i) => ({ ...p, files: counts[i].files, unzippedBytes: counts[i].bytes })),
    unowned,
  };
}

/** attributeSizes' sums, one per package in the order given, without copying the records. */
export function packageSizes(
  files: readonly SizedFile[], packages: readonly PackageRecord[], metadata: ReadonlyMap<string, Buffer>,
): { counts: { files: number; bytes: number }[]; unowned: { files: number; unzippedBytes: number } } {
  const exact = new Map<string, number>();
  const prefixes = new Map<string, number>();
  const claimExact = (p: string, owner: number) => {
    if (!exact.has(p)) exact.set(p, owner);
  };
  const claimDir = (d: string, owner: number) => {
    const dir = d.endsWith('/') ? d : `${d}/`;
    if (!prefixes.has(dir)) prefixes.set(dir, owner);
  };
  const gemStems = new Map<string, number>();
  packages.forEach((p, i) => {
    switch (p.ecosystem) {
      case 'python': {
        const site = parentDir(p.path);
        claimDir(p.path, i);
        const record = metadata.get(`${p.path}RECORD`);
        if (record) {
          for (const rel of recordPaths(record)) claimExact(joinPosix(site, rel), i);
        } else {
          const top = metadata.get(`${p.path}top_level.txt`);
          for (const name of top ? top.toString('utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean) : []) {
            claimDir(`${site}${name}`, i);
            for (const f of files) {
              if (f.type !== 'directory' && f.path.startsWith(`${site}${name}.`) && !f.path.slice(site.length).includes('/')) claimExact(f.path, i);
            }
          }
        }
        break;
      }
      case 'node':
        claimDir(parentDir(p.path), i);
        break;
      case 'java':
        claimExact(p.path, i);
        break;
      case 'ruby': {
        claimExact(p.path, i);
        const stem = p.path.slice(p.path.lastIndexOf('/') + 1, -'.gemspec'.length);
        const base = parentDir(parentDir(p.path));
        claimDir(`${base}gems/${stem}`, i);
        claimExact(`${base}cache/${stem}.gem`, i);
        gemStems.set(`${base}\u0000${stem}`, i);
        break;
      }
      case 'php': {
        const vendor = parentDir(parentDir(p.path));
        claimDir(composerInstallPath(metadata.get(p.path), p.name, vendor), i);
        break;
      }
    }
  });
  const counts = packages.map(() => ({ files: 0, bytes: 0 }));
  return { counts, unowned: sumByOwner(files, exact, prefixes, gemStems, counts) };
}

/**
 * Adds each file to its owner's count (or to the unowned sums it returns). The loop has a
 * function of its own: V8 optimizes a small function early and keeps it.
 */
function sumByOwner(
  files: readonly SizedFile[], exact: ReadonlyMap<string, number>, prefixes: ReadonlyMap<string, number>,
  gemStems: ReadonlyMap<string, number>, counts: { files: number; bytes: number }[],
): { files: number; unzippedBytes: number } {
  let unownedFiles = 0;
  let unownedBytes = 0;
  // A directory's owner depends on the directory alone (prefix claims and gem extension
  // directories both end at a '/'), and a prefix claim holds for everything below it unless a
  // deeper one does: files come sorted, so the directories from the top down to the current one
  // are kept with what the claims give each, and each directory is looked up once.
  const chain: string[] = [];
  const chainClaim: (number | undefined)[] = [];
  let dir: string | undefined;
  let dirOwner: number | undefined;
  for (const f of files) {
    if (f.type === 'directory') continue;
    const p = f.path;
    let owner = exact.size > 0 ? exact.get(p) : undefined;
    if (owner === undefined) {
      const slash = p.lastIndexOf('/');
      if (dir === undefined || dir.length !== slash + 1 || !p.startsWith(dir)) {
        while (chain.length > 0 && !p.startsWith(chain[chain.length - 1])) {
          chain.pop();
          chainClaim.pop();
        }
        let claim = chainClaim.length > 0 ? chainClaim[chainClaim.length - 1] : undefined;
        const known = chain.length > 0 ? chain[chain.length - 1].length : 0;
        for (let i = p.indexOf('/', known); i >= 0 && i <= slash; i = p.indexOf('/', i + 1)) {
          const level = p.slice(0, i + 1);
          if (i > 0) claim = prefixes.get(level) ?? claim;
          chain.push(level);
          chainClaim.push(claim);
        }
        dir = slash < 0 ? '' : chain[chain.length - 1];
        dirOwner = claim;
        if (dirOwner === undefined && gemStems.size > 0) dirOwner = gemExtensionOwner(dir, gemStems);
      }
      owner = dirOwner;
    }
    if (owner === undefined) {
      unownedFiles++;
      unownedBytes += f.size;
    } else {
      counts[owner].files++;
      counts[owner].bytes += f.size;
    }
  }
  return { files: unownedFiles, unzippedBytes: unownedBytes };
}

/** 'a/b/c/' or 'a/b/c' -> 'a/b/' ('' at the top). */
function parentDir(p: string): string {
  const trimmed = p.endsWith('/') ? p.slice(0, -1) : p;
  const i = trimmed.lastIndexOf('/');
  return i < 0 ? '' : trimmed.slice(0, i + 1);
}

/** `dir` + a RECORD path ('../../bin/x' allowed), normalised; '' when it leaves the ZIP root. */
function joinPosix(dir: string, rel: string): string {
  const parts: string[] = [];
  for (const seg of `${dir}${rel}`.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

/** First column of a RECORD file (CSV: path,hash,size; a path with a comma or quote is quoted). */
export function recordPaths(content: Buffer): string[] {
  const out: string[] = [];
  for (const line of content.toString('utf8').split(/\r?\n/)) {
    if (!line) continue;
    if (line.startsWith('"')) {
      let i = 1;
      let value = '';
      while (i < line.length) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          break;
        }
        value += line[i++];
      }
      out.push(value);
    } else {
      const comma = line.indexOf(',');
      out.push(comma < 0 ? line : line.slice(0, comma));
    }
  }
  return out;
}

/** Composer 2 records each package's directory relative to vendor/composer/; composer 1 implies vendor/<name>/. */
function composerInstallPath(installed: Buffer | undefined, name: string, vendor: string): string {
  if (installed) {
    try {
      const json = JSON.parse(installed.toString('utf8'));
      const list: unknown[] = Array.isArray(json) ? json : Array.isArray(json?.packages) ? json.packages : [];
      for (const p of list) {
        const rec = p as { 'name'?: unknown; 'install-path'?: unknown };
        if (rec?.name === name && typeof rec['install-path'] === 'string') return joinPosix(`${vendor}composer/`, rec['install-path']);
      }
    } catch {
      // fall back to composer's default layout
    }
  }
  return `${vendor}${name}`;
}

/** `<base>extensions/<platform>/<abi>/<stem>/...` belongs to the gem `<stem>` of `<base>`. */
function gemExtensionOwner(p: string, stems: ReadonlyMap<string, number>): number | undefined {
  const m = /^(.*?\/?)extensions\/[^/]+\/[^/]+\/([^/]+)\//.exec(p);
  return m ? stems.get(`${m[1]}\u0000${m[2]}`) : undefined;
}
