#!/usr/bin/env bash
# The demo: build the example layers and synthesize the example apps offline, without cloud
# credentials, with the real CLIs (aws-cdk's `cdk synth`; each other example's own demo.sh),
# then print a review of what would be deployed.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

if [ ! -f node_modules/aws-cdk/bin/cdk ]; then
  echo "demo: node_modules is missing the aws-cdk CLI; run 'bash scripts/setup.sh' first" >&2
  exit 1
fi

# Offline and quiet: no CLI version check, notices or telemetry (they would reach the network).
export CDK_DISABLE_VERSION_CHECK=1
export CDK_DISABLE_CLI_TELEMETRY=true

app="examples/aws-cdk-app"
out="$root/$app/cdk.out"
echo "== $app: building the layers and running cdk synth (offline)"
rm -rf "$out"
(cd "$app" && node "$root/node_modules/aws-cdk/bin/cdk" synth --no-notices --quiet --output "$out")
echo "demo: synthesized $app/cdk.out"

for demo in examples/*/demo.sh; do
  [ -e "$demo" ] || continue
  echo
  echo "== $(dirname "$demo")"
  bash "$demo"
done

echo
echo "== Review of $app"
if [ -f bin/layersmith ]; then
  node bin/layersmith report "$out" --format md
else
  # Minimal summary from the assembly records until `layersmith report` is available.
  node - "$out" <<'JS'
const fs = require('fs');
const path = require('path');
const dir = path.join(process.argv[2], 'layersmith');
const records = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
for (const r of records.filter((x) => x.kind === 'layer')) {
  const m = r.manifestFile ? JSON.parse(fs.readFileSync(path.join(dir, r.manifestFile), 'utf8')) : undefined;
  const size = m ? `${m.zip.zippedSize} B zipped, ${m.zip.unzippedSize} B unzipped` : 'not built';
  const grants = r.grants.map((g) => g.organizationId ? `org ${g.organizationId}` : g.principal).join(', ') || 'owner only';
  console.log(`layer ${r.path} (${r.layerName ?? 'generated name'}): ${size}; every version usable by: ${grants}; old versions: ${r.retention}`);
}
for (const f of records.filter((x) => x.kind === 'function')) {
  const order = f.layers.map((l) => l.displayName).join(' > ');
  const notes = f.findings.map((x) => `${x.severity} ${x.ruleId}`).join(', ') || 'no findings';
  console.log(`function ${f.path} (${f.runtime}, ${f.architecture}) layers, last wins: ${order}; ${notes}`);
}
JS
fi
