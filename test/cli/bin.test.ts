import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cleanupTempDirs, expectOneLineError, REPO, runCli, tempDir } from './helpers';

afterAll(cleanupTempDirs);

/** A clone of the repository before `npx projen compile`: bin/, package.json and the TypeScript sources only. */
function uncompiledClone(): string {
  const root = tempDir('clone');
  fs.mkdirSync(path.join(root, 'bin'));
  fs.copyFileSync(path.join(REPO, 'bin', 'layersmith'), path.join(root, 'bin', 'layersmith'));
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(root, 'package.json'));
  fs.cpSync(path.join(REPO, 'lib'), path.join(root, 'lib'), {
    recursive: true,
    filter: (src) => fs.statSync(src).isDirectory() || (src.endsWith('.ts') && !src.endsWith('.d.ts')),
  });
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return root;
}

describe('bin/layersmith', () => {
  test('GIVEN a clone that is not compiled WHEN the command runs THEN it fails with one line saying how to compile, even with TypeScript installed', () => {
    const root = uncompiledClone();
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'layersmith'), '--version'], { cwd: root, encoding: 'utf8' });
    expectOneLineError({ code: r.status, stdout: r.stdout, stderr: r.stderr }, 'lib/ is not compiled', 'npx projen compile', path.join(root, 'lib', 'cli', 'index.js'));
  });

  test('GIVEN compiled JS next to the sources WHEN the command runs THEN the compiled lib/cli answers, whatever the file times', () => {
    // GIVEN a clone whose lib/cli/index.js is older than its source and says who it is
    const root = uncompiledClone();
    const js = path.join(root, 'lib', 'cli', 'index.js');
    fs.writeFileSync(js, 'exports.main = async (argv) => { process.stdout.write("compiled " + argv.join(" ") + "\\n"); return 3; };\n');
    const old = new Date('2001-01-01T00:00:00Z');
    fs.utimesSync(js, old, old);

    // WHEN it runs
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'layersmith'), 'inspect', 'x.zip'], { cwd: root, encoding: 'utf8' });

    // THEN the compiled file ran with the arguments and its exit code is the command's
    expect({ code: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 3, stdout: 'compiled inspect x.zip\n', stderr: '' });
  });

  test('GIVEN this repository compiled WHEN `layersmith --version` runs THEN it prints the package version', () => {
    const r = runCli(['--version']);
    expect(r).toEqual({ code: 0, stdout: `${JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version}\n`, stderr: '' });
  });
});
