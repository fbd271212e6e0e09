#!/usr/bin/env node
/*
 * `npm run bench`: compiles the library, runs every bench/*.bench.js as its own child process
 * (each prints one Markdown section on stdout) and writes BENCHMARKS.md with the machine, the
 * date and the sections in file-name order.
 *
 * Options: `-- --only zip,inspect` runs only the named benches and keeps the other sections of
 * the existing BENCHMARKS.md (each section is tagged with its bench file); BENCH_RUNS sets the
 * number of timed runs per measurement (each bench documents its default).
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const repo = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const onlyIndex = args.indexOf('--only');
const only = onlyIndex >= 0 ? args[onlyIndex + 1].split(',') : undefined;

// Benches load the compiled library (lib/**/*.js), so compile first. Errors in files a bench does
// not use should not stop the run: tsc still emits (noEmitOnError is false).
process.stderr.write('bench: compiling (npx tsc -p tsconfig.json)\n');
const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
if (tsc.status !== 0) process.stderr.write(`bench: tsc exited with ${tsc.status}; running the benches on what it emitted\n`);

const allBenches = fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.js')).sort();
const benches = allBenches.filter((f) => !only || only.includes(f.replace(/\.bench\.js$/, '')));

/** Sections of the existing BENCHMARKS.md by bench file, to keep those not re-run. */
function previousSections() {
  const file = path.join(repo, 'BENCHMARKS.md');
  const out = new Map();
  if (!fs.existsSync(file)) return out;
  const parts = fs.readFileSync(file, 'utf8').split(/^<!-- bench: (\S+) -->$/m);
  for (let i = 1; i + 1 < parts.length; i += 2) out.set(parts[i], parts[i + 1].trim());
  return out;
}
const previous = previousSections();

function cpuModel() {
  const cpus = os.cpus();
  return cpus.length > 0 ? cpus[0].model.trim() : 'unknown';
}

const started = new Date();
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' / ');
const header = [
  '# layersmith benchmarks',
  '',
  'Written by `npm run bench` (bench/run.js). Each section comes from one bench/*.bench.js run as',
  'a child process; medians of several runs, ratios against the reference tool measured in the',
  'same run, on the same corpus. Corpora live in bench/.corpus (git-ignored) and are rebuilt',
  'from the npm registry when missing.',
  '',
  '| machine | |',
  '|---|---|',
  `| CPU | ${cpuModel()} |`,
  `| cores (os.availableParallelism) | ${os.availableParallelism()} |`,
  `| memory | ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB |`,
  `| OS | ${os.type()} ${os.release()} (${os.platform()}/${os.arch()}) |`,
  `| Node | ${process.version} |`,
  `| date | ${started.toISOString()} |`,
  `| load average at start (1/5/15 min) | ${load()} |`,
  '',
];

const sections = [];
/** Benches that failed: their sections say so, and the run exits non-zero. */
const failed = [];
for (const bench of allBenches) {
  if (!benches.includes(bench)) {
    if (previous.has(bench)) sections.push(`<!-- bench: ${bench} -->`, previous.get(bench), '');
    continue;
  }
  process.stderr.write(`bench: running ${bench}\n`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [path.join(__dirname, bench)], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = ((Date.now() - t0) / 1000).toFixed(0);
  sections.push(`<!-- bench: ${bench} -->`);
  if (r.status === 0) {
    sections.push(r.stdout.trim(), '');
  } else {
    failed.push(bench);
    sections.push(`## ${bench}`, '', `This bench failed (exit code ${r.status}${r.signal ? `, signal ${r.signal}` : ''}) after ${seconds} s; `
      + 'its standard output (its errors went to the terminal that ran it):', '', '```', (r.stdout || '').trim(), '```', '');
  }
}
const kept = allBenches.filter((b) => !benches.includes(b) && previous.has(b));
if (kept.length > 0) header.push(`Sections kept from an earlier run (not re-run this time): ${kept.join(', ')}.`, '');
header.push(`Load average at the end: ${load()}. Total time ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s.`, '');
fs.writeFileSync(path.join(repo, 'BENCHMARKS.md'), [...header, ...sections].join('\n'));
process.stderr.write('bench: wrote BENCHMARKS.md\n');
if (failed.length > 0) {
  process.stderr.write(`bench: ${failed.join(', ')} failed (see the errors above)\n`);
  process.exitCode = 1;
}
