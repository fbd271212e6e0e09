/*
 * The user's path: `cdk synth` (the real CLI, a child process, as users run it) of an app with
 * one RuntimeLayer over a real node_modules installed from the npm registry, against an empty
 * synth, Info-ZIP `zip -r -X` of the same tree, and aws-cdk's own path (`Code.fromAsset` synth
 * plus the zipDirectory that cdk-assets runs at `cdk deploy`, loaded from aws-cdk's bundle).
 * Prints one Markdown section. BENCH_RUNS (default 3) rounds; each round runs every case once,
 * in a fixed interleaved order, so machine load hits every case alike.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const repo = path.resolve(__dirname, '..');
const base = path.join(__dirname, '.corpus', 'user-path');
const layerRoot = path.join(base, 'layer');
const nodeDir = path.join(layerRoot, 'nodejs');
const modules = path.join(nodeDir, 'node_modules');
const altDir = path.join(base, 'alt');
const work = path.join(base, 'work');
const runs = Number(process.env.BENCH_RUNS || 3);

/** Pinned real packages: about 24,000 files and 187 MB once installed (the issue's layer: 23,483 files, 190.7 MiB). */
const CORPUS = {
  'aws-sdk': '2.1692.0',
  typescript: '5.6.3',
  '@babel/core': '7.26.0',
  '@babel/preset-env': '7.26.0',
  lodash: '4.17.21',
  'lodash-es': '4.17.21',
  'date-fns': '4.1.0',
  rxjs: '7.8.1',
  moment: '2.30.1',
  'core-js': '3.39.0',
  ramda: '0.30.1',
  '@fortawesome/free-solid-svg-icons': '6.6.0',
};
/** The incremental case: this package of the corpus replaced by another version. */
const SWAPPED = { name: 'moment', version: '2.29.4' };

function npmInstall(dir, dependencies) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'bench-corpus', version: '1.0.0', private: true, dependencies }, null, 2));
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=dev'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`npm install in ${dir} failed (${r.status})`);
}

function ensureCorpus() {
  const pinned = (dir, name, version) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')).version === version;
    } catch {
      return false;
    }
  };
  if (!Object.entries(CORPUS).every(([n, v]) => pinned(nodeDir, n, v))) {
    process.stderr.write('user-path bench: installing the corpus with npm (one time)\n');
    npmInstall(nodeDir, CORPUS);
  }
  if (!pinned(altDir, SWAPPED.name, SWAPPED.version)) npmInstall(altDir, { [SWAPPED.name]: SWAPPED.version });
}

function treeStats(dir) {
  let files = 0, bytes = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p); else if (e.isFile()) { files++; bytes += fs.lstatSync(p).size; }
    }
  }
  return { files, bytes };
}

const APP = `
const mode = process.env.BENCH_MODE;
const cdk = require(${JSON.stringify(path.join(repo, 'node_modules', 'aws-cdk-lib'))});
const lambda = require(${JSON.stringify(path.join(repo, 'node_modules', 'aws-cdk-lib', 'aws-lambda'))});
const app = new cdk.App();
const stack = new cdk.Stack(app, 'Bench');
// The same resource in every mode, so the empty synth synthesizes a valid template.
new cdk.CfnWaitConditionHandle(stack, 'Anchor');
if (mode === 'layersmith') {
  const { LayerSource, RuntimeLayer } = require(${JSON.stringify(path.join(repo, 'lib', 'aws-cdk'))});
  new RuntimeLayer(stack, 'Deps', { source: LayerSource.fromDirectory(process.env.BENCH_LAYER), compatibleRuntimes: [lambda.Runtime.NODEJS_20_X] });
} else if (mode === 'asset') {
  new lambda.LayerVersion(stack, 'Deps', { code: lambda.Code.fromAsset(process.env.BENCH_LAYER), compatibleRuntimes: [lambda.Runtime.NODEJS_20_X] });
}
app.synth();
`;

/**
 * cdk-assets' zipDirectory as \`cdk deploy\` runs it: aws-cdk ships it inside its single bundle
 * (lib/index.js, module require_zip), so the bundle is compiled with one export added. Only the
 * zipDirectory call is timed (the bundle takes seconds to load, which deploy pays anyway).
 */
