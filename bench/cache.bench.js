#!/usr/bin/env node
// Cache hit vs cold build, on the compiled library (`require('../lib/engine')`).
// Prints a Markdown section to stdout (bench/run.js collects it into BENCHMARKS.md); progress
// goes to stderr. Corpora are generated under bench/.corpus/cache (git-ignored).
'use strict';
const { createHash } = require('crypto');
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { buildLayer, buildLayerSync, computeInputKey, LayerSource, packDirectory, hasTool } = require('../lib/engine');

const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS || 5);
const HIT_RUNS = Number(process.env.BENCH_HIT_RUNS || 20);
const corpusRoot = path.join(__dirname, '.corpus', 'cache');
const target = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.12'] };

function log(msg) {
  process.stderr.write(`cache.bench: ${msg}\n`);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function ms(n) {
  return n < 10 ? n.toFixed(2) : n < 1000 ? n.toFixed(1) : n.toFixed(0);
}

/** A deterministic directory layer: `files` text files of ~`size` bytes in nested dirs. */
function directoryCorpus(files, size) {
  const root = path.join(corpusRoot, `dir-${files}x${size}`);
  if (fs.existsSync(path.join(root, '.done'))) return path.join(root, 'layer');
  fs.rmSync(root, { recursive: true, force: true });
  let seed = createHash('sha256').update(`${files}:${size}`).digest();
  for (let i = 0; i < files; i++) {
    const file = path.join(root, 'layer', 'python', `pkg${i % 40}`, `sub${i % 7}`, `mod${i}.py`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const lines = [];
    while (lines.join('\n').length < size) {
      seed = createHash('sha256').update(seed).digest();
      lines.push(`VALUE_${lines.length} = "${seed.toString('hex').slice(0, 24)}"  # generated`);
    }
    fs.writeFileSync(file, lines.join('\n') + '\n');
  }
  fs.writeFileSync(path.join(root, '.done'), '');
  return path.join(root, 'layer');
}

/** A wheelhouse with one pure-Python wheel of `modules` modules, written with our own zip writer. */
async function wheelCorpus(modules) {
  const root = path.join(corpusRoot, `wheel-${modules}`);
  const links = path.join(root, 'wheels');
  if (fs.existsSync(path.join(root, '.done'))) return links;
  fs.rmSync(root, { recursive: true, force: true });
  const tree = path.join(root, 'tree');
  const record = [];
  const add = (rel, content) => {
    const abs = path.join(tree, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
    const digest = createHash('sha256').update(content).digest('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    record.push(`${rel},sha256=${digest},${Buffer.byteLength(content)}`);
  };
  for (let i = 0; i < modules; i++) add(`benchpkg/m${i}.py`, `def f${i}(x):\n    return x * ${i}\n`.repeat(20));
  add('benchpkg/__init__.py', '');
  add('benchpkg-1.0.0.dist-info/METADATA', 'Metadata-Version: 2.1\nName: benchpkg\nVersion: 1.0.0\n');
  add('benchpkg-1.0.0.dist-info/WHEEL', 'Wheel-Version: 1.0\nGenerator: layersmith-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n');
  record.push('benchpkg-1.0.0.dist-info/RECORD,,');
  fs.writeFileSync(path.join(tree, 'benchpkg-1.0.0.dist-info', 'RECORD'), record.join('\n') + '\n');
  fs.mkdirSync(links, { recursive: true });
  await packDirectory(tree, path.join(links, 'benchpkg-1.0.0-py3-none-any.whl'));
  fs.writeFileSync(path.join(root, '.done'), '');
  return links;
}

async function time(fn) {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, r };
}

async function measure(name, source) {
  const cacheDirs = [];
  const cold = [];
  let artifact;
  for (let i = 0; i < COLD_RUNS; i++) {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'layersmith-bench-cache-'));
    cacheDirs.push(cacheDir);
    const { ms: t, r } = await time(() => buildLayer(source, target, { cacheDir, progress: false }));
    if (r.cacheHit) throw new Error('cold build was a cache hit');
    cold.push(t);
    artifact = r;
    log(`${name}: cold ${i + 1}/${COLD_RUNS} ${ms(t)} ms`);
  }
  const cacheDir = cacheDirs[0];
  const hit = [];
  const syncHit = [];
  const key = [];
  const spec = source.bind();
  for (let i = 0; i < HIT_RUNS; i++) {
    const a = await time(() => buildLayer(source, target, { cacheDir, progress: false }));
    if (!a.r.cacheHit) throw new Error('expected a cache hit');
    hit.push(a.ms);
    const s = await time(() => buildLayerSync(source, target, { cacheDir, progress: false }));
    if (!s.r.cacheHit) throw new Error('expected a cache hit (sync)');
    syncHit.push(s.ms);
    key.push((await time(() => computeInputKey(spec, target))).ms);
  }
  // A hit in a fresh process: no digest memo, every input file read once (what a new `cdk synth` pays).
  const freshHit = [];
  const script = `const b = require(${JSON.stringify(path.join(__dirname, '..', 'lib', 'engine'))});
const spec = ${JSON.stringify(spec)};
const t0 = process.hrtime.bigint();
const a = b.buildLayerSync(spec, ${JSON.stringify(target)}, { cacheDir: ${JSON.stringify(cacheDir)}, progress: false });
if (!a.cacheHit) throw new Error('expected a hit');
process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));`;
  for (let i = 0; i < COLD_RUNS; i++) {
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`fresh-process hit failed: ${r.stderr}`);
    freshHit.push(Number(r.stdout));
  }
  for (const d of cacheDirs) fs.rmSync(d, { recursive: true, force: true });
  const m = artifact.manifest.zip;
  return {
    name,
    entries: m.entryCount,
    unzipped: m.unzippedSize,
    zipped: m.zippedSize,
    cold: median(cold),
    hit: median(hit),
    syncHit: median(syncHit),
    key: median(key),
    freshHit: median(freshHit),
  };
}

