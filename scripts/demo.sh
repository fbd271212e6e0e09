#!/usr/bin/env bash
# The demo: pack layersmith (`npm run demo` compiles first) and install the tarball into each
# example, as a user installs the package; then build the example layers and synthesize the
# example apps offline, without cloud credentials, with the real CLIs (aws-cdk's `cdk synth`;
# each other example's own demo.sh), and print a review of what would be deployed.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

if [ ! -f lib/cli/index.js ]; then
  echo "demo: lib/ is not compiled; run 'npx projen compile' (npm run demo does it)" >&2
  exit 1
fi

if [ ! -f node_modules/aws-cdk/bin/cdk ]; then
  echo "demo: node_modules is missing the aws-cdk CLI; run 'bash scripts/setup.sh' first" >&2
  exit 1
fi

# Offline and quiet: no CLI version check, notices or telemetry (they would reach the network).
export CDK_DISABLE_VERSION_CHECK=1
export CDK_DISABLE_CLI_TELEMETRY=true

# The examples import `layersmith/...`: each gets the packed tarball in its own node_modules (the
# front-end SDKs come from this repository's node_modules, one directory up).
pack_dir="$(mktemp -d "${TMPDIR:-/tmp}/layersmith-demo-XXXXXX")"
trap 'rm -rf "$pack_dir"' EXIT
npm pack --silent --pack-destination "$pack_dir" >/dev/null
tarball="$(ls "$pack_dir"/layersmith-*.tgz)"
echo "== packed $(basename "$tarball") ($(tar -tzf "$tarball" | wc -l | tr -d ' ') files)"
for example in examples/*/; do
  mkdir -p "$example/node_modules"
  (cd "$example" && npm install --no-save --no-package-lock --prefer-offline --no-audit --no-fund --loglevel=error "$tarball" >/dev/null)
  echo "demo: installed it into ${example%/}/node_modules/layersmith"
done

app="examples/aws-cdk-app"
out="$root/$app/cdk.out"
# The review and the local run use the command the tarball installed, as a user runs it.
layersmith="$root/$app/node_modules/.bin/layersmith"
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

# The review a pull request would show, for each synthesized app.
for dir in "$out" examples/ros-cdk-app/cdk.out; do
  [ -d "$dir" ] || continue
  echo
  echo "== Review of ${dir#$root/}"
  "$layersmith" report "$dir" --format md
done

# layersmith opt / invoke: PriceOrder run locally with its real layer stack, no Docker. The
# function is python3.12, so this needs a local Python 3.12 (python3.12 on PATH or a pyenv
# install); without one, invoke exits 2 with one line naming what it found and the step is skipped.
echo
echo "== examples/aws-cdk-app PriceOrder: its /opt, then the handler run locally with its layers"
opt_dir="$(mktemp -d "${TMPDIR:-/tmp}/layersmith-demo-opt-XXXXXX")"
"$layersmith" opt "$out" PriceOrder --out "$opt_dir/opt"
rm -rf "$opt_dir"
invoke_status=0
echo '{"lines": [{"sku": "A-1", "qty": 2, "price": "3.50"}, {"sku": "B-2", "qty": 1, "price": "4.25"}]}' \
  | "$layersmith" invoke "$out" PriceOrder --event - || invoke_status=$?
if [ "$invoke_status" -eq 2 ]; then
  echo "demo: skipped the local run of PriceOrder (no matching interpreter, see above)"
elif [ "$invoke_status" -ne 0 ]; then
  exit "$invoke_status"
fi
