#!/usr/bin/env bash
# Installs the Debian 12 packages faultline needs, if any is missing: `apt-get update` once,
# then `apt-get install -y`. Run as root (or with sudo available). Nothing else is downloaded.
set -euo pipefail
packages=(
  g++ cmake ninja-build pkg-config
  libboost-dev libboost-fiber-dev libboost-context-dev
  nlohmann-json3-dev libvalijson-dev catch2
  libimgui-dev libglfw3-dev libgl1-mesa-dev libstb-dev zlib1g-dev
  xvfb xauth libxml2-utils chromium
  clang-14 libclang-rt-14-dev valgrind
  slurm-wlm munge
  dpkg-dev
  libboost-system-dev haproxy wrk nodejs npm curl
)
missing=()
for p in "${packages[@]}"; do
  # A Node.js build that bundles npm (e.g. NodeSource's) conflicts with Debian's npm package.
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "faultline: installing Debian packages: ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
