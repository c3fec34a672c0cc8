#!/usr/bin/env bash
# Installs the named Debian packages when their commands are missing (idempotent): bubblewrap, the build
# sandbox (npm test, npm run demo); Chromium for the browser tests; the baselines benchmarks compare against (nginx).
set -euo pipefail
missing=()
for spec in "$@"; do
  pkg=${spec%%:*}; cmd=${spec#*:}
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then echo "missing Debian packages: ${missing[*]} (install them with apt-get as root)" >&2; exit 1; fi
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
