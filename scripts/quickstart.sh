#!/usr/bin/env bash
# From a fresh Debian 12 machine to a first result: installs dependencies, builds, fetches data,
# runs the main job on a small default config under mpirun -np 2 (a small tuning sweep on MNIST-48,
# then the tuned optimizers on MNIST-48 and CIFAR-10), prints a summary table, the paths of the
# HDF5 results and a plot.
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
scripts/mpirun.sh -np 2 build/l2o tune --config config/quickstart_tune.toml
scripts/mpirun.sh -np 2 build/l2o evaluate --config config/quickstart_evaluate.toml
/usr/bin/python3 analysis/summarize.py results/quickstart_results.h5
/usr/bin/python3 analysis/plot_curves.py results/quickstart_results.h5 -o results/quickstart.png
echo "quickstart: results in $here/results/quickstart_tuned.h5 and $here/results/quickstart_results.h5"
echo "quickstart: plot in $here/results/quickstart.png (HDF5 layout: docs/hdf5-layout.md)"
