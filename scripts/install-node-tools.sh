#!/usr/bin/env bash
# Install the npm validators pinned in package-lock.json (Ace by DAISY, axe-core,
# vnu-jar) into ./node_modules without downloading any browser: Ace drives the
# Debian chromium package (apt-get install -y chromium) instead.
# Idempotent: does nothing when node_modules was installed from this very
# package-lock.json (by content, not mtime: a fresh checkout or worktree is newer).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "error: $tool not found; install it with: apt-get install -y nodejs npm" >&2
        exit 5
    fi
done

# puppeteer (under @daisy/ace-cli) would fetch Chrome in its postinstall;
# vnu-jar's postinstall uses the system Java when it is >= 11.
export PUPPETEER_SKIP_DOWNLOAD=1
export PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1

stamp="node_modules/.installed-lock-sha256"
wanted="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -d node_modules && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    echo "node tools up to date in $root/node_modules"
    exit 0
fi

npm ci --no-audit --no-fund
echo "$wanted" > "$stamp"

# Fail here, not later in a test, when a tool did not land.
for f in node_modules/.bin/ace-cli node_modules/axe-core/axe.min.js \
         node_modules/vnu-jar/build/dist/vnu.jar; do
    if [[ ! -e "$f" ]]; then
        echo "error: $f is missing after npm ci" >&2
        exit 1
    fi
done
echo "node tools installed in $root/node_modules"
