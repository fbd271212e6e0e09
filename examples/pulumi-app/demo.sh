#!/usr/bin/env bash
# Runs the Pulumi example for both platforms under Pulumi's mocks (no Pulumi CLI or cloud account
# needed): the layers are really built, the stacks really checked, and the resources the program
# would declare are listed. With the Pulumi CLI, `pulumi preview` in this directory does the same
# against a real stack.
set -euo pipefail
cd "$(dirname "$0")/../.."
for platform in aws alicloud; do
  echo "-- examples/pulumi-app with layersmith-example:platform=$platform (under mocks)"
  TS_NODE_PROJECT=test/tsconfig.json TS_NODE_PREFER_TS_EXTS=true \
    node -r ts-node/register/transpile-only test/pulumi/program-runner.ts examples/pulumi-app/index.ts - \
    "{\"layersmith-example:platform\":\"$platform\"}" | node -e '
const line = require("fs").readFileSync(0, "utf8").split("\n").find((l) => l.startsWith("PROGRAM-RESULT "));
const { errors, resources } = JSON.parse(line.slice("PROGRAM-RESULT ".length));
for (const r of resources.filter((x) => x.custom)) {
  const i = r.inputs;
  const detail = i.layers ? `layers in order: ${i.layers.join(" > ")}`
    : i.sourceCodeHash ? `sha256 ${i.sourceCodeHash}, runtimes ${i.compatibleRuntimes.join(", ")}`
    : i.code && i.code.checksum ? `crc64 ${i.code.checksum}, acl ${i.acl}, runtimes ${i.compatibleRuntimes.join(", ")}`
    : i.statementId ? `${i.statementId} -> ${i.organizationId || i.principal}` : "";
  console.log(`  ${r.type} ${r.name}${detail ? ": " + detail : ""}`);
}
if (errors.length) { console.log(errors.join("\n")); process.exit(1); }
'
done
