#!/usr/bin/env bash
# Synthesizes the ROS CDK example offline (ROS CDK synth is running the app) into
# examples/ros-cdk-app/cdk.out (or $ROS_CDK_OUTDIR), then prints what was built.
# scripts/demo.sh runs this.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${ROS_CDK_OUTDIR:-$here/cdk.out}"

cd "$root"
LAYERSMITH_QUIET="${LAYERSMITH_QUIET:-1}" CDK_OUTDIR="$out" \
  npx --no-install ts-node -P "$here/tsconfig.json" "$here/app.ts"

node - "$out" <<'JS'
const fs = require('fs');
const path = require('path');
const out = process.argv[2];
const dir = path.join(out, 'layersmith');
const records = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
const layers = records.filter((r) => r.kind === 'layer').map((r) => {
  const m = r.manifestFile ? JSON.parse(fs.readFileSync(path.join(dir, r.manifestFile), 'utf8')) : undefined;
  const size = m ? `${m.zip.zippedSize} B zipped, ${m.zip.unzippedSize} B unzipped` : 'not built';
  return `${r.layerName} (${size}, ${r.acl})`;
});
console.log(`ros-cdk-app: synthesized ${path.relative(process.cwd(), out)} with ${layers.length} FC layers: ${layers.join('; ')}`);
for (const f of records.filter((r) => r.kind === 'function')) {
  const order = f.layers.map((l) => l.layerPath ?? l.arn).join(' > ');
  const notes = f.findings.map((x) => x.ruleId).join(', ') || 'none';
  console.log(`ros-cdk-app: ${f.path} (${f.runtime}) layers, first wins: ${order}; findings: ${notes}`);
}
JS
echo "ros-cdk-app: review it with: node bin/layersmith report ${out#"$root/"} --format md"