const CDK_ZIP_CHILD = `
const fs = require('fs'); const path = require('path'); const Module = require('module');
const file = path.join(path.dirname(require.resolve('aws-cdk/package.json', { paths: [${JSON.stringify(repo)}] })), 'lib', 'index.js');
const m = new Module(file, module); m.filename = file; m.paths = Module._nodeModulePaths(path.dirname(file));
m._compile(fs.readFileSync(file, 'utf8') + '\\n;module.exports.__benchZip = require_zip;\\n', file);
const { zipDirectory } = m.exports.__benchZip();
const t = process.hrtime.bigint();
zipDirectory(process.argv[1], process.argv[2]).then(() => {
  console.log(JSON.stringify({ seconds: Number(process.hrtime.bigint() - t) / 1e9, size: fs.statSync(process.argv[2]).size }));
}, (e) => { console.error(e); process.exit(1); });
`;

/** Runs a command under /usr/bin/time: wall seconds, CPU seconds, peak RSS (MB) of the biggest process in the tree. */
function timed(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'BENCHTIME %U %S %M', cmd, ...args], {
    cwd: opts.cwd ?? work, env: { ...process.env, ...opts.env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-4000)}`);
  const m = /BENCHTIME ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  return { wall, cpu: Number(m[1]) + Number(m[2]), rssMb: Number(m[3]) / 1024, stdout: r.stdout, stderr: r.stderr };
}

const cdkCli = path.join(repo, 'node_modules', 'aws-cdk', 'bin', 'cdk');
const appFile = path.join(work, 'app.js');
let outCount = 0;

/** One `cdk synth` into a fresh output directory (a re-used cdk.out would skip bundling). */
function synth(mode, cacheDir) {
  const out = path.join(work, `cdk.out-${outCount++}`);
  const r = timed(process.execPath, [cdkCli, 'synth', '--app', `${process.execPath} ${appFile}`, '-o', out, '-q', '--no-notices', '--no-version-reporting'], {
    env: { BENCH_MODE: mode, BENCH_LAYER: layerRoot, LAYERSMITH_CACHE_DIR: cacheDir ?? path.join(work, 'unused-cache'), LAYERSMITH_QUIET: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  return { ...r, out };
}

/** The staged asset directory aws-cdk copied into cdk.out (asset.<hash>). */
function stagedAsset(out) {
  const dir = fs.readdirSync(out).find((n) => n.startsWith('asset.') && fs.statSync(path.join(out, n)).isDirectory());
  if (!dir) throw new Error(`no staged asset directory in ${out}`);
  return path.join(out, dir);
}

/** Size of the biggest .zip under a cloud assembly (the staged layer). */
function largestZip(dir) {
  let best = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) best = Math.max(best, largestZip(p));
    else if (e.name.endsWith('.zip')) best = Math.max(best, fs.statSync(p).size);
  }
  return best;
}

/**
 * The layersmith build alone, as the synth's build child runs it (key, pack, inspect, commit)
 * into a fresh cache: its peak RSS is layersmith's own, apart from the CLI's and aws-cdk-lib's.
 */
const BUILD_CHILD = `
const { buildLayer, LayerSource } = require(${JSON.stringify(path.join(repo, 'lib', 'engine'))});
buildLayer(LayerSource.fromDirectory(process.argv[1]), { platform: 'aws', architecture: 'x86_64', runtimes: ['nodejs20.x'] }, { cacheDir: process.argv[2], progress: false })
  .then((a) => console.log(JSON.stringify({ size: a.manifest.zip.zippedSize })), (e) => { console.error(e); process.exit(1); });
