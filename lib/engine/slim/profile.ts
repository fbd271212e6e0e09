/**
 * The default slim profile: what a function's runtime never loads. Each rule has a stable id
 * (recorded in the manifest and named when a removal breaks an import) and matches either whole
 * directories (everything below goes) or single files, by name.
 */

/** One removal rule of the default profile. */
export interface SlimRule {
  /** Stable id, e.g. 'tests'. */
  readonly id: string;
  /** What it removes, for docs and messages. */
  readonly description: string;
  /** Directory names whose whole subtree goes (`packageDirs: false`: only when not a Python package). */
  readonly dirs?: ReadonlySet<string>;
  /** When false, a matching directory holding an __init__.py stays (it is importable code). */
  readonly packageDirs?: boolean;
  /** File name test. */
  readonly file?: (name: string) => boolean;
  /** Only under node_modules/ (Node conventions; a Python package may hold a data file of that name). */
  readonly nodeOnly?: boolean;
}

const LICENCE = /^(licen[cs]e|copying|notice|authors|patents)([.-].*)?$/i;

const suffix = (...s: string[]) => (name: string) => s.some((x) => name.endsWith(x));

/** The rules, in the order they are applied (the first match decides a path's rule). */
export const DEFAULT_PROFILE: readonly SlimRule[] = Object.freeze([
  {
    id: 'bytecode',
    description: '__pycache__ directories and *.pyc/*.pyo: the runtime compiles what it imports.',
    dirs: new Set(['__pycache__']),
    file: suffix('.pyc', '.pyo'),
  },
  {
    id: 'tests',
    description: 'test suites: tests/, test/ and __tests__/ directories, conftest.py.',
    dirs: new Set(['tests', 'test', '__tests__']),
    packageDirs: true,
    file: (n: string) => n === 'conftest.py',
  },
  {
    id: 'docs',
    description: 'documentation: doc/ and docs/ directories that are not Python packages.',
    dirs: new Set(['doc', 'docs']),
    packageDirs: false,
  },
  {
    id: 'node-docs',
    description: 'Markdown files of Node packages (*.md, *.markdown).',
    file: suffix('.md', '.markdown'),
    nodeOnly: true,
  },
  {
    id: 'examples',
    description: 'example/ and examples/ directories that are not Python packages.',
    dirs: new Set(['example', 'examples']),
    packageDirs: false,
  },
  {
    id: 'type-stubs',
    description: 'type stubs and declarations: *.pyi, *.d.ts, *.d.mts, *.d.cts.',
    file: suffix('.pyi', '.d.ts', '.d.mts', '.d.cts'),
  },
  {
    id: 'extension-sources',
    description: 'sources and headers of compiled extensions: *.pyx, *.pxd, *.pxi, C/C++ and Fortran sources and headers.',
    file: suffix('.pyx', '.pxd', '.pxi', '.c', '.cc', '.cpp', '.cxx', '.h', '.hh', '.hpp', '.hxx', '.f', '.f90'),
  },
  {
    id: 'source-maps',
    description: 'source maps of Node packages (*.map).',
    file: suffix('.map'),
    nodeOnly: true,
  },
  {
    id: 'ci-metadata',
    description: 'CI and editor metadata: .github/, .circleci/, .travis.yml, .gitlab-ci.yml, appveyor.yml.',
    dirs: new Set(['.github', '.circleci']),
    file: (n: string) => n === '.travis.yml' || n === '.gitlab-ci.yml' || n === 'appveyor.yml',
  },
]);

/** Id of the ELF debug-information strip, applied after the removals. */
export const STRIP_RULE_ID = 'strip-debug';

/** Every rule id of the default profile, removals first, then the strip. */
export const DEFAULT_RULE_IDS: readonly string[] = Object.freeze([...DEFAULT_PROFILE.map((r) => r.id), STRIP_RULE_ID]);

/**
 * Paths never removed whatever the rules say: package metadata (importlib.metadata and
 * pkg_resources read it; serverless-python-requirements#216, #296), licence texts (the layer
 * is redistributed), and package.json (Node resolves packages through it).
 */
export function isProtected(relPath: string, name: string): boolean {
  if (/(^|\/)[^/]+\.(dist-info|egg-info)(\/|$)/.test(relPath)) return true;
  return LICENCE.test(name) || name === 'package.json';
}

/** The rule of a file by its name alone (directory rules are applied while walking). */
export function fileRule(relPath: string, name: string): SlimRule | undefined {
  const inNode = relPath.includes('node_modules/');
  return DEFAULT_PROFILE.find((r) => r.file && (!r.nodeOnly || inNode) && r.file(name));
}

/** The rule of a directory, given whether it holds an __init__.py. */
export function dirRule(relPath: string, name: string, isPythonPackage: boolean): SlimRule | undefined {
  const inNode = relPath.includes('node_modules/');
  return DEFAULT_PROFILE.find((r) => r.dirs?.has(name) && (!r.nodeOnly || inNode) && (r.packageDirs !== false || !isPythonPackage));
}
