#!/usr/bin/env node
// slim on the real numpy + pandas + scipy layer (python3.11 x86_64, from pip's configured index).
// Requires the compiled lib (`npx tsc -p tsconfig.json`). Prints a Markdown section to stdout
// (bench/run.js collects it into BENCHMARKS.md); progress goes to stderr. The unslimmed layer is
// built once with the engine and extracted under bench/.corpus/slim (git-ignored).
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { buildLayer, extractZip, LayerSource, slimLayer } = require('../lib/engine');

const RUNS = Number(process.env.BENCH_RUNS || 3);
const PACKAGES = ['numpy', 'pandas', 'scipy'];
const target = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.11'] };
const corpus = path.join(__dirname, '.corpus', 'slim');

function log(msg) {
  process.stderr.write(`slim.bench: ${msg}\n`);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const group = (n) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' / ');

async function layerTree() {
  const done = path.join(corpus, '.done');
  const root = path.join(corpus, 'layer');
  if (fs.existsSync(done)) return root;
  fs.rmSync(corpus, { recursive: true, force: true });
  fs.mkdirSync(corpus, { recursive: true });
  log('building the unslimmed layer (pip install numpy pandas scipy)');
  process.env.PIP_RETRIES = '0';
  const art = await buildLayer(LayerSource.python({ packages: PACKAGES }), target, { cacheDir: path.join(corpus, 'cache'), progress: false });
  await extractZip(art.zipPath, root);
  fs.writeFileSync(path.join(corpus, 'zip-size'), String(art.manifest.zip.zippedSize));
  fs.writeFileSync(done, '');
  return root;
}

async function main() {
  const source = await layerTree();
  const loadBefore = load();
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'layersmith-bench-slim-'));
    try {
      const copy = path.join(work, 'layer');
      execFileSync('cp', ['-a', source, copy]);
      const steps = {};
      const t0 = process.hrtime.bigint();
      const record = await slimLayer(copy, { keep: [], remove: [], strip: true }, {
        ...target,
        work,
        step: async (name, fn) => {
          const s = process.hrtime.bigint();
          try {
            return await fn();
          } finally {
            steps[name.replace(/ \(.*\)$/, '')] = Number(process.hrtime.bigint() - s) / 1e6;
          }
        },
      });
      const total = Number(process.hrtime.bigint() - t0) / 1e6;
      runs.push({ total, steps, record });
      log(`run ${i + 1}/${RUNS}: ${secs(total)}, saved ${group(record.savedBytes)} bytes`);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  const loadAfter = load();
  const r = runs[0].record;
  const stepNames = Object.keys(runs[0].steps);
  const out = [];
  out.push('## slim: numpy + pandas + scipy (python3.11 x86_64)');
  out.push('');
  out.push(`\`slimLayer\` with the default profile on the extracted layer of \`LayerSource.python({ packages: ['numpy', 'pandas', 'scipy'] })\` `
    + `(the layer issue #12 measured), a fresh copy per run (the copy is not timed). Median of ${RUNS} runs; the import check imports `
    + `${r.verification.modules.length} modules (every top-level package and its public subpackages) with ${r.verification.interpreter ?? 'no interpreter'}, `
    + 'one subprocess per top-level package, two at a time.');
  out.push('');
  out.push('| | bytes | |');
  out.push('|---|---:|---:|');
  out.push(`| unzipped before | ${group(r.beforeBytes)} | |`);
  out.push(`| unzipped after | ${group(r.afterBytes)} | |`);
  out.push(`| saved | ${group(r.savedBytes)} | ${((100 * r.savedBytes) / r.beforeBytes).toFixed(1)}% |`);
  for (const rule of r.rules) out.push(`| - ${rule.rule} (${group(rule.files)} files) | ${group(rule.bytes)} | ${((100 * rule.bytes) / r.beforeBytes).toFixed(1)}% |`);
  out.push('');
  out.push(`Kept although a rule matched (imported by kept code): ${r.kept.map((k) => `\`${k.path}\``).join(', ') || 'none'}. `
    + `Shared objects not stripped: ${r.stripSkipped.length} (vendored *.libs/: ${r.stripSkipped.filter((s) => s.reason.startsWith('a vendored')).length}, `
    + `program headers would move: ${r.stripSkipped.filter((s) => s.reason.includes('last loaded segment')).length}).`);
  out.push('');
  out.push('| step | median | min | max |');
  out.push('|---|---:|---:|---:|');
  for (const name of stepNames) {
    const xs = runs.map((x) => x.steps[name] ?? 0);
    out.push(`| ${name} | ${secs(median(xs))} | ${secs(Math.min(...xs))} | ${secs(Math.max(...xs))} |`);
  }
  const totals = runs.map((x) => x.total);
  out.push(`| **total** | **${secs(median(totals))}** | ${secs(Math.min(...totals))} | ${secs(Math.max(...totals))} |`);
  out.push('');
  out.push(`Node ${process.version}, ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'} (${os.availableParallelism()} cores), ${os.platform()} ${os.arch()}; `
    + `load average ${loadBefore} before and ${loadAfter} after (1/5/15 min). The machine is shared with other work, so the times are upper bounds; `
    + 'the byte figures do not depend on load.');
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((e) => {
  process.stderr.write(`slim.bench: ${e.stack || e}\n`);
  process.exit(1);
});
