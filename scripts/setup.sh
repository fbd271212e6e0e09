#!/usr/bin/env bash
# Everything a fresh machine needs before the demo or the tests: npm packages and the real
# package managers the builders drive (pip, npm, mvn, composer, bundler). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi

# Debian packages for the builders that are not on a fresh machine. Installed only when missing
# and only where we can (root with apt-get); otherwise the tests that need them say so and skip.
missing=()
command -v composer >/dev/null 2>&1 || missing+=(composer php-cli php-zip unzip)
command -v bundle >/dev/null 2>&1 || missing+=(ruby ruby-bundler)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
# Maven Central may be unreachable (CI sandboxes): the pom builder test resolves offline from
# Debian's /usr/share/maven-repo through maven-debian-helper's settings-debian.xml.
[ -f /etc/maven/settings-debian.xml ] || missing+=(maven-debian-helper)
[ -d /usr/share/maven-repo/org/apache/maven/plugins/maven-dependency-plugin ] || missing+=(libmaven-dependency-plugin-java)
[ -d /usr/share/maven-repo/commons-io/commons-io ] || missing+=(libcommons-io-java)
command -v zip >/dev/null 2>&1 || missing+=(zip)
command -v unzip >/dev/null 2>&1 || missing+=(unzip)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: not root or no apt-get; missing tools (${missing[*]}) make their tests skip with a message"
  fi
fi
