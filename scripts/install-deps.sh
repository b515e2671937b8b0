#!/usr/bin/env bash
# Installs the Debian 12 packages faultline needs, if any is missing: `apt-get update` once,
# then `apt-get install -y`. Run as root (or with sudo available). Then the npm test tools into
# tools/node (scripts/install-node-tools.sh). Nothing else is downloaded.
set -euo pipefail
packages=(
  g++ cmake ninja-build pkg-config
  libboost-dev libboost-fiber-dev libboost-context-dev
  nlohmann-json3-dev libvalijson-dev catch2
  libimgui-dev libglfw3-dev libgl1-mesa-dev libstb-dev zlib1g-dev
  xvfb xauth libxml2-utils chromium
  clang-14 libclang-rt-14-dev lld valgrind
  slurm-wlm munge
  dpkg-dev
  libboost-system-dev haproxy wrk nodejs curl
  prometheus python3-jsonschema poppler-utils
)
# npm comes with some builds of nodejs (NodeSource's); Debian's nodejs needs Debian's npm.
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exec "$(dirname "$0")/install-node-tools.sh"
fi
echo "faultline: installing Debian packages: ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
"$(dirname "$0")/install-node-tools.sh"
