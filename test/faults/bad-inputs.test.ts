import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { FunctionWithLayers, RuntimeLayer } from '../../lib/aws-cdk';
import { main } from '../../lib/cli';
import {
  LayerGrant, LayersmithError, analyzeStack, checkFcAclConsistency, getPlatform, parseLayerVersionArn, planGrants, resolveRuntime, statementIdFor,
} from '../../lib/core';
import type { BuildTarget } from '../../lib/engine/api';
import { buildLayer } from '../../lib/engine/engine';
import { inspectZip } from '../../lib/engine/inspect';
import { LayerSource } from '../../lib/engine/source';
import { packDirectory } from '../../lib/engine/zip';
import { layer } from '../core/manifest-helper';
import { cleanupTempDirs, makeTempDir, testWithTools, writeRawZip, writeTree } from '../helpers';
import type { RawEntry } from '../helpers';

/**
 * The catalogue of bad inputs. Read it top to bottom: each row is one bad input, and the answer
 * it must get is ONE clear error (or error finding) that names where (the construct path or the
 * file), the rule, the numbers where there are numbers, and the fix. Rows marked `cli` are also
 * given to `layersmith inspect`, which must answer with one line on stderr, no stack trace, and
 * exit code 2.
 */

afterAll(cleanupTempDirs);

const PY: BuildTarget = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.12'] };
const quiet = { progress: false };

// ---------------------------------------------------------------------------------------------
// Fixture writers: ZIPs byte by byte (well-behaved writers refuse to produce these), trees.

/** A ZIP of `entries` in a fresh directory. */
function zipOf(entries: readonly RawEntry[]): string {
  // Stored entries with UTF-8 names unless a row says otherwise: the bytes a row writes are the bytes read.
  const plain = entries.map((e) => ({ ...e, method: e.method ?? 0, flags: e.flags ?? 0x0800 }));
  return writeRawZip(path.join(makeTempDir('layersmith-test-bad-'), 'layer.zip'), plain);
}

/** A directory with `files` (and symlinks name -> target). */
function dirOf(files: Record<string, string>, links: Record<string, string> = {}): string {
  const dir = makeTempDir('layersmith-test-bad-');
  writeTree(dir, files);
  for (const [name, target] of Object.entries(links)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.symlinkSync(target, path.join(dir, name));
  }
  return dir;
}

/** Builds a layer and returns the error it fails with. */
function buildFails(source: () => LayerSource, target: BuildTarget = PY): Promise<unknown> {
  return Promise.resolve().then(source).then((s) => buildLayer(s, target, { cacheDir: makeTempDir('layersmith-test-cache-'), ...quiet }))
    .then(() => undefined, (e: unknown) => e);
}

