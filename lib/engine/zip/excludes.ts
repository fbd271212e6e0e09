import { LayersmithValidationError } from '../../core/errors';
import type { ExcludedFile } from '../../core/model';

/**
 * Which files stay out of a layer: the default excludes (secrets and junk) and the user's globs.
 *
 * Glob rules (relative to the layer root, '/' separated):
 * - a pattern without '/' matches a file or directory name at any depth (`*.pem`, `.git`);
 * - a pattern with '/' matches the whole relative path from the root (`docs/**`, `bin/tool`);
 *   a leading '/' is ignored;
 * - `*` matches within one name, `?` one character, `**` any number of whole segments;
 * - a trailing '/' restricts the pattern to directories.
 * An excluded directory is left out with everything below it and reported once, as `dir/`.
 */

interface ExcludeRule {
  readonly pattern: string;
  readonly reason: string;
  readonly secret: boolean;
}

/**
 * The default excludes: each one says why it is left out and whether it looks like a secret.
 * A secret pattern without a trailing '/' names a file: a directory of that name is code more
 * often than not (aws-sdk v2 keeps its credential providers in lib/credentials/), so it stays in.
 */
export const DEFAULT_EXCLUDES: readonly ExcludeRule[] = [
  { pattern: '.git/', reason: 'junk: git metadata', secret: false },
  { pattern: '.env', reason: 'secret: environment file', secret: true },
  { pattern: '.env.*', reason: 'secret: environment file', secret: true },
  { pattern: '.envrc', reason: 'secret: environment file', secret: true },
  { pattern: '.npmrc', reason: 'secret: npm config (may hold registry tokens)', secret: true },
  { pattern: '.pypirc', reason: 'secret: PyPI config (may hold upload tokens)', secret: true },
  { pattern: '.netrc', reason: 'secret: netrc credentials', secret: true },
  { pattern: '.git-credentials', reason: 'secret: git credentials', secret: true },
  { pattern: '.aws/', reason: 'secret: AWS config directory', secret: true },
  { pattern: '.aliyun/', reason: 'secret: Alibaba Cloud CLI config directory', secret: true },
  { pattern: '.ssh/', reason: 'secret: SSH directory', secret: true },
  { pattern: 'credentials', reason: 'secret: credentials file', secret: true },
  { pattern: 'id_rsa*', reason: 'secret: SSH private key', secret: true },
  { pattern: 'id_dsa*', reason: 'secret: SSH private key', secret: true },
  { pattern: 'id_ecdsa*', reason: 'secret: SSH private key', secret: true },
  { pattern: 'id_ed25519*', reason: 'secret: SSH private key', secret: true },
  { pattern: '*.pem', reason: 'secret: PEM key or certificate', secret: true },
  { pattern: '*.key', reason: 'secret: private key file', secret: true },
  { pattern: '*.p12', reason: 'secret: PKCS#12 key store', secret: true },
  { pattern: '*.pfx', reason: 'secret: PKCS#12 key store', secret: true },
  // Names seen holding tokens in real repositories; a layer never needs them at run time.
  { pattern: '*.env', reason: 'secret: environment file', secret: true },
  { pattern: 'credentials.json', reason: 'secret: credentials file (e.g. an OAuth client or service account)', secret: true },
  { pattern: 'client_secret*.json', reason: 'secret: OAuth client secret', secret: true },
  { pattern: '.yarnrc', reason: 'secret: yarn config (may hold registry tokens)', secret: true },
  { pattern: '.yarnrc.yml', reason: 'secret: yarn config (may hold registry tokens)', secret: true },
  { pattern: 'pip.conf', reason: 'secret: pip config (may hold index credentials)', secret: true },
  { pattern: '.pgpass', reason: 'secret: PostgreSQL password file', secret: true },
  { pattern: '.htpasswd', reason: 'secret: password file', secret: true },
  { pattern: '.docker/', reason: 'secret: Docker config directory (registry auth)', secret: true },
  { pattern: '.kube/', reason: 'secret: Kubernetes config directory (cluster tokens)', secret: true },
  { pattern: '.gnupg/', reason: 'secret: GnuPG key directory', secret: true },
  { pattern: '.azure/', reason: 'secret: Azure CLI config directory', secret: true },
  { pattern: '.config/gcloud/', reason: 'secret: Google Cloud CLI config directory', secret: true },
  { pattern: '__pycache__/', reason: 'junk: Python bytecode cache', secret: false },
  { pattern: '*.pyc', reason: 'junk: Python bytecode', secret: false },
  { pattern: '.DS_Store', reason: 'junk: macOS folder metadata', secret: false },
];

