#!/usr/bin/env bash
# Install everything the pipeline and its tests need on a fresh Debian 12 machine:
# system packages (apt), a Python virtual environment (.venv, pinned in pyproject.toml)
# and the npm validators. Idempotent and quick when everything is already there.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# chromium: Ace and the browser tests (never a downloaded browser); ffmpeg: audio;
# poppler-utils: pdffonts/pdftotext; espeak-ng: the voice for languages no neural
# voice reads, and with sox the benchmark's plain tools;
# Java: EPUBCheck and the Nu HTML Checker; node/npm: Ace, axe-core, vnu-jar;
# liblouis (+ python3-louis for Debian's /usr/bin/python3): the braille edition.
packages=(chromium ffmpeg poppler-utils espeak-ng sox fonts-dejavu-core
    liblouis-bin liblouis-data liblouisutdml-bin python3-louis)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" \
        || missing+=("$package")
done
# Java and Node may come from elsewhere than Debian (the base image has both): only
# install Debian's when the command is missing.
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
    echo "Installing system packages: ${missing[*]}"
    sudo_cmd=""
    [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null 2>&1 || python=python3
stamp=".venv/.setup-stamp"
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [[ ! -x .venv/bin/python || ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
    echo "Installing Python packages into .venv"
    [[ -x .venv/bin/python ]] || "$python" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[test]"
    echo "$wanted" > "$stamp"
fi

# The braille edition runs liblouis through Debian's Python (python3-louis does not
# import in the project's virtualenv): prove that route translates a word, and that
# it agrees with liblouis's own lou_translate program.
louis_request='[{"op": "forward", "tables": ["en-us-brf.dis", "en-ueb-g2.ctb"],
    "items": [{"text": "Take the medicine", "emphasis": []}]}]'
via_worker="$(/usr/bin/python3 editions/braille/louis_worker.py <<<"$louis_request" \
    | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)[0][0]["braille"])')"
via_cli="$(echo "Take the medicine" | lou_translate en-us-brf.dis,en-ueb-g2.ctb)"
if [[ -z "$via_worker" || "$via_worker" != "$via_cli" ]]; then
    echo "liblouis check failed: worker gave '$via_worker', lou_translate '$via_cli'" >&2
    exit 1
fi
echo "liblouis: 'Take the medicine' -> $via_worker"

bash scripts/install-node-tools.sh
