#!/usr/bin/env node
// A real dependency layer: numpy + pandas for python3.11 on AWS Lambda (x86_64), built from pip's
// configured index with the wheels Amazon Linux 2 (glibc 2.26) loads. Cold builds (fresh cache)
// against the same pip command run alone, and a cache hit. Prints a Markdown section to stdout.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { buildLayer, LayerSource, hasTool, wheelTarget, pipTargetArgs } = require('../lib/engine');

const RUNS = Number(process.env.BENCH_RUNS || 3);
const PACKAGES = ['numpy==2.2.6', 'pandas==3.0.6'];
const target = { platform: 'aws', architecture: 'x86_64', runtimes: ['python3.11'] };
const env = { ...process.env, PIP_RETRIES: '0', PIP_DISABLE_PIP_VERSION_CHECK: '1', LAYERSMITH_QUIET: '1' };
Object.assign(process.env, env);

function log(msg) {
  process.stderr.write(`python-deps.bench: ${msg}\n`);
}
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const sec = (n) => `${(n / 1000).toFixed(2)} s`;
const mib = (n) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

async function main() {
  if (!hasTool('python3')) {
    process.stdout.write('## python-deps: skipped (no python3 on PATH)\n');
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layersmith-bench-py-'));
  try {
    const pipAlone = [];
    const wt = wheelTarget(target.platform, target.architecture, target.runtimes, '3.11');
    for (let i = 0; i < RUNS; i++) {
      const dest = path.join(tmp, `pip-${i}`);
      const t0 = Date.now();
      const r = spawnSync('python3', ['-m', 'pip', 'install', '--target', dest, '--no-compile', ...pipTargetArgs(wt), ...PACKAGES], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`pip failed: ${r.stderr.slice(-2000)}`);
      pipAlone.push(Date.now() - t0);
      log(`pip alone run ${i + 1}: ${sec(pipAlone[i])}`);
    }
    const cold = [];
    let art;
    for (let i = 0; i < RUNS; i++) {
      const cacheDir = path.join(tmp, `cache-${i}`);
      const t0 = Date.now();
      art = await buildLayer(LayerSource.python({ packages: PACKAGES }), target, { cacheDir, progress: false });
      cold.push(Date.now() - t0);
      log(`cold build run ${i + 1}: ${sec(cold[i])}`);
    }
    const hits = [];
    for (let i = 0; i < 5; i++) {
      const t0 = process.hrtime.bigint();
      await buildLayer(LayerSource.python({ packages: PACKAGES }), target, { cacheDir: path.join(tmp, 'cache-0'), progress: false });
      hits.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const m = art.manifest;
    const versions = m.packages.filter((p) => p.ecosystem === 'python').map((p) => `${p.name} ${p.version}`).join(', ');
    const tags = m.wheelTags.filter((w) => /numpy|pandas/.test(w.path)).map((w) => w.tags.join('.')).join('; ');
    const out = [
      '## python-deps: a real numpy + pandas layer (python3.11, AWS Lambda, x86_64)',
      '',
      `\`LayerSource.python({ packages: ${JSON.stringify(PACKAGES)} })\` built with \`buildLayer\` into a fresh cache each run, from pip's configured index `
        + `(wheels chosen for Amazon Linux 2, glibc 2.26: ${tags}). "pip alone" is the same pip command line (${wt.platformTags.length} --platform tags) `
        + `into an empty directory, nothing else. Median of ${RUNS} runs; the difference is layersmith's pack (deterministic ZIP), inspect (including .gnu.version_r `
        + 'of every ELF) and cache commit.',
      '',
      '| measurement | median | min | max |',
      '|---|---:|---:|---:|',
      `| pip alone | ${sec(median(pipAlone))} | ${sec(Math.min(...pipAlone))} | ${sec(Math.max(...pipAlone))} |`,
      `| buildLayer, cold | ${sec(median(cold))} | ${sec(Math.min(...cold))} | ${sec(Math.max(...cold))} |`,
      `| buildLayer, cache hit | ${median(hits).toFixed(1)} ms | ${Math.min(...hits).toFixed(1)} ms | ${Math.max(...hits).toFixed(1)} ms |`,
      '',
      `Layer: ${m.zip.entryCount.toLocaleString('en-US')} entries, ${mib(m.zip.zippedSize)} zipped, ${mib(m.zip.unzippedSize)} unzipped, `
        + `${m.natives.length} native binaries, highest GLIBC needed ${m.glibc}; packages: ${versions}.`,
      '',
    ];
    process.stdout.write(out.join('\n'));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});
