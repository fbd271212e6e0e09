// Benchmark: analyzeStack over 500 functions x 5 layers x 5,000 entries per layer.
// Requires the compiled lib (`npx tsc -p tsconfig.json`). Prints a Markdown section to stdout;
// bench/run.js collects it into BENCHMARKS.md.
'use strict';
const os = require('os');
const { analyzeStack } = require('../lib/core');

const FUNCTIONS = 500;
const LAYERS_PER_FUNCTION = 5;
const ENTRIES_PER_LAYER = 5000;
const PACKAGES_PER_LAYER = 100; // 1 directory + 49 files each = 50 entries
const FILES_PER_PACKAGE = ENTRIES_PER_LAYER / PACKAGES_PER_LAYER - 1;
const POOL = 25; // distinct layer contents; neighbours share 20 packages, so stacks shadow files
const RUNS = 7;

/** One layer's manifest: packages pkg[k*80 .. k*80+99] under python/, a few native binaries. */
function layerManifest(k) {
  const entries = [];
  const packages = [];
  const natives = [];
  for (let p = 0; p < PACKAGES_PER_LAYER; p++) {
    const id = k * 80 + p;
    const dir = `python/pkg${String(id).padStart(5, '0')}/`;
    entries.push({ path: dir, size: 0, compressedSize: 0, mode: 0o755, type: 'directory' });
    for (let f = 0; f < FILES_PER_PACKAGE; f++) {
      entries.push({ path: `${dir}m${String(f).padStart(3, '0')}.py`, size: 1000 + f, compressedSize: 400, mode: 0o644, type: 'file' });
    }
    // Shared packages differ in version between neighbouring layers: conflicts to report.
    packages.push({ ecosystem: 'python', name: `pkg${id}`, version: `1.${p >= 80 ? k : k - 1}.0`, path: `${dir}../pkg${id}.dist-info` });
    if (p % 25 === 0) natives.push({ path: `${dir}m000.py`, format: 'elf', os: 'linux', cpu: k % 7 === 0 ? 'arm64' : 'x86_64' });
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : 1));
  const unzipped = entries.reduce((n, e) => n + e.size, 0);
  return {
    schemaVersion: 1,
    zip: { sha256: 'x', crc64: '0', zippedSize: Math.round(unzipped / 2.5), unzippedSize: unzipped, entryCount: entries.length },
    entries, natives, wheelTags: [], packages, excluded: [],
  };
}

/** The 500 stacks. `distinct`: every layer of every function is its own manifest object. */
function corpus(distinct) {
  const pool = Array.from({ length: POOL }, (_, k) => layerManifest(k));
  const stacks = [];
  for (let i = 0; i < FUNCTIONS; i++) {
    const start = i % POOL;
    const fc = i % 2 === 1;
    const layers = [];
    for (let j = 0; j < LAYERS_PER_FUNCTION; j++) {
      const k = (start + j * (1 + (i % 3))) % POOL;
      // A shallow copy is a new object to the per-manifest caches but shares the entry objects,
      // so the distinct corpus costs every index build without needing gigabytes of entries.
      const manifest = distinct ? { ...pool[k], entries: pool[k].entries.slice() } : pool[k];
      layers.push({ layerId: `App/Layer${k}`, displayName: `App/Layer${k}`, manifest,
        compatibleRuntimes: [fc ? 'python3.10' : 'python3.12'], compatibleArchitectures: ['x86_64'] });
    }
    stacks.push({
      platform: fc ? 'alicloud' : 'aws',
      function: { path: `App/Fn${i}`, runtime: fc ? 'python3.10' : 'python3.12', architecture: 'x86_64', codeSize: 1_000_000 },
      layers,
    });
  }
  return stacks;
}

function runOnce(stacks) {
  const t0 = process.hrtime.bigint();
  let findings = 0;
  let shadowed = 0;
  for (const s of stacks) {
    const r = analyzeStack(s);
    findings += r.findings.length;
    shadowed += r.shadowed.length;
  }
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, findings, shadowed };
}

function measure(makeStacks) {
  const times = [];
  let last;
  for (let r = 0; r < RUNS; r++) {
    const stacks = makeStacks();
    if (global.gc) global.gc();
    last = runOnce(stacks);
    times.push(last.ms);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1], findings: last.findings, shadowed: last.shadowed };
}

const fmt = (ms) => `${ms.toFixed(0)} ms`;
const warmStacks = corpus(false);
runOnce(warmStacks); // fills the per-manifest caches the warm rows reuse
const rows = [
  ['25 shared layers, indexes already cached (re-synth)', POOL, measure(() => warmStacks)],
  ['25 shared layers, fresh manifest objects (first synth)', POOL, measure(() => corpus(false))],
  ['every layer a distinct manifest object (worst case)', FUNCTIONS * LAYERS_PER_FUNCTION, measure(() => corpus(true))],
];

const lines = [
  `## analyzeStack: ${FUNCTIONS} functions x ${LAYERS_PER_FUNCTION} layers x ${ENTRIES_PER_LAYER.toLocaleString('en-US')} entries per layer`,
  '',
  `Every stack rule over ${FUNCTIONS} functions (half AWS python3.12, half FC python3.10), each with ${LAYERS_PER_FUNCTION} layers of `
  + `${ENTRIES_PER_LAYER.toLocaleString('en-US')} entries (${PACKAGES_PER_LAYER} packages); neighbouring layers share 20 packages at `
  + 'different versions, so the stacks have shadowed files and version conflicts to report. '
  + `Median of ${RUNS} runs; corpus generation is not timed. Manifest indexes and per-pair overlaps are cached on `
  + 'the manifest objects, so the rows differ in how much of that work each run repeats: none (re-synth), 25 layer '
  + 'indexes (first synth), or 2,500 indexes and every pair (each function with its own five manifests).',
  '',
  '| scenario | distinct manifests | median | min | max | findings | shadowed paths |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map(([name, n, m]) => `| ${name} | ${n} | ${fmt(m.median)} | ${fmt(m.min)} | ${fmt(m.max)} | ${m.findings.toLocaleString('en-US')} | ${m.shadowed.toLocaleString('en-US')} |`),
  '',
  `Node ${process.version}, ${os.cpus()[0] ? os.cpus()[0].model : 'unknown CPU'} (${os.cpus().length} cores), ${os.platform()} ${os.arch()}, `
  + `load average ${os.loadavg()[0].toFixed(1)} while measuring (a busy machine inflates every figure).`,
  '',
];
process.stdout.write(lines.join('\n'));