async function main() {
  const rows = [];
  rows.push(await measure('directory, 5,000 files', LayerSource.fromDirectory(directoryCorpus(5000, 2000))));
  const pipOk = hasTool('python3') && spawnSync('python3', ['-m', 'pip', '--version']).status === 0;
  if (pipOk) {
    const links = await wheelCorpus(500);
    rows.push(await measure('python (real pip, local wheel, 500 modules)', LayerSource.python({ packages: ['benchpkg==1.0.0'], findLinks: [links], noIndex: true })));
  } else {
    log('python3 with pip not found: the pip row is left out');
  }
  const mb = (n) => (n / (1024 * 1024)).toFixed(1);
  const out = [];
  out.push('## Cache: hit vs cold build');
  out.push('');
  out.push(`Medians of ${COLD_RUNS} cold builds (each into an empty cache) and ${HIT_RUNS} hits on the same inputs. `
    + 'A hit computes the input key (hashing every input file) and reads the manifest; no package manager runs. '
    + '`buildLayerSync` answers a hit in-process, without spawning the build child. Repeated hits in one process '
    + 'reuse file digests (memo on inode, size, mtime, ctime); the fresh-process column is a new process\'s first hit '
    + '(every input read and hashed; Node start-up and require excluded).');
  out.push('');
  out.push(`Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ${os.platform()} ${os.release()}; ${new Date().toISOString().slice(0, 10)}.`);
  out.push('');
  out.push('| layer | entries | unzipped MB | zipped MB | cold build ms | hit ms, fresh process | hit ms (buildLayer) | hit ms (buildLayerSync) | of which key ms | cold / fresh hit |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    out.push(`| ${r.name} | ${r.entries} | ${mb(r.unzipped)} | ${mb(r.zipped)} | ${ms(r.cold)} | ${ms(r.freshHit)} | ${ms(r.hit)} | ${ms(r.syncHit)} | ${ms(r.key)} | ${(r.cold / r.freshHit).toFixed(0)}x |`);
  }
  out.push('');
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((e) => {
  process.stderr.write(`cache.bench failed: ${e.stack || e}\n`);
  process.exit(1);
});
