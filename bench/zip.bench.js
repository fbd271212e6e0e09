/*
 * Layer ZIP build: packDirectory vs Info-ZIP `zip -r -X` (and archiver, the writer the design
 * first named) on a real node_modules installed from the npm registry into bench/.corpus.
 * Prints one Markdown section. BENCH_RUNS (default 3) timed runs per tool, interleaved so
 * machine load hits both alike; BENCH_ARCHIVER=0 skips the (slow) archiver run.
 */
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const repo = path.resolve(__dirname, '..');
const corpusDir = path.join(__dirname, '.corpus', 'node-layer');
const modules = path.join(corpusDir, 'node_modules');
const outDir = path.join(__dirname, '.corpus', 'out');
const runs = Number(process.env.BENCH_RUNS || 3);

/** Pinned real packages; about 213 MB and 52,000 files once installed. */
const CORPUS = {
  'aws-sdk': '2.1692.0',
  typescript: '5.6.3',
  '@babel/core': '7.26.0',
  '@babel/preset-env': '7.26.0',
  lodash: '4.17.21',
  'date-fns': '4.1.0',
  rxjs: '7.8.1',
  moment: '2.30.1',
  '@mui/icons-material': '6.1.6',
};

function ensureCorpus() {
  if (fs.existsSync(path.join(modules, 'aws-sdk', 'package.json'))) return;
  fs.mkdirSync(corpusDir, { recursive: true });
  fs.writeFileSync(path.join(corpusDir, 'package.json'), JSON.stringify({ name: 'bench-corpus', version: '1.0.0', private: true, dependencies: CORPUS }, null, 2));
  process.stderr.write('zip bench: installing the corpus with npm (one time)\n');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=dev'], { cwd: corpusDir, stdio: ['ignore', 'ignore', 'inherit'] });
}

function treeStats(dir) {
  let files = 0, dirs = 0, bytes = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) { dirs++; stack.push(p); } else if (e.isFile()) { files++; bytes += fs.lstatSync(p).size; }
    }
  }
  return { files, dirs, bytes };
}

/** Runs a command under /usr/bin/time: wall seconds, CPU seconds, peak RSS of the process tree's biggest process. */
function timed(cmd, args, cwd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'BENCHTIME %U %S %M', cmd, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const m = /BENCHTIME ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  return { wall, cpu: Number(m[1]) + Number(m[2]), rssMb: Number(m[3]) / 1024, stdout: r.stdout };
}

const PACK_CHILD = `
const { packDirectory } = require(${JSON.stringify(path.join(repo, 'lib/engine/zip'))});
packDirectory(process.argv[1], process.argv[2], { workers: Number(process.argv[3]) || undefined })
  .then((r) => console.log(JSON.stringify({ zippedSize: r.zippedSize, entryCount: r.entryCount })))
  .catch((e) => { console.error(e); process.exit(1); });
`;

const ARCHIVER_CHILD = `
const archiver = require('archiver');
const fs = require('fs');
const path = require('path');
const [root, out] = process.argv.slice(1);
const files = [];
(function walk(rel) {
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? rel + '/' + e.name : e.name;
    if (e.isDirectory()) walk(r); else if (e.isFile()) files.push(r);
  }
})('');
files.sort();
const output = fs.createWriteStream(out);
const zip = archiver('zip', { zlib: { level: 6 } });
zip.pipe(output);
const date = new Date('1980-01-01T00:00:00Z');
for (const f of files) zip.file(path.join(root, f), { name: f, date, mode: 0o644 });
output.on('close', () => console.log(JSON.stringify({ zippedSize: fs.statSync(out).size })));
zip.finalize();
`;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const SPIN = `
const { parentPort, workerData } = require('worker_threads');
let x = 0;
for (let i = 0; i < workerData; i++) x = (x + i) % 1000003;
parentPort.postMessage(x);
`;

/** How many cores this process can really use right now: N threads of a fixed loop vs one. */
async function freeCoreCount() {
  const { Worker } = require('worker_threads');
  const n = require('os').availableParallelism();
  const loops = 3e8;
  const run = (threads) => new Promise((resolve) => {
    const t = process.hrtime.bigint();
    let left = threads;
    for (let i = 0; i < threads; i++) {
      const w = new Worker(SPIN, { eval: true, workerData: loops });
      w.on('message', () => {
        w.terminate();
        if (--left === 0) resolve(Number(process.hrtime.bigint() - t) / 1e9);
      });
    }
  });
  const one = await run(1);
  const many = await run(n);
  return Math.min(n, (n * one) / many);
}

