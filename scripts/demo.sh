#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
echo "demo: the example apps land with the AWS CDK front-end (issue #4); nothing to run yet." >&2
exit 1
