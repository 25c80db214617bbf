#!/usr/bin/env bash
# System packages XiMorph's tests and sample data use on Debian: Chromium for the browser
# tests, the real data sets, Python readers used as independent references, and elastix,
# the classical peer the benchmark measures against.
set -euo pipefail
packages=(chromium mricron-data insighttoolkit5-examples python3-pydicom python3-nibabel python3-scipy elastix)
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("XiMorph needs Node.js >= 20.19 (found "+process.versions.node+")."); process.exit(1) }'
