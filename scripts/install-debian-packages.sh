#!/usr/bin/env bash
# Everything XiMorph needs on Debian besides its npm packages: a supported Node.js, and the
# system packages its tests, benchmark and samples use (Chromium for the browser tests, the
# real data sets, Python readers used as independent references, elastix as the classical
# peer). The package list comes from scripts/system-dependencies.mjs, which `npm test`'s
# preflight checks item by item, so the two cannot drift apart. Among them, the Python modules
# the tests and benchmark import: python3-numpy, python3-scipy, python3-nibabel,
# python3-pydicom, python3-pil, python3-h5py and python3-dipy.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

# --- Node.js -------------------------------------------------------------------------------
# XiMorph supports Node.js >= 22.12 (Electron 45's tooling needs it; Node 20 reached its end
# of life in April 2026). Where the machine's Node is older, install the current Node 24 LTS
# into /usr/local from the npm registry's node-linux-<arch> package (the official build,
# repackaged), which precedes /usr/bin on Debian's default PATH.
minimum=$(node -p 'require("./scripts/node-support.json").minimum')
provided=$(node -p 'require("./scripts/node-support.json").provided')
node_supported() {
  node -e 'const [a,b,c]=process.versions.node.split(".").map(Number), [x,y,z]=process.argv[1].split(".").map(Number);
           process.exit(a!==x ? +(a<x) : b!==y ? +(b<y) : +(c<z))' "$minimum"
}
if ! node_supported; then
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) echo "XiMorph needs Node.js >= $minimum; install it for $(uname -m) yourself." >&2; exit 1 ;;
  esac
  echo "Node.js $(node --version) is older than $minimum: installing Node.js $provided into /usr/local."
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "node-linux-$arch@$provided" >/dev/null && tar xzf node-linux-*.tgz)
  $sudo mkdir -p /usr/local/bin /usr/local/include /usr/local/share
  $sudo cp "$work/package/bin/node" /usr/local/bin/node
  $sudo cp -r "$work/package/include/node" /usr/local/include/
  hash -r
  if ! node_supported; then
    echo "Installed /usr/local/bin/node ($(/usr/local/bin/node --version)), but 'node' on PATH is $(command -v node) ($(node --version))." >&2
    echo "Put /usr/local/bin before $(dirname "$(command -v node)") on PATH, or run 'hash -r' in your shell." >&2
    exit 1
  fi
  echo "Now using $(command -v node) $(node --version)."
fi

# --- Debian packages ------------------------------------------------------------------------
read -r -a packages <<<"$(node scripts/system-dependencies.mjs packages)"
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
