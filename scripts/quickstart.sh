#!/usr/bin/env bash
# From a fresh Debian 12 machine to a first result: installs dependencies, builds, fetches data,
# runs the main job on a small default config under mpirun -np 2, prints a summary and the path
# of the HDF5 result.
#   scripts/quickstart.sh [--mirror DIR]   (DIR: a data mirror; default: ../shared/data if present)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mirror=""
[ -d "$here/../shared/data" ] && mirror="$here/../shared/data"
[ "${1:-}" = "--mirror" ] && mirror="${2:?--mirror needs a directory}"
cd "$here"
scripts/install-deps.sh
scripts/build.sh
if [ -n "$mirror" ]; then scripts/get-data.sh --mirror "$mirror"; else scripts/get-data.sh; fi
mkdir -p results
scripts/mpirun.sh -np 2 build/l2o train --config config/quickstart.toml --output results/quickstart.h5
echo "quickstart: result in $here/results/quickstart.h5 (layout: docs/hdf5-layout.md)"
