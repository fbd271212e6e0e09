import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { makeContext } from './ctx';
import type { PhpSourceSpec, RubySourceSpec } from '../../../lib/engine/api';
import { LayerSource } from '../../../lib/engine/source';
import { buildPhp } from '../../../lib/engine/sources/php';
import { buildRuby } from '../../../lib/engine/sources/ruby';
import { cleanupTempDirs, listFiles, makeTempDir, testWithTools, writeTree } from '../../helpers';

afterAll(cleanupTempDirs);

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stdout}\n${r.stderr}`);
}

/** A composer project requiring a local package through a relative `path` repository; packagist off. */
function composerProject(withLock: boolean): string {
  const base = makeTempDir('composer-');
  writeTree(base, {
    'hello/composer.json': JSON.stringify({ name: 'acme/hello', version: '1.4.0', autoload: { 'psr-4': { 'Acme\\Hello\\': 'src/' } } }),
    'hello/src/Greeter.php': '<?php\nnamespace Acme\\Hello;\nclass Greeter { public static function hi(): string { return "hi"; } }\n',
    'hello/tests/GreeterTest.php': '<?php\n',
    'app/composer.json': JSON.stringify({
      name: 'acme/layer',
      require: { 'acme/hello': '^1.4' },
      repositories: [{ type: 'path', url: '../hello' }, { 'packagist.org': false }],
    }),
  });
  const app = path.join(base, 'app');
  if (withLock) run('composer', ['update', '--no-install', '--no-interaction', '--no-progress'], app);
  return app;
}

describe('php builder (real composer, offline path repository)', () => {
  testWithTools('composer')('installs into php/vendor/ with a copy (not a symlink) and an optimized autoloader', async () => {
    // GIVEN a locked composer project
    const app = composerProject(true);
    const spec = LayerSource.php({ composerDir: app }).bind() as PhpSourceSpec;
    const ctx = makeContext({ platform: 'alicloud', architecture: 'x86_64', runtimes: ['php7.2'] });

    // WHEN built
    await buildPhp(spec, ctx);

    // THEN the package and the autoloader are under php/vendor/, as real files
    const files = listFiles(ctx.staging);
    expect(files).toEqual(expect.arrayContaining(['php/vendor/autoload.php', 'php/vendor/acme/hello/src/Greeter.php', 'php/vendor/composer/autoload_classmap.php']));
    expect(files.filter((f) => !f.startsWith('php/vendor/'))).toEqual([]);
    expect(fs.lstatSync(path.join(ctx.staging, 'php/vendor/acme/hello')).isSymbolicLink()).toBe(false);
    expect(fs.readFileSync(path.join(ctx.staging, 'php/vendor/composer/autoload_classmap.php'), 'utf8')).toContain("'Acme\\\\Hello\\\\Greeter'");
    // and the user's directory got no vendor/
    expect(fs.existsSync(path.join(app, 'vendor'))).toBe(false);
  });

  testWithTools('composer')('a dependency that cannot be resolved fails with composer\'s exit code and message', async () => {
    // GIVEN a project requiring a version the path repository does not have, without a lock
    const app = composerProject(false);
    const json = JSON.parse(fs.readFileSync(path.join(app, 'composer.json'), 'utf8'));
    json.require['acme/hello'] = '^9.0';
    fs.writeFileSync(path.join(app, 'composer.json'), JSON.stringify(json));
    const ctx = makeContext({ platform: 'alicloud', architecture: 'x86_64', runtimes: ['php7.2'] });

    // WHEN / THEN
    await expect(buildPhp(LayerSource.php({ composerDir: app }).bind() as PhpSourceSpec, ctx))
      .rejects.toThrow(/Command failed with exit code 2: composer install --no-dev[\s\S]*acme\/hello/);
    expect(ctx.notes.join('\n')).toContain('has no composer.lock');
  });
});

/** A Gemfile project whose only gem is a local .gem in vendor/cache, locked offline. */
function bundlerProject(): string {
  const base = makeTempDir('bundler-');
  writeTree(base, {
    'gem/hello-layer.gemspec': "Gem::Specification.new do |s|\n  s.name = 'hello-layer'\n  s.version = '0.1.0'\n  s.summary = 'test gem'\n  s.authors = ['t']\n  s.license = 'MIT'\n  s.files = ['lib/hello_layer.rb']\nend\n",
    'gem/lib/hello_layer.rb': "module HelloLayer\n  def self.hi = 'hi'\nend\n",
    'app/Gemfile': 'source "https://rubygems.org"\ngem "hello-layer", "0.1.0"\n',
  });
  run('gem', ['build', 'hello-layer.gemspec'], path.join(base, 'gem'));
  fs.mkdirSync(path.join(base, 'app/vendor/cache'), { recursive: true });
  fs.copyFileSync(path.join(base, 'gem/hello-layer-0.1.0.gem'), path.join(base, 'app/vendor/cache/hello-layer-0.1.0.gem'));
  const app = path.join(base, 'app');
  // Lock offline: a throwaway install writes Gemfile.lock from vendor/cache.
  run('bundle', ['install', '--local'], app, { ...process.env, BUNDLE_PATH: path.join(base, 'scratch'), BUNDLE_APP_CONFIG: path.join(base, 'cfg') });
  return app;
}

describe('ruby builder (real bundler, offline vendor/cache)', () => {
  testWithTools('bundle', 'gem')('installs gems into ruby/gems/X.Y.0/ for the target runtime', async () => {
    // GIVEN a locked Gemfile project and a ruby3.3 target
    const app = bundlerProject();
    const projectBefore = listFiles(app).map((f) => [f, fs.readFileSync(path.join(app, f), 'utf8')]);
    const spec = LayerSource.ruby({ gemfileDir: app }).bind() as RubySourceSpec;
    const ctx = makeContext({ platform: 'aws', architecture: 'x86_64', runtimes: ['ruby3.3'] });

    // WHEN built
    await buildRuby(spec, ctx);

    // THEN the gem and its specification are under ruby/gems/3.3.0/, without the .gem cache
    const files = listFiles(ctx.staging);
    expect(files).toEqual(expect.arrayContaining([
      'ruby/gems/3.3.0/gems/hello-layer-0.1.0/lib/hello_layer.rb',
      'ruby/gems/3.3.0/specifications/hello-layer-0.1.0.gemspec',
    ]));
    expect(files.filter((f) => !f.startsWith('ruby/gems/3.3.0/'))).toEqual([]);
    expect(files.some((f) => f.startsWith('ruby/gems/3.3.0/cache/'))).toBe(false);
    // and the project (lockfile, vendor/cache, .bundle config) was left exactly as it was
    expect(listFiles(app).map((f) => [f, fs.readFileSync(path.join(app, f), 'utf8')])).toEqual(projectBefore);
  });

  test('a missing Gemfile.lock is an error naming the directory and the fix', async () => {
    // GIVEN a Gemfile without a lock
    const dir = makeTempDir('bundler-nolock-');
    writeTree(dir, { Gemfile: 'source "https://rubygems.org"\n' });

    // WHEN / THEN
    await expect(buildRuby(LayerSource.ruby({ gemfileDir: dir }).bind() as RubySourceSpec, makeContext({ platform: 'aws', architecture: 'x86_64', runtimes: ['ruby3.3'] })))
      .rejects.toThrow(`LayerSource.ruby: ${dir} has a Gemfile but no Gemfile.lock, and the layer must install exactly what the lockfile says. Fix: run 'bundle lock' in ${dir} and commit Gemfile.lock.`);
  });
});