async function main() {
  const freeCores = { before: await freeCoreCount(), after: 0 };
  ensureCorpus();
  fs.mkdirSync(outDir, { recursive: true });
  const stats = treeStats(modules);
  const zipOut = path.join(outDir, 'info-zip.zip');
  const packOut = path.join(outDir, 'layersmith.zip');
  const results = { zip: [], pack: [], pack1: [], archiver: [] };
  let zipSize = 0, packSize = 0, pack1Size = 0, archiverSize = 0;
  for (let i = 0; i < runs; i++) {
    fs.rmSync(zipOut, { force: true });
    process.stderr.write(`zip bench: run ${i + 1}/${runs}: zip -r -X\n`);
    results.zip.push(timed('zip', ['-qr', '-X', '-y', zipOut, '.'], modules));
    zipSize = fs.statSync(zipOut).size;
    process.stderr.write(`zip bench: run ${i + 1}/${runs}: packDirectory\n`);
    const p = timed(process.execPath, ['-e', PACK_CHILD, modules, packOut, '0'], repo);
    results.pack.push(p);
    packSize = JSON.parse(p.stdout).zippedSize;
  }
  process.stderr.write('zip bench: packDirectory with one worker\n');
  const p1 = timed(process.execPath, ['-e', PACK_CHILD, modules, packOut, '1'], repo);
  results.pack1.push(p1);
  pack1Size = JSON.parse(p1.stdout).zippedSize;
  if (process.env.BENCH_ARCHIVER !== '0') {
    process.stderr.write('zip bench: archiver, one entry at a time (slow)\n');
    const a = timed(process.execPath, ['-e', ARCHIVER_CHILD, modules, path.join(outDir, 'archiver.zip')], repo);
    results.archiver.push(a);
    archiverSize = JSON.parse(a.stdout).zippedSize;
  }
  freeCores.after = await freeCoreCount();
  const zipWall = median(results.zip.map((r) => r.wall));
  const row = (name, rs, size, note) => {
    if (rs.length === 0) return undefined;
    const wall = median(rs.map((r) => r.wall));
    return `| ${name} | ${rs.length} | ${wall.toFixed(2)} s | ${(wall / zipWall).toFixed(2)}x | ${median(rs.map((r) => r.cpu)).toFixed(2)} s | ${(size / 1e6).toFixed(1)} MB (${((size / zipSize) * 100).toFixed(1)} %) | ${Math.max(...rs.map((r) => r.rssMb)).toFixed(0)} MB | ${note} |`;
  };
  const packWall = median(results.pack.map((r) => r.wall));
  const packRss = Math.max(...results.pack.map((r) => r.rssMb));
  const ratio = packWall / zipWall;
  const lines = [
    '## Layer ZIP build (packDirectory vs `zip -r -X`)',
    '',
    `Corpus: a real node_modules (${Object.entries(CORPUS).map(([n, v]) => `${n}@${v}`).join(', ')}), `
      + `${stats.files} files, ${stats.dirs} directories, ${(stats.bytes / 1e6).toFixed(1)} MB. `
      + 'Each tool runs as its own process under /usr/bin/time; wall time is the median, CPU is user + system, '
      + 'peak RSS is the process maximum (worker threads included). Runs alternate between the tools.',
    '',
    '| tool | runs | wall (median) | vs zip -r -X | CPU (median) | ZIP size (vs zip) | peak RSS | notes |',
    '|---|---|---|---|---|---|---|---|',
    row('`zip -qr -X -y` (Info-ZIP, deflate -6)', results.zip, zipSize, 'one core'),
    row('packDirectory (default workers)', results.pack, packSize, 'deflate level 6 on worker threads'),
    row('packDirectory, workers: 1', results.pack1, pack1Size, 'same code, one deflate worker'),
    row('archiver 7, one entry at a time', results.archiver, archiverSize, 'the writer the design named; not used on the build path'),
  ].filter((l) => l !== undefined);
  const zipCpu = median(results.zip.map((r) => r.cpu));
  const packCpu = median(results.pack.map((r) => r.cpu));
  lines.push('',
    `Target: wall <= 0.5x \`zip -r -X\`: **${ratio <= 0.5 ? 'MET' : 'MISSED'}** (${ratio.toFixed(2)}x). `
      + `Peak RSS < 250 MB: **${packRss < 250 ? 'MET' : 'MISSED'}** (${packRss.toFixed(0)} MB). `
      + `CPU spent: packDirectory ${packCpu.toFixed(2)} s vs zip ${zipCpu.toFixed(2)} s (${(packCpu / zipCpu).toFixed(2)}x); `
      + `with ${require('os').availableParallelism()} cores the best possible wall time is about CPU / cores, if the cores are free. `
      + `Load average when this section finished: ${require('os').loadavg().map((l) => l.toFixed(1)).join(' / ')}.`,
    '',
    `Cores actually free for this bench: ${freeCores.before.toFixed(2)} before the runs and ${freeCores.after.toFixed(2)} after `
      + `(of ${require('os').availableParallelism()}; measured by timing the same CPU-bound loop on 1 and on ${require('os').availableParallelism()} threads at once). `
      + 'packDirectory can only beat a one-core `zip` by the number of free cores: with about one free core, its wall time '
      + 'is its CPU time; with two free cores it would be about CPU / 2.',
    '',
    'Why packDirectory does not use archiver: archiver (like yazl) deflates each entry itself, one at a time, on the '
      + 'main thread, behind a stream per entry; the per-entry overhead dominates on tens of thousands of small files '
      + '(the archiver row above; the issue measured 44 s vs 7.6 s for `zip` on a 271 MB node_modules). '
      + 'Neither library accepts entries compressed elsewhere, so layersmith writes the container itself '
      + '(lib/engine/zip/zip-writer.ts: local headers, data descriptors for streamed files, central directory, zip64), '
      + 'with files read and deflated in batches of up to 256 files / 1 MiB on worker threads and files of 4 MiB or more streamed. '
      + 'The output is checked by yauzl and `unzip -t` in test/engine/zip.',
    '');
  console.log(lines.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
