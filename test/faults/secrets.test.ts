import * as fs from 'fs';
import * as path from 'path';
import type { BuildTarget } from '../../lib/engine/api';
import { buildLayer } from '../../lib/engine/engine';
import { LayerSource } from '../../lib/engine/source';
import { cleanupTempDirs, makeTempDir, writeTree } from '../helpers';

/**
 * Secrets stay out of a layer under their usual and unusual names, at any depth, and the build
 * says which ones it left out (progress line and manifest `excluded`, which `layersmith report`
 * prints).
 */

afterAll(cleanupTempDirs);

const TARGET: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.12'] };

/** Path in the layer -> what the manifest reports as left out (a directory once, as `dir/`). */
const SECRETS: Array<[file: string, reported: string]> = [
  ['.env', '.env'],
  ['.env.production', '.env.production'],
  ['python/app/.env.local', 'python/app/.env.local'],
  ['config/prod.env', 'config/prod.env'],
  ['.envrc', '.envrc'],
  ['id_rsa', 'id_rsa'],
  ['deploy/keys/id_ed25519', 'deploy/keys/id_ed25519'],
  ['credentials.json', 'credentials.json'],
  ['python/vendor/google/credentials.json', 'python/vendor/google/credentials.json'],
  ['client_secret_1234.apps.googleusercontent.com.json', 'client_secret_1234.apps.googleusercontent.com.json'],
  ['.aws/credentials', '.aws/'],
  ['nested/deeper/.aws/config', 'nested/deeper/.aws/'],
  ['.npmrc', '.npmrc'],
  ['nodejs/.npmrc', 'nodejs/.npmrc'],
  ['.yarnrc.yml', '.yarnrc.yml'],
  ['.pypirc', '.pypirc'],
  ['python/pip.conf', 'python/pip.conf'],
  ['.netrc', '.netrc'],
  ['.git-credentials', '.git-credentials'],
  ['.ssh/known_hosts', '.ssh/'],
  ['.docker/config.json', '.docker/'],
  ['.kube/config', '.kube/'],
  ['.gnupg/secring.gpg', '.gnupg/'],
  ['.aliyun/config.json', '.aliyun/'],
  ['.azure/accessTokens.json', '.azure/'],
  ['.config/gcloud/application_default_credentials.json', '.config/gcloud/'],
  ['lib/credentials', 'lib/credentials'],
  ['certs/server.pem', 'certs/server.pem'],
  ['certs/server.key', 'certs/server.key'],
  ['certs/client.p12', 'certs/client.p12'],
  ['.pgpass', '.pgpass'],
  ['web/.htpasswd', 'web/.htpasswd'],
];

/**
 * Files that look close to a secret but are ordinary layer content and must stay, including code
 * in directories named like a secret file (aws-sdk v2's credential providers live in lib/credentials/).
 */
const KEPT = [
  'python/app/env.py', 'python/app/environment.txt', 'bin/keygen', 'python/credentials_helper.py', 'docs/pem-format.md', 'lib/libkey.so',
  'nodejs/node_modules/aws-sdk/lib/credentials/ec2_metadata_credentials.js', 'python/sshkit/id_rsa_tools/__init__.py',
];

describe('secrets stay out, and the build says which', () => {
  test('every secret-looking file, at the root or nested, is left out and reported; look-alikes stay', async () => {
    // GIVEN a layer directory holding secrets under many names and depths, with tokens inside
    const dir = makeTempDir('layersmith-test-secrets-');
    const files: Record<string, string> = { 'python/app/__init__.py': 'X = 1\n' };
    for (const [f] of SECRETS) files[f] = f.endsWith('.npmrc') ? '//registry.npmjs.org/:_authToken=npm_SECRETTOKEN0123456789\n' : 'TOKEN=s3cr3t-value\n';
    for (const f of KEPT) files[f] = 'ordinary content\n';
    writeTree(dir, files);
    const lines: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const savedQuiet = process.env.LAYERSMITH_QUIET;
    delete process.env.LAYERSMITH_QUIET;
    let art;
    try {
      // WHEN built with progress on
      art = await buildLayer(LayerSource.fromDirectory(dir), TARGET, { cacheDir: makeTempDir('layersmith-test-cache-') });
    } finally {
      spy.mockRestore();
      if (savedQuiet !== undefined) process.env.LAYERSMITH_QUIET = savedQuiet;
    }

    // THEN no secret is in the ZIP, and no entry holds a token
    const inZip = art.manifest.entries.map((e) => e.path);
    for (const [f] of SECRETS) expect(inZip).not.toContain(f);
    const zipBytes = fs.readFileSync(art.zipPath);
    expect(zipBytes.includes(Buffer.from('s3cr3t'))).toBe(false);
    expect(zipBytes.includes(Buffer.from('npm_SECRETTOKEN'))).toBe(false);
    // and the look-alikes are kept
    for (const f of KEPT) expect(inZip).toContain(f);
    // and the manifest lists each one left out as a secret, once
    const reported = art.manifest.excluded.filter((x) => x.secret).map((x) => x.path).sort();
    expect(reported).toEqual([...new Set(SECRETS.map(([, r]) => r))].sort());
    // and the build said so, one line per secret, naming the path and why
    const said = lines.filter((l) => l.includes('left out secret-looking file'));
    for (const r of new Set(SECRETS.map(([, x]) => x))) {
      expect(said.filter((l) => l.includes(` ${r} (secret: `))).toHaveLength(1);
    }
  });

  test('a command source that writes a secret into its output does not ship it', async () => {
    // GIVEN a command that writes a layer with an .env.production and .aws/credentials
    const proj = makeTempDir('layersmith-test-secrets-');
    writeTree(proj, { 'make.sh': 'mkdir -p "$1/bin" "$1/.aws"; echo ok > "$1/bin/ok"; echo A=1 > "$1/.env.production"; echo k > "$1/.aws/credentials"\n' });

    // WHEN built
    const art = await buildLayer(LayerSource.command({ command: ['sh', 'make.sh', '{output}'], cwd: proj, inputs: ['make.sh'] }), TARGET, {
      cacheDir: makeTempDir('layersmith-test-cache-'), progress: false,
    });

    // THEN only bin/ok ships and both secrets are reported
    expect(art.manifest.entries.map((e) => e.path)).toEqual(['bin/', 'bin/ok']);
    expect(art.manifest.excluded.filter((x) => x.secret).map((x) => x.path)).toEqual(['.aws/', '.env.production']);
    expect(path.basename(art.zipPath)).toBe(`${art.inputKey}.zip`);
  });
});