interface CompiledRule extends ExcludeRule {
  readonly dirOnly: boolean;
  /** Matches files (and symlinks) only: the secret-file default rules. */
  readonly fileOnly: boolean;
  readonly anchored: boolean;
  readonly regex: RegExp;
}

/** A glob as a whole-path regular expression: `*` within a segment, `**` across segments, `dir/**` also matches `dir`. */
export function globToRegex(glob: string): RegExp {
  // 'dir/**' also matches 'dir' itself, so the directory entry goes with its contents.
  if (glob.endsWith('/**')) {
    return new RegExp(`${globToRegex(glob.slice(0, -3)).source.slice(0, -1)}(?:/.*)?$`);
  }
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // '**/' matches zero or more whole segments; a trailing '**' matches everything below.
        if (glob[i + 2] === '/') {
          out += '(?:[^/]*/)*';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else {
      out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`);
}

function compile(rule: ExcludeRule, isDefault: boolean): CompiledRule {
  let p = rule.pattern.trim();
  if (p.length === 0) {
    throw new LayersmithValidationError('EMPTY_EXCLUDE', 'layersmith: an exclude pattern is empty; remove it from `excludes`.');
  }
  const dirOnly = p.endsWith('/');
  if (dirOnly) p = p.replace(/\/+$/, '');
  if (p.startsWith('/')) p = p.replace(/^\/+/, '');
  const anchored = p.includes('/') || rule.pattern.trim().startsWith('/');
  return { ...rule, dirOnly, fileOnly: isDefault && rule.secret && !dirOnly, anchored, regex: globToRegex(p) };
}

/** Decides, path by path, whether a file or directory stays out of the layer. */
export class ExcludeMatcher {
  private readonly defaults: readonly CompiledRule[];
  private readonly secretRules: readonly CompiledRule[];
  private readonly user: readonly CompiledRule[];

  constructor(userPatterns: readonly string[] = [], useDefaults = true) {
    const compiledDefaults = DEFAULT_EXCLUDES.map((r) => compile(r, true));
    this.secretRules = compiledDefaults.filter((r) => r.secret);
    this.defaults = useDefaults ? compiledDefaults : [];
    this.user = userPatterns.map((pattern) => compile({ pattern, reason: `excluded by pattern ${JSON.stringify(pattern)}`, secret: false }, false));
  }

  /**
   * @param relPath path relative to the root, '/' separated, no trailing '/'
   * @returns the exclusion record, or undefined when the path goes into the layer
   */
  public match(relPath: string, isDirectory: boolean): ExcludedFile | undefined {
    const shown = isDirectory ? `${relPath}/` : relPath;
    const hit = this.find(this.defaults, relPath, isDirectory);
    if (hit) {
      return { path: shown, reason: hit.reason, secret: hit.secret };
    }
    const userHit = this.find(this.user, relPath, isDirectory);
    if (userHit) {
      // A user pattern can drop a secret-looking file too: still say it looked like one.
      const secretHit = this.find(this.secretRules, relPath, isDirectory);
      return secretHit
        ? { path: shown, reason: `${userHit.reason} (${secretHit.reason})`, secret: true }
        : { path: shown, reason: userHit.reason, secret: false };
    }
    return undefined;
  }

  private find(rules: readonly CompiledRule[], relPath: string, isDirectory: boolean): CompiledRule | undefined {
    const slash = relPath.lastIndexOf('/');
    const base = slash < 0 ? relPath : relPath.slice(slash + 1);
    for (const rule of rules) {
      if (rule.dirOnly ? !isDirectory : rule.fileOnly && isDirectory) continue;
      if (rule.regex.test(rule.anchored ? relPath : base)) return rule;
    }
    return undefined;
  }
}