function throws(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** The single error finding analyzeStack reports for a function stack (else a failure). */
function stackFinding(input: Parameters<typeof analyzeStack>[0], ruleId: string): unknown {
  const errors = analyzeStack(input).findings.filter((f) => f.severity === 'error');
  const hit = errors.filter((f) => f.ruleId === ruleId);
  return hit.length === 1 ? { message: `${hit[0].message} ${hit[0].fix ?? ''}`, code: hit[0].ruleId } : { message: `no single ${ruleId}: ${JSON.stringify(errors)}` };
}


// ---------------------------------------------------------------------------------------------
// The catalogue.

interface BadInput {
  /** The bad input, in words. */
  readonly input: string;
  /** Produces the answer: the thrown error, or an error finding as { message, code }. */
  readonly answer: () => unknown | Promise<unknown>;
  /** The stable code (error code or rule id). */
  readonly code: string;
  /** Where: the file, construct path or value the message must name (from the fixture). */
  readonly where?: () => string;
  /** The rule and numbers the message must state. */
  readonly says: RegExp;
  /** The fix the message must give. */
  readonly fix: RegExp;
  /** Also answered by `layersmith inspect <where>` with exit 2 and one line. */
  readonly cli?: boolean;
  /** Tools the row needs on PATH. */
  readonly tools?: string[];
  /** A front-end error: its code is the rule id in the message (front-ends throw bare errors for failed synths). */
  readonly front?: boolean;
}

const fixtures = new Map<string, string>();
/** A fixture path made once per row and shared by its answer and its `where`. */
function once(key: string, make: () => string): () => string {
  return () => {
    if (!fixtures.has(key)) fixtures.set(key, make());
    return fixtures.get(key)!;
  };
}

const zipSlip = once('zip-slip', () => zipOf([{ name: 'python/ok.py', data: 'x' }, { name: '../../evil.sh', data: 'x' }]));
const zipAbsolute = once('zip-abs', () => zipOf([{ name: '/etc/cron.d/evil', data: 'x' }]));
const zipBackslash = once('zip-bs', () => zipOf([{ name: 'python\\mod.py', data: 'x' }]));
const zipNul = once('zip-nul', () => zipOf([{ name: 'python/a\0b.py', data: 'x' }]));
const zipEmptySegment = once('zip-seg', () => zipOf([{ name: 'python//a.py', data: 'x' }]));
const zipLinkEscape = once('zip-link', () => zipOf([{ name: 'python/shadow', data: '../../../etc/shadow', unixMode: 0o120777 }]));
const zipLinkAbsolute = once('zip-link-abs', () => zipOf([{ name: 'bin/sh', data: '/bin/sh', unixMode: 0o120777 }]));
const zipBombRatio = once('zip-ratio', () => {
  const data = zlib.deflateRawSync(Buffer.alloc(20 * 1024 * 1024));
  return zipOf([{ name: 'zeros.bin', compressed: data, method: 8, crc32: zlib.crc32(Buffer.alloc(20 * 1024 * 1024)), uncompressedSize: 20 * 1024 * 1024 }]);
});
const zipBombSize = once('zip-size', () => zipOf(Array.from({ length: 3 }, (_, i) => ({ name: `big${i}.bin`, data: 'x', uncompressedSize: 0xF0000000 }))));
const zipOver4GiB = once('zip-4g', () => zipOf([{ name: 'huge.bin', data: 'x', uncompressedSize: 0xFFFFFFFF, zip64Size: 5 * 1024 ** 3 }]));
const zipDuplicate = once('zip-dup', () => zipOf([{ name: 'python/a.py', data: '1' }, { name: 'python/a.py', data: '2' }]));
const zipEncrypted = once('zip-enc', () => zipOf([{ name: 'secret.txt', data: 'xxxxxxxxxxxx', flags: 0x0801 }]));
const zipBadCrc = once('zip-crc', () => zipOf([{ name: 'python/a.py', data: 'print(1)\n', crc32: 0x12345678 }]));
const zipNotUtf8 = once('zip-utf8', () => zipOf([{ name: Buffer.from([0x70, 0x79, 0x2f, 0xe9, 0x74, 0xe9, 0x2e, 0x70, 0x79]), data: 'x', flags: 0 }]));
const zipBzip2 = once('zip-bz2', () => zipOf([{ name: 'a.txt', data: 'BZh9', method: 12 }]));
const zipTruncated = once('zip-trunc', () => {
  const file = zipOf([{ name: 'python/a.py', data: 'x'.repeat(500) }]);
  fs.truncateSync(file, 300);
  return file;
});
const notAZip = once('not-zip', () => {
  const file = path.join(makeTempDir('layersmith-test-bad-'), 'layer.zip');
  fs.writeFileSync(file, 'this is a README, not a ZIP\n'.repeat(4));
  return file;
});
const linkEscapeDir = once('dir-link', () => dirOf({ 'bin/tool': '#!/bin/sh\n' }, { 'lib/libc.so': '/usr/lib/x86_64-linux-gnu/libc.so.6' }));
const linkLoopDir = once('dir-loop', () => dirOf({ 'bin/tool': '#!/bin/sh\n' }, { 'lib/a': 'b', 'lib/b': 'a' }));
const fifoDir = once('dir-fifo', () => {
  const dir = dirOf({ 'bin/tool': '#!/bin/sh\n' });
  execFileSync('mkfifo', [path.join(dir, 'bin', 'pipe')]);
  return dir;
});
const emptyDir = once('dir-empty', () => dirOf({}));
const onlySecretsDir = once('dir-secrets', () => dirOf({ '.env': 'A=1', '.aws/credentials': 'k' }));
const missingPath = once('missing', () => path.join(makeTempDir('layersmith-test-bad-'), 'does-not-exist'));
const aFile = once('a-file', () => {
  const f = path.join(makeTempDir('layersmith-test-bad-'), 'file.txt');
  fs.writeFileSync(f, 'x');
  return f;
});
const requirements = once('reqs', () => {
  const d = dirOf({ 'requirements.txt': 'no-such-package-layersmith==9.9.9\n', 'wheels/.keep': '' });
  return path.join(d, 'requirements.txt');
});
const nodeNoLock = once('node-nolock', () => dirOf({ 'package.json': '{"name":"x","version":"1.0.0","dependencies":{"left-pad":"1.3.0"}}' }));
const nodeOutOfSync = once('node-sync', () => dirOf({
  'package.json': '{"name":"x","version":"1.0.0","dependencies":{"left-pad":"1.3.0"}}',
  'package-lock.json': '{"name":"x","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"x","version":"1.0.0"}}}',
}));
const emptyJars = once('jars', () => dirOf({ 'README.txt': 'no jars here' }));
const badPom = once('pom', () => path.join(dirOf({ 'pom.xml': '<project><modelVersion>4.0.0</modelVersion><groupId>x</groupId>' }), 'pom.xml'));
const badComposerJson = once('composer-json', () => dirOf({ 'composer.json': '{ "require": { ' }));
const composerUnresolvable = once('composer', () => dirOf({ 'composer.json': JSON.stringify({ require: { 'layersmith/no-such-package': '1.0.0' }, repositories: [{ 'packagist.org': false }] }) }));
const rubyNoLock = once('ruby-nolock', () => dirOf({ Gemfile: "source 'https://rubygems.org'\ngem 'rack', '3.0.0'\n" }));
const rubyUnresolvable = once('ruby', () => dirOf({
  'Gemfile': "source 'https://rubygems.org'\ngem 'layersmith-no-such-gem', '1.0.0'\n",
  'Gemfile.lock': 'GEM\n  remote: https://rubygems.org/\n  specs:\n    layersmith-no-such-gem (1.0.0)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  layersmith-no-such-gem (= 1.0.0)\n\nBUNDLED WITH\n   2.4.0\n',
  'vendor/cache/.keep': '',
}));
const commandDir = once('cmd', () => dirOf({ 'noop.sh': 'exit 0\n', 'fail.sh': 'echo "compiler exploded" >&2\nexit 7\n' }));

const CATALOGUE: BadInput[] = [
  // --- ZIPs given as a layer (LayerSource.fromZip) or to `layersmith inspect` ---
  { input: 'zip-slip: an entry ../../evil.sh', answer: () => buildFails(() => LayerSource.fromZip(zipSlip())), code: 'DOT_DOT', where: zipSlip, says: /'\.\.' segment.*outside \/opt/, fix: /Re-create the ZIP/, cli: true },
  { input: 'an absolute entry name /etc/cron.d/evil', answer: () => buildFails(() => LayerSource.fromZip(zipAbsolute())), code: 'ABSOLUTE_PATH', where: zipAbsolute, says: /absolute path/, fix: /Re-create the ZIP/, cli: true },
  { input: 'a backslash in an entry name', answer: () => buildFails(() => LayerSource.fromZip(zipBackslash())), code: 'BACKSLASH', where: zipBackslash, says: /backslash/, fix: /Re-create the ZIP/, cli: true },
  { input: 'a NUL byte in an entry name', answer: () => buildFails(() => LayerSource.fromZip(zipNul())), code: 'NUL_BYTE', where: zipNul, says: /NUL byte/, fix: /Re-create the ZIP/, cli: true },
  { input: 'an empty path segment (python//a.py)', answer: () => buildFails(() => LayerSource.fromZip(zipEmptySegment())), code: 'EMPTY_SEGMENT', where: zipEmptySegment, says: /empty or '\.' path segment/, fix: /Re-create the ZIP/, cli: true },
  { input: 'a symlink entry escaping the root (../../../etc/shadow)', answer: () => buildFails(() => LayerSource.fromZip(zipLinkEscape())), code: 'SYMLINK_ESCAPE', where: zipLinkEscape, says: /\.\.\/\.\.\/\.\.\/etc\/shadow/, fix: /[Rr]e-create|relative link|inside/, cli: true },
  { input: 'a symlink entry with an absolute target (/bin/sh)', answer: () => buildFails(() => LayerSource.fromZip(zipLinkAbsolute())), code: 'SYMLINK_ESCAPE', where: zipLinkAbsolute, says: /\/bin\/sh/, fix: /[Rr]e-create|relative link|inside/, cli: true },
  { input: 'a zip bomb by ratio (20 MiB of zeros in a few KiB)', answer: () => buildFails(() => LayerSource.fromZip(zipBombRatio())), code: 'ZIP_BOMB_RATIO', where: zipBombRatio, says: /20971520 bytes from \d+ \(ratio \d+\.\d, limit 200\)/, fix: /raise maxRatio only if you trust/, cli: true },
  { input: 'a zip bomb by size (3 entries declaring 3.75 GiB each)', answer: () => buildFails(() => LayerSource.fromZip(zipBombSize())), code: 'ZIP_BOMB_TOTAL', where: zipBombSize, says: /12079595520 bytes, more than the limit of 2147483648/, fix: /raise maxUnzippedBytes/, cli: true },
  { input: 'an entry declaring more than 4 GiB (zip64 size 5 GiB)', answer: () => inspectZip(zipOver4GiB()).then(() => undefined, (e: unknown) => e), code: 'ZIP_BOMB_TOTAL', where: zipOver4GiB, says: /5368709120 bytes, more than the limit of 2147483648/, fix: /raise maxUnzippedBytes/, cli: true },
  { input: 'the same entry name twice', answer: () => buildFails(() => LayerSource.fromZip(zipDuplicate())), code: 'DUPLICATE_ENTRY', where: zipDuplicate, says: /"python\/a\.py" twice/, fix: /one entry per path/, cli: true },
  { input: 'an encrypted entry', answer: () => buildFails(() => LayerSource.fromZip(zipEncrypted())), code: 'ENCRYPTED', where: zipEncrypted, says: /"secret\.txt" is encrypted/, fix: /without a password/, cli: true },
  { input: 'an entry whose CRC-32 does not match its data', answer: () => buildFails(() => LayerSource.fromZip(zipBadCrc())), code: 'BAD_CRC', where: zipBadCrc, says: /CRC-32 is [0-9a-f]{8} but the central directory says 12345678/, fix: /Re-download or rebuild/ },
  { input: 'an entry name that is not UTF-8 (Latin-1 bytes, no UTF-8 flag)', answer: () => buildFails(() => LayerSource.fromZip(zipNotUtf8())), code: 'NAME_NOT_UTF8', where: zipNotUtf8, says: /not valid UTF-8 \(bytes 70 79 2f e9 74 e9 2e 70 79; UTF-8 flag not set\)/, fix: /Re-create the ZIP with UTF-8 names/, cli: true },
  { input: 'an unsupported compression method (bzip2, 12)', answer: () => buildFails(() => LayerSource.fromZip(zipBzip2())), code: 'UNSUPPORTED_METHOD', where: zipBzip2, says: /compression method 12/, fix: /with deflate/, cli: true },
  { input: 'a truncated ZIP', answer: () => buildFails(() => LayerSource.fromZip(zipTruncated())), code: 'TRUNCATED', where: zipTruncated, says: /truncated/, fix: /Re-download or rebuild/, cli: true },
  { input: 'a file that is not a ZIP', answer: () => buildFails(() => LayerSource.fromZip(notAZip())), code: 'NOT_A_ZIP', where: notAZip, says: /is not a ZIP file \(no end of central directory record\)/, fix: /Point the layer at a \.zip file/, cli: true },

  // --- Directories packed as a layer ---
  { input: 'a symlink pointing outside the layer root', answer: () => buildFails(() => LayerSource.fromDirectory(linkEscapeDir())), code: 'SYMLINK_ESCAPE', where: () => path.join(linkEscapeDir(), 'lib', 'libc.so'), says: /points to \/usr\/lib\/x86_64-linux-gnu\/libc\.so\.6, outside the layer root/, fix: /Copy the target into the layer/ },
  { input: 'symlinks looping (lib/a -> b -> a)', answer: () => buildFails(() => LayerSource.fromDirectory(linkLoopDir())), code: 'SYMLINK_LOOP', where: () => path.join(linkLoopDir(), 'lib', 'a'), says: /form a loop: lib\/a -> b -> a/, fix: /Replace one link with the file it should point to, or exclude/ },
  { input: 'a FIFO in the layer directory', answer: () => buildFails(() => LayerSource.fromDirectory(fifoDir())), code: 'UNSUPPORTED_FILE_TYPE', where: () => path.join(fifoDir(), 'bin', 'pipe'), says: /not a regular file, directory or symlink/, fix: /remove it or add it to excludes/ },
  { input: 'an empty layer (an empty directory)', answer: () => buildFails(() => LayerSource.fromDirectory(emptyDir())), code: 'EMPTY_LAYER', where: emptyDir, says: /holds no file/, fix: /Fix: put the layer content/ },
  { input: 'a layer whose every file is excluded (only .env and .aws/)', answer: () => buildFails(() => LayerSource.fromDirectory(onlySecretsDir())), code: 'EMPTY_LAYER', where: onlySecretsDir, says: /holds no file.*2 paths were left out \(\.aws\/, \.env\)/, fix: /Fix: put the layer content/ },
  { input: 'a directory source that does not exist', answer: () => throws(() => LayerSource.fromDirectory(missingPath())), code: 'PATH_NOT_FOUND', where: missingPath, says: /does not exist/, fix: /Fix: point dir at an existing path/ },
  { input: 'a directory source that is a file', answer: () => throws(() => LayerSource.fromDirectory(aFile())), code: 'NOT_A_DIRECTORY', where: aFile, says: /is not a directory/, fix: /Fix: point dir at a directory/ },
  { input: 'an empty exclude pattern', answer: () => packDirectory(dirOf({ 'a.txt': 'a' }), path.join(makeTempDir('layersmith-test-bad-'), 'o.zip'), { excludes: ['  '] }).then(() => undefined, (e: unknown) => e), code: 'EMPTY_EXCLUDE', says: /exclude pattern is empty/, fix: /remove it from `excludes`/ },

  // --- Package-manager sources ---
  { input: 'python: nothing to install', answer: () => throws(() => LayerSource.python({})), code: 'NOTHING_TO_INSTALL', where: () => 'LayerSource.python', says: /nothing to install/, fix: /Fix: give 'requirements'/ },
  { input: 'python: pythonVersion not of the form 3.Y', answer: () => throws(() => LayerSource.python({ packages: ['x'], pythonVersion: '312' })), code: 'BAD_PYTHON_VERSION', where: () => '312', says: /not of the form '3\.Y'/, fix: /Fix: e\.g\. pythonVersion: '3\.12'/ },
  { input: 'python: noIndex without findLinks', answer: () => throws(() => LayerSource.python({ packages: ['x'], noIndex: true })), code: 'NO_INDEX_WITHOUT_FIND_LINKS', where: () => 'LayerSource.python', says: /noIndex is set but findLinks is empty/, fix: /Fix: add findLinks/ },
  { input: 'python: runtimes of the wrong platform family (a Node.js runtime for a Python layer)', answer: () => buildFails(() => LayerSource.python({ packages: ['x'] }), { platform: 'aws', architecture: 'x86_64', runtimes: ['nodejs20.x'] }), code: 'NO_PYTHON_VERSION', where: () => 'nodejs20.x', says: /name no python3\.X/, fix: /Fix: set pythonVersion/ },
  { input: 'python: no wheel for a requirement (package not in the wheel directory)', tools: ['python3'], answer: () => buildFails(() => LayerSource.python({ requirements: requirements(), findLinks: [path.join(path.dirname(requirements()), 'wheels')], noIndex: true })), code: 'NO_MATCHING_WHEEL', where: () => 'no-such-package-layersmith', says: /pip found no wheel of no-such-package-layersmith/, fix: /Fix: Check the name and version/ },
  { input: 'python: a failing pip (an option pip does not know)', tools: ['python3'], answer: () => buildFails(() => LayerSource.python({ requirements: requirements(), findLinks: [path.join(path.dirname(requirements()), 'wheels')], noIndex: true, pipArgs: ['--no-such-pip-option'] })), code: 'COMMAND_FAILED', where: () => '--no-such-pip-option', says: /Command failed with exit code \d+: python3 -m pip install/, fix: /Last \d+ lines of its output/ },
  { input: 'python: the interpreter is not installed (missing tool)', answer: () => buildFails(() => LayerSource.python({ packages: ['x'], python: 'python3-layersmith-missing' })), code: 'MISSING_TOOL', where: () => 'python3-layersmith-missing', says: /which is not on PATH/, fix: /Fix: install/ },
  { input: 'node: package.json without a lockfile', answer: () => buildFails(() => LayerSource.node({ packageDir: nodeNoLock() })), code: 'NO_LOCKFILE', where: nodeNoLock, says: /has package\.json but no lockfile \(package-lock\.json, npm-shrinkwrap\.json, pnpm-lock\.yaml, yarn\.lock\)/, fix: /Fix: run 'npm install --package-lock-only'/ },
  { input: 'node: a directory without package.json', answer: () => throws(() => LayerSource.node({ packageDir: emptyJars() })), code: 'PATH_NOT_FOUND', where: () => path.join(emptyJars(), 'package.json'), says: /does not exist/, fix: /Fix: point packageDir\/package\.json at an existing path/ },
  { input: 'node: a failing npm (lockfile out of sync with package.json)', tools: ['npm'], answer: () => buildFails(() => LayerSource.node({ packageDir: nodeOutOfSync() })), code: 'COMMAND_FAILED', where: () => 'npm ci', says: /Command failed with exit code 1: npm ci/, fix: /Last \d+ lines of its output/ },
  { input: 'java: neither jarsDir nor pom', answer: () => throws(() => LayerSource.java({} as never)), code: 'JARS_DIR_OR_POM', where: () => 'LayerSource.java', says: /exactly one of 'jarsDir'.*or 'pom'/, fix: /give exactly one/ },
  { input: 'java: a jarsDir holding no jar', answer: () => buildFails(() => LayerSource.java({ jarsDir: emptyJars() }), { platform: 'aws', architecture: 'x86_64', runtimes: ['java21'] }), code: 'NO_JARS', where: emptyJars, says: /holds no \*\.jar file/, fix: /Fix: point jarsDir at the directory of your dependency jars/ },
  { input: 'java: a failing mvn (broken pom, offline)', tools: ['mvn'], answer: () => buildFails(() => LayerSource.java({ pom: badPom(), mavenArgs: ['-o'] }), { platform: 'aws', architecture: 'x86_64', runtimes: ['java21'] }), code: 'COMMAND_FAILED', where: badPom, says: /Command failed with exit code 1: mvn/, fix: /Last \d+ lines of its output/ },
  { input: 'php: composer.json that is not JSON', answer: () => buildFails(() => LayerSource.php({ composerDir: badComposerJson() }), { platform: 'alicloud', architecture: 'x86_64', runtimes: ['php7.2'] }), code: 'BAD_COMPOSER_JSON', where: () => path.join(badComposerJson(), 'composer.json'), says: /is not valid JSON/, fix: /Fix: repair the file/ },
  { input: 'php: a failing composer (a package no repository has)', tools: ['composer'], answer: () => buildFails(() => LayerSource.php({ composerDir: composerUnresolvable() }), { platform: 'alicloud', architecture: 'x86_64', runtimes: ['php7.2'] }), code: 'COMMAND_FAILED', where: () => 'composer install', says: /Command failed with exit code \d+: composer install/, fix: /Last \d+ lines of its output/ },
  { input: 'ruby: Gemfile without Gemfile.lock', answer: () => buildFails(() => LayerSource.ruby({ gemfileDir: rubyNoLock() }), { platform: 'aws', architecture: 'x86_64', runtimes: ['ruby3.3'] }), code: 'NO_LOCKFILE', where: rubyNoLock, says: /no Gemfile\.lock/, fix: /Fix: run 'bundle lock'/ },
  { input: 'ruby: a failing bundler (a locked gem missing from vendor/cache)', tools: ['bundle'], answer: () => buildFails(() => LayerSource.ruby({ gemfileDir: rubyUnresolvable() }), { platform: 'aws', architecture: 'x86_64', runtimes: ['ruby3.3'] }), code: 'COMMAND_FAILED', where: () => 'bundle install', says: /Command failed with exit code \d+: bundle install/, fix: /Last \d+ lines of its output/ },
  { input: 'command: an empty argv', answer: () => throws(() => LayerSource.command({ command: [], inputs: ['x'] })), code: 'EMPTY_COMMAND', where: () => 'LayerSource.command', says: /'command' is empty/, fix: /Fix: give an argv/ },
  { input: 'command: no inputs', answer: () => throws(() => LayerSource.command({ command: ['make'], inputs: [] })), code: 'NO_INPUTS', where: () => 'LayerSource.command', says: /'inputs' is empty/, fix: /Fix: list the files/ },
  { input: 'command: a command that writes nothing', answer: () => buildFails(() => LayerSource.command({ command: ['sh', 'noop.sh', '{output}'], cwd: commandDir(), inputs: ['noop.sh'] })), code: 'EMPTY_OUTPUT', where: () => 'sh noop.sh {output}', says: /exited 0 but wrote nothing/, fix: /Fix: write the layer root into the directory/ },
  { input: 'command: a command that fails', answer: () => buildFails(() => LayerSource.command({ command: ['sh', 'fail.sh'], cwd: commandDir(), inputs: ['fail.sh'] })), code: 'COMMAND_FAILED', where: commandDir, says: /exit code 7: sh fail\.sh[\s\S]*compiler exploded/, fix: /Last 1 lines of its output/ },
  { input: 'command: a program that is not installed', answer: () => buildFails(() => LayerSource.command({ command: ['layersmith-no-such-tool', '{output}'], cwd: commandDir(), inputs: ['noop.sh'] })), code: 'MISSING_TOOL', where: () => 'layersmith-no-such-tool', says: /which is not on PATH/, fix: /Fix: install layersmith-no-such-tool or put it on PATH/ },

  // --- Grants, accounts, organizations, statement ids, ARNs, runtimes ---
  { input: 'an account id of 11 digits', answer: () => throws(() => LayerGrant.account('12345678901')), code: 'BAD_ACCOUNT_ID', where: () => '12345678901', says: /expected exactly 12 digits/, fix: /Fix: pass the account id/ },
  { input: 'an account id with junk after it (the official validator lets it pass)', answer: () => throws(() => LayerGrant.account('123456789012-junk')), code: 'BAD_ACCOUNT_ID', where: () => '123456789012-junk', says: /expected exactly 12 digits/, fix: /Fix: pass the account id/ },
  { input: 'an organization id in upper case', answer: () => throws(() => LayerGrant.organization('o-ABCDEFGHIJ')), code: 'BAD_ORGANIZATION_ID', where: () => 'o-ABCDEFGHIJ', says: /o- followed by 10-32 lower-case letters or digits/, fix: /Fix: copy the id from AWS Organizations/ },
  {
    input: 'a statement id outside [a-zA-Z0-9-_]{1,100}',
    answer: () => throws(() => statementIdFor(Object.assign(Object.create(LayerGrant.prototype) as LayerGrant, { key: 'team a/b', toString: () => 'LayerGrant(team a/b)' }))),
    code: 'BAD_STATEMENT_ID',
    where: () => 'layersmith-team a/b',
    says: /breaks the rule \[a-zA-Z0-9-_\]\{1,100\}/,
    fix: /Fix: /,
  },
  { input: 'FC: a per-account grant', answer: () => throws(() => planGrants('alicloud', [LayerGrant.account('123456789012')], 'LayersStack/Libs')), code: 'FC_GRANT_NOT_EXPRESSIBLE', where: () => 'LayersStack/Libs', says: /account/, fix: /[Pp]ublic/ },
  { input: 'FC: an organization grant', answer: () => throws(() => planGrants('alicloud', [LayerGrant.organization('o-abcdefghij')], 'LayersStack/Libs')), code: 'FC_GRANT_NOT_EXPRESSIBLE', where: () => 'LayersStack/Libs', says: /organi[sz]ation/, fix: /[Pp]ublic/ },
  {
    input: 'FC: two versions of one layer with conflicting ACLs',
    answer: () => throws(() => checkFcAclConsistency([{ version: 'LayersStack/V1', acl: 'private' }, { version: 'LayersStack/V2', acl: 'public' }], 'layer orders-libs')),
    code: 'FC_ACL_MISMATCH',
    where: () => 'layer orders-libs',
    says: /version LayersStack\/V1: private, version LayersStack\/V2: public/,
    fix: /Fix: give every version the same grants/,
  },
  { input: 'a layer ARN with a 10-digit account', answer: () => throws(() => parseLayerVersionArn('arn:aws:lambda:us-east-1:1234567890:layer:x:3', 'aws')), code: 'BAD_LAYER_ARN', where: () => 'arn:aws:lambda:us-east-1:1234567890:layer:x:3', says: /expected arn:/, fix: /e\.g\. arn:aws:lambda:us-east-1:123456789012:layer:my-layer:3/ },
  { input: 'a legacy FC2 layer reference', answer: () => throws(() => parseLayerVersionArn(`${'a'.repeat(32)}#libs#2`, 'alicloud')), code: 'LEGACY_FC_LAYER_ARN', where: () => `${'a'.repeat(32)}#libs#2`, says: /legacy FC2 form/, fix: /copy the ARN from the FC3 console/ },
  { input: 'a runtime of the wrong platform (an FC id on AWS)', answer: () => throws(() => resolveRuntime('aws', 'nodejs20')), code: 'UNKNOWN_RUNTIME', where: () => 'nodejs20', says: /nodejs20/, fix: /nodejs20\.x|[Ff]ix/ },
  { input: 'an unknown platform', answer: () => throws(() => getPlatform('azure' as never)), code: 'UNKNOWN_PLATFORM', where: () => 'azure', says: /layersmith targets 'aws', 'alicloud'/, fix: /'aws', 'alicloud'/ },

  // --- Function stacks (the checks synth runs; fronts add the construct path) ---
  {
    input: '6 layers on one function',
    answer: () => stackFinding({ platform: 'aws', function: { path: 'Stack/Fn', runtime: 'python3.12', architecture: 'x86_64' }, layers: [1, 2, 3, 4, 5, 6].map((i) => layer(`Stack/L${i}`, { files: [`python/m${i}.py`] })) }, 'LS-LAYER-COUNT'),
    code: 'LS-LAYER-COUNT',
    says: /6 layers attached; AWS Lambda allows at most 5/,
    fix: /Merge layers/,
  },
  {
    input: 'over the unzipped budget (function code + layers > 262,144,000 bytes)',
    answer: () => stackFinding({ platform: 'aws', function: { path: 'Stack/Fn', runtime: 'python3.12', architecture: 'x86_64', codeSize: 100_000_000 }, layers: [layer('Stack/Big', { files: ['python/big.bin'], unzippedSize: 200_000_000 })] }, 'LS-UNZIPPED-BUDGET'),
    code: 'LS-UNZIPPED-BUDGET',
    says: /300,000,000 bytes \(layers 200,000,000 bytes \+ function code 100,000,000 bytes\) exceeds the AWS Lambda limit of 262,144,000 bytes by 37,856,000/,
    fix: /split the function, or use a container image/,
  },
  {
    input: 'a wrong-architecture binary (x86_64 ELF in a layer for an arm64 function)',
    answer: () => stackFinding({ platform: 'aws', function: { path: 'Stack/Fn', runtime: 'python3.12', architecture: 'arm64' }, layers: [layer('Stack/Native', { files: ['lib/libfast.so'], compatibleArchitectures: ['arm64'], natives: [{ path: 'lib/libfast.so', cpu: 'x86_64' }] })] }, 'LS-NATIVE-BINARY'),
    code: 'LS-NATIVE-BINARY',
    where: () => 'lib/libfast.so',
    says: /x86_64.*arm64|arm64.*x86_64/,
    fix: /arm64|rebuild|[Bb]uild/,
  },
  {
    input: 'a wrong-OS binary (a macOS Mach-O in a Lambda layer)',
    answer: () => stackFinding({ platform: 'aws', function: { path: 'Stack/Fn', runtime: 'python3.12', architecture: 'x86_64' }, layers: [layer('Stack/Native', { files: ['lib/libfast.dylib'], natives: [{ path: 'lib/libfast.dylib', format: 'macho', os: 'darwin', cpu: 'x86_64' }] })] }, 'LS-NATIVE-BINARY'),
    code: 'LS-NATIVE-BINARY',
    where: () => 'lib/libfast.dylib',
    says: /darwin|macOS|Mach-O/i,
    fix: /Linux|rebuild|[Bb]uild/,
  },
  {
    input: 'a function runtime the layer does not declare (runtimes of the wrong family)',
    answer: () => stackFinding({ platform: 'aws', function: { path: 'Stack/Fn', runtime: 'nodejs20.x', architecture: 'x86_64' }, layers: [layer('Stack/Py', { files: ['python/m.py'], compatibleRuntimes: ['python3.12'] })] }, 'LS-RUNTIME-COMPAT'),
    code: 'LS-RUNTIME-COMPAT',
    where: () => 'Stack/Py',
    says: /nodejs20\.x.*python3\.12|python3\.12.*nodejs20\.x/,
    fix: /compatibleRuntimes|[Aa]dd|[Rr]emove/,
  },
  {
    input: 'the CDK front-end: 6 imported layers on a FunctionWithLayers fail synth with the construct path',
    answer: () => throws(() => {
      const app = new App();
      const stack = new Stack(app, 'Stack');
      new FunctionWithLayers(stack, 'Fn', {
        runtime: lambda.Runtime.PYTHON_3_12,
        handler: 'h.h',
        code: lambda.Code.fromInline('x'),
        layers: [1, 2, 3, 4, 5, 6].map((i) => RuntimeLayer.fromLayerVersionArn(stack, `L${i}`, `arn:aws:lambda:us-east-1:123456789012:layer:l${i}:1`)),
      });
      app.synth();
    }),
    code: 'LS-LAYER-COUNT',
    front: true,
    where: () => 'Stack/Fn',
    says: /LS-LAYER-COUNT.*6.*5/,
    fix: /[Mm]erge|[Rr]emove|fewer/,
  },
];

const rows = CATALOGUE;

function text(answer: unknown): { message: string; code?: string } {
  if (answer instanceof Error) return { message: answer.message, code: (answer as { code?: string }).code };
  return answer as { message: string; code?: string };
}

describe('the catalogue of bad inputs', () => {
  test('holds at least 40 bad inputs, each with a distinct description', () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
    expect(new Set(rows.map((r) => r.input)).size).toBe(rows.length);
  });

  for (const row of rows) {
    (row.tools ? testWithTools(...row.tools) : test)(row.input, async () => {
      // WHEN the bad input is given
      const answer = await row.answer();

      // THEN it is refused with one clear error
      expect(answer).toBeDefined();
      const { message, code: ownCode } = text(answer);
      const code = row.front ? /LS-[A-Z-]+/.exec(message)?.[0] : ownCode;
      if (answer instanceof Error && !(answer instanceof LayersmithError) && !row.front) {
        throw new Error(`'${row.input}' was answered by a bare ${answer.name}, not a LayersmithError: ${message}`);
      }
      expect(code).toBe(row.code);
      // naming where, the rule and numbers, and the fix
      if (row.where) expect(message).toContain(row.where());
      expect(message).toMatch(row.says);
      expect(message).toMatch(row.fix);
      // and no stack trace or "undefined" leaks into it
      expect(message).not.toMatch(/\n\s+at |undefined|\[object Object\]/);

      // and `layersmith inspect` answers the same file with one line and exit 2
      if (row.cli) {
        const out: string[] = [];
        const err: string[] = [];
        const file = row.where!();
        const code2 = await main(['inspect', file], { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
        expect(code2).toBe(2);
        const lines = err.join('').split('\n').filter((l) => l.length > 0);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(file);
        expect(lines[0]).not.toMatch(/internal error|\bat \S+ \(|\.[jt]s:\d+:\d+/);
      }
    });
  }
});

describe('handled, not refused', () => {
  test('a ZIP with more than 65,535 entries (zip64 entry count) is read whole', async () => {
    // GIVEN a layer directory of 65,540 empty files, packed (zip64 end records)
    const dir = makeTempDir('layersmith-test-bad-');
    fs.mkdirSync(path.join(dir, 'python'));
    for (let i = 0; i < 65_540; i++) fs.writeFileSync(path.join(dir, 'python', `f${i}`), '');
    const zip = path.join(makeTempDir('layersmith-test-bad-'), 'many.zip');
    const packed = await packDirectory(dir, zip);

    // WHEN inspected
    const manifest = await inspectZip(zip);

    // THEN every entry is there (65,540 files and python/)
    expect(packed.entryCount).toBe(65_541);
    expect(manifest.zip.entryCount).toBe(65_541);
    expect(manifest.entries.filter((e) => e.type === 'file')).toHaveLength(65_540);
  }, 300_000);
});