`;

/** Swaps the corpus's moment for the other version (and back): the incremental case. */
function swapPackage() {
  const inCorpus = path.join(modules, SWAPPED.name);
  const other = path.join(altDir, 'node_modules', SWAPPED.name);
  const tmp = `${inCorpus}.swap`;
  fs.renameSync(inCorpus, tmp);
  fs.renameSync(other, inCorpus);
  fs.renameSync(tmp, other);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function main() {
  ensureCorpus();
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  fs.writeFileSync(appFile, APP);
  const stats = treeStats(modules);
  const loadStart = os.loadavg();
  const res = { zip: [], empty: [], cold: [], warm: [], incremental: [], engine: [], asset: [], cdkZip: [] };
  let zipSize = 0, ourSize = 0, cdkZipSize = 0;
  for (let i = 0; i < runs; i++) {
    const step = (name) => process.stderr.write(`user-path bench: round ${i + 1}/${runs}: ${name}\n`);
    step('zip -r -X');
    const zipOut = path.join(work, 'info-zip.zip');
    fs.rmSync(zipOut, { force: true });
    res.zip.push(timed('zip', ['-qr', '-X', '-y', zipOut, '.'], { cwd: layerRoot }));
    zipSize = fs.statSync(zipOut).size;
    fs.rmSync(zipOut, { force: true });

    step('empty synth');
    res.empty.push(synth('empty'));

    const cache = path.join(work, `cache-${i}`);
    step('layersmith cold');
    res.cold.push(synth('layersmith', cache));
    step('layersmith warm');
    const warm = synth('layersmith', cache);
    res.warm.push(warm);
    ourSize = largestZip(warm.out);

    step('layersmith incremental (one package swapped)');
    swapPackage();
    try {
      res.incremental.push(synth('layersmith', cache));
    } finally {
      swapPackage();
    }

    step('layersmith build alone (peak RSS of the engine)');
    res.engine.push(timed(process.execPath, ['-e', BUILD_CHILD, layerRoot, path.join(work, `engine-cache-${i}`)], { cwd: repo, env: { LAYERSMITH_CACHE_DIR: path.join(work, `engine-cache-${i}`) } }));

    step('aws-cdk Code.fromAsset synth');
    const asset = synth('asset');
    res.asset.push(asset);
    step('cdk-assets zipDirectory');
    const cz = timed(process.execPath, ['-e', CDK_ZIP_CHILD, stagedAsset(asset.out), path.join(work, 'cdk-assets.zip')], { cwd: repo });
    const czOut = JSON.parse(cz.stdout.trim().split('\n').pop());
    res.cdkZip.push({ ...cz, wall: czOut.seconds });
    cdkZipSize = czOut.size;
    for (const n of fs.readdirSync(work)) {
      if (n.startsWith('cdk.out-') || n.startsWith('cache-') || n.startsWith('engine-cache-') || n === 'cdk-assets.zip') fs.rmSync(path.join(work, n), { recursive: true, force: true });
    }
  }
  const loadEnd = os.loadavg();
  const med = (k) => median(res[k].map((r) => r.wall));
  const cpu = (k) => median(res[k].map((r) => r.cpu));
  const rss = (k) => Math.max(...res[k].map((r) => r.rssMb));
  const zip = med('zip');
  const empty = med('empty');
  const above = (k) => (med(k) - empty) / zip;
  const row = (name, k, ratio, note) => `| ${name} | ${med(k).toFixed(2)} s | ${ratio} | ${cpu(k).toFixed(2)} s | ${rss(k).toFixed(0)} MB | ${note} |`;
  const awsTotal = med('asset') + med('cdkZip');
  const ratios = { cold: above('cold'), warm: above('warm'), incremental: above('incremental') };
  const synthPeak = Math.max(rss('cold'), rss('warm'), rss('incremental'));
  const ourPeak = rss('engine');
  const endToEnd = awsTotal / med('cold');
  const mark = (ok) => (ok ? '**MET**' : '**MISSED**');
  const lines = [
    '## The user\'s path: `cdk synth` of an app with one node_modules layer',
    '',
    `Corpus: a real node_modules (${Object.entries(CORPUS).map(([n, v]) => `${n}@${v}`).join(', ')}; npm, scripts off), `
      + `${stats.files.toLocaleString('en-US')} files, ${(stats.bytes / 2 ** 20).toFixed(1)} MiB, as \`nodejs/node_modules\` of a `
      + '`LayerSource.fromDirectory` layer. Every synth is the real `cdk synth` CLI (aws-cdk) in a child process, into a fresh '
      + 'output directory, under /usr/bin/time. Cold: an empty layersmith cache; warm: the same cache again; incremental: '
      + `${SWAPPED.name} replaced by ${SWAPPED.version} after the cold build, so the key changes and the layer is rebuilt. `
      + `${runs} rounds, each running every case once in the order of the table; medians. Wall is the child process; CPU is user + system `
      + 'of the process tree; peak RSS is the largest single process of the tree (the CLI, the app or the build child). '
      + 'The zipDirectory row times only the call (cdk-assets\' zip as `cdk deploy` runs it, loaded from aws-cdk\'s bundle).',
    '',
    `Load average (1/5/15 min) at the start: ${loadStart.map((l) => l.toFixed(1)).join(' / ')}; at the end: ${loadEnd.map((l) => l.toFixed(1)).join(' / ')} `
      + `(${os.availableParallelism()} cores).${loadStart[0] > os.availableParallelism() ? ' **The machine was loaded** (other jobs shared the cores), which inflates every figure, the references included.' : ''}`,
    '',
    '| path | wall (median) | vs `zip -r -X` | CPU (median) | peak RSS | notes |',
    '|---|---|---|---|---|---|',
    row('`zip -qr -X -y` (Info-ZIP)', 'zip', '1.00x', `${(zipSize / 1e6).toFixed(1)} MB ZIP, one core`),
    row('empty `cdk synth` (CLI + aws-cdk-lib load + synth)', 'empty', `${(empty / zip).toFixed(2)}x`, 'the floor every synth pays'),
    row('aws-cdk: synth with `Code.fromAsset`', 'asset', `${(med('asset') / zip).toFixed(2)}x`, 'fingerprints and copies the tree into cdk.out'),
    row('... plus cdk-assets `zipDirectory` at deploy', 'cdkZip', `+${(med('cdkZip') / zip).toFixed(2)}x`, `${(cdkZipSize / 1e6).toFixed(1)} MB ZIP (yazl, one file at a time)`),
    row('layersmith cold synth', 'cold', `${(med('cold') / zip).toFixed(2)}x (${ratios.cold.toFixed(2)}x above the empty synth)`, `${(ourSize / 1e6).toFixed(1)} MB ZIP`),
    row('layersmith warm synth (nothing changed)', 'warm', `${(med('warm') / zip).toFixed(2)}x (${ratios.warm.toFixed(2)}x above the empty synth)`, 'cache hit'),
    row('layersmith build alone, cold (`buildLayer` in one process, no CDK)', 'engine', `${(med('engine') / zip).toFixed(2)}x`, 'key, pack, inspect, commit: the engine\'s own memory'),
    row(`layersmith incremental synth (${SWAPPED.name} swapped)`, 'incremental', `${(med('incremental') / zip).toFixed(2)}x (${ratios.incremental.toFixed(2)}x above the empty synth)`, 'rebuild; unchanged files reuse their compressed entries'),
    '',
    'Targets (time above the empty synth, divided by `zip -r -X` in the same run):',
    '',
    `- cold <= 0.50x: ${mark(ratios.cold <= 0.5)} (${ratios.cold.toFixed(2)}x)`,
    `- warm <= 0.05x: ${mark(ratios.warm <= 0.05)} (${ratios.warm.toFixed(2)}x)`,
    `- incremental <= 0.15x: ${mark(ratios.incremental <= 0.15)} (${ratios.incremental.toFixed(2)}x)`,
    `- peak RSS < 250 MB: ${mark(ourPeak < 250)} (${ourPeak.toFixed(0)} MB, the layersmith build process; the largest process of a layersmith synth is `
      + `${synthPeak.toFixed(0)} MB and of an empty synth ${rss('empty').toFixed(0)} MB: that is the CDK CLI and aws-cdk-lib, not the layer)`,
    `- end-to-end >= 5x faster than aws-cdk's synth + deploy-time zip: ${mark(endToEnd >= 5)} (${awsTotal.toFixed(2)} s vs ${med('cold').toFixed(2)} s cold = ${endToEnd.toFixed(1)}x; `
      + `warm ${(awsTotal / med('warm')).toFixed(1)}x)`,
    '',
  ];
  console.log(lines.join('\n'));
}

main();
