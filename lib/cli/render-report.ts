import { byCodePoint, code, formatBytes, formatPercent, groupDigits, stableJson, table } from './format';
import type { FunctionReview, LayerReview, ReviewReport } from './report';

/** Largest packages listed per layer in Markdown; the JSON report has every package with its bytes. */
export const MAX_LARGEST_PACKAGES = 5;

/** Shadowed paths listed per function in Markdown; the JSON report always has all of them. */
export const MAX_SHADOWED_ROWS = 50;

/** The review as JSON: sorted keys, a trailing newline, nothing machine- or time-dependent. */
export function renderReportJson(report: ReviewReport): string {
  return stableJson(report);
}

/** The review as Markdown, for a pull-request comment or a committed file. */
export function renderReportMarkdown(report: ReviewReport): string {
  const s = report.summary;
  const out: string[] = [];
  out.push('# layersmith report', '');
  out.push(`Frameworks: ${s.frameworks.length ? s.frameworks.join(', ') : 'none'} · stacks: `
    + `${s.stacks.length ? s.stacks.map(code).join(', ') : 'none'}`, '');
  out.push(...table(['layers', 'functions', 'grants', 'public layers', 'errors', 'warnings', 'order mismatches'], [[
    String(s.layers), String(s.functions), String(s.grants), String(s.publicLayers), String(s.errors), String(s.warnings), String(s.orderMismatches),
  ]]), '');
  if (s.layers === 0 && s.functions === 0) {
    out.push('No layersmith layers or functions were found in this assembly.', '');
  }

  if (report.publicAccess.length > 0) {
    out.push('## ⚠️ PUBLIC LAYERS', '');
    out.push('> [!CAUTION]');
    const n = new Set(report.publicAccess.map((p) => p.layer)).size;
    out.push(n === 1
      ? '> **1 layer is PUBLIC: anyone can attach it to their functions and download its content.**'
      : `> **${n} layers are PUBLIC: anyone can attach them to their functions and download their content.**`);
    out.push('>');
    for (const p of report.publicAccess) {
      out.push(`> - **${code(p.layer)}** (${p.platform}, stack ${code(p.stack)}): ${p.how}`);
    }
    out.push('');
  }

  out.push('## Layers', '');
  if (report.layers.length === 0) out.push('None.', '');
  for (const layer of report.layers) out.push(...renderLayer(layer));

  out.push('## Grants', '');
  if (report.grants.length === 0) {
    out.push('No grants: every layer is usable only by the account (or FC owner) that publishes it.', '');
  } else {
    out.push(...table(['layer', 'who', 'principal', 'organization', 'versions', 'statement'], report.grants.map((g) => [
      code(g.layer), g.kind === 'public' ? '**PUBLIC (anyone)**' : g.kind, code(g.principal),
      g.organizationId ? code(g.organizationId) : '-', g.versions, g.statementId ? code(g.statementId) : '-',
    ])), '');
  }

  out.push('## Functions', '');
  if (report.functions.length === 0) out.push('None.', '');
  for (const fn of report.functions) out.push(...renderFunction(fn));

  return out.join('\n').replace(/\n+$/, '') + '\n';
}

function renderLayer(layer: LayerReview): string[] {
  const out: string[] = [`### ${code(layer.path)}`, ''];
  const access = layer.access === 'public' ? '**PUBLIC**' : layer.access;
  const rows: string[][] = [
    ['platform', `${layer.platform} (${layer.framework}), stack ${code(layer.stack)}`],
    ['layer name', layer.layerName ? code(layer.layerName) : '(generated)'],
  ];
  if (layer.description) rows.push(['description', layer.description]);
  if (layer.license) rows.push(['license', layer.license]);
  rows.push(
    ['runtimes', layer.runtimes.length ? layer.runtimes.join(', ') : '(not declared)'],
    ['architectures', layer.architectures.length ? layer.architectures.join(', ') : '(not declared)'],
    ['access', access],
    ['old versions', layer.retention === 'retain' ? 'retained on update and removal' : 'deleted on update and removal'],
    ['input key', code(layer.inputKey)],
  );
  if (layer.built) {
    rows.push(
      ['zipped', formatBytes(layer.zippedSize ?? 0)],
      ['unzipped', formatBytes(layer.unzippedSize ?? 0)],
      ['entries', groupDigits(layer.entryCount ?? 0)],
      ['SHA-256 (base64)', code(layer.sha256 ?? '')],
      ['CRC-64/XZ', code(layer.crc64 ?? '')],
    );
    if (layer.glibc) rows.push(['highest GLIBC needed', `${layer.glibc} (runtimes whose OS has an older glibc cannot load it)`]);
  } else {
    rows.push(['content', 'not built in this synth (bundling skipped for this stack): sizes and checksums unknown']);
  }
  if (layer.slim) {
    rows.push(['slim', `saved ${formatBytes(layer.slim.savedBytes)} of ${formatBytes(layer.slim.beforeBytes)} `
      + `(${formatPercent(layer.slim.savedBytes, layer.slim.beforeBytes)}): `
      + (layer.slim.rules.map((r) => `${r.rule} ${formatBytes(r.bytes)}`).join(', ') || 'nothing to remove')]);
  }
  out.push(...table(['fact', 'value'], rows), '');
  const sized = layer.packages.filter((p) => p.unzippedBytes !== undefined)
    .sort((a, b) => b.unzippedBytes! - a.unzippedBytes! || byCodePoint(a.name, b.name));
  if (sized.length > 0 && layer.unzippedSize) {
    const shown = sized.slice(0, MAX_LARGEST_PACKAGES);
    out.push(`Largest packages (${shown.length} of ${sized.length}; files in no package: ${formatBytes(layer.unownedBytes ?? 0)}):`, '');
    out.push(...table(['package', 'version', 'files', 'unzipped', 'share'], shown.map((p) => [
      code(p.name), p.version, groupDigits(p.files ?? 0), formatBytes(p.unzippedBytes!), formatPercent(p.unzippedBytes!, layer.unzippedSize!),
    ])), '');
  }
  if (layer.packages.length > 0) {
    out.push(`Packages (${layer.packages.length}):`, '');
    out.push(...table(['ecosystem', 'package', 'version'], layer.packages.map((p) => [p.ecosystem, code(p.name), p.version])), '');
  }
  if (layer.natives.length > 0) {
    out.push(`Native binaries (${layer.natives.length}):`, '');
    out.push(...table(['path', 'OS', 'CPU'], layer.natives.map((n) => [code(n.path), n.os, n.cpu])), '');
  }
  if (layer.secretsExcluded.length > 0) {
    out.push(`Left out as secrets at build time: ${layer.secretsExcluded.map(code).join(', ')}`, '');
  }
  return out;
}

function renderFunction(fn: FunctionReview): string[] {
  const out: string[] = [`### ${code(fn.path)}`, ''];
  out.push(`${fn.platform} (${fn.framework}), stack ${code(fn.stack)} · runtime ${code(fn.runtime)} · ${fn.architecture}`
    + (fn.codeSize !== undefined ? ` · own code ${formatBytes(fn.codeSize)} unzipped` : ''), '');
  const rule = fn.precedence === 'last-wins'
    ? 'on this platform the LAST layer wins when two layers hold the same file'
    : 'on this platform the FIRST layer wins when two layers hold the same file';
  if (fn.layers.length === 0) {
    out.push('No layers.', '');
  } else {
    out.push(`Layers in deployed order (${rule}):`, '');
    out.push(...table(['#', 'layer', 'unzipped'], fn.layers.map((l) => [
      String(l.position), l.layerPath ? code(l.layerPath) : code(l.arn ?? l.displayName),
      l.unzippedSize !== undefined ? formatBytes(l.unzippedSize) : 'unknown',
    ])), '');
  }
  const b = fn.budget;
  out.push(`Unzipped budget: ${formatBytes(b.usedBytes)} of ${formatBytes(b.limitBytes)} (${formatPercent(b.usedBytes, b.limitBytes)})`
    + (b.unknownLayers > 0 ? `, plus ${b.unknownLayers} layer${b.unknownLayers === 1 ? '' : 's'} of unknown size` : ''), '');

  const t = fn.templateOrder;
  if (t.status === 'match') {
    out.push(`Template ${code(t.template ?? '')}: Layers are in exactly this order.`, '');
  } else if (t.status === 'mismatch') {
    out.push(`**Template ${code(t.template ?? '')}: Layers DIFFER from the declared order:** `
      + `${(t.templateLayers ?? []).map(code).join(', ') || '(none)'}`, '');
  }

  if (fn.shadowed.length > 0) {
    out.push(`Shadowed paths (${groupDigits(fn.shadowed.length)}):`, '');
    const shown = fn.shadowed.slice(0, MAX_SHADOWED_ROWS);
    out.push(...table(['path', 'held by (deployed order)', 'wins'], shown.map((s) => [code(s.path), s.layers.map(code).join(', '), code(s.winner)])));
    if (fn.shadowed.length > shown.length) {
      out.push('', `... and ${groupDigits(fn.shadowed.length - shown.length)} more (see \`--format json\`).`);
    }
    out.push('');
  }
  if (fn.findings.length > 0) {
    out.push('Findings:', '');
    out.push(...table(['severity', 'rule', 'message', 'fix'], fn.findings.map((f) => [
      f.severity === 'error' ? '**error**' : f.severity, f.ruleId, f.message, f.fix ?? '',
    ])), '');
  }
  return out;
}
