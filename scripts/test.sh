#!/usr/bin/env bash
# Builds if needed and runs the whole ctest suite (serial tests and MPI tests under mpiexec -n 2).
# Data: $L2O_DATA_DIR, else data/ (scripts/get-data.sh), else ../shared/data.
# Extra arguments go to ctest, e.g. scripts/test.sh -R '^objective\.'
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/build.sh"
ctest --test-dir "${L2O_BUILD_DIR:-$here/build}" --output-on-failure -j "$(nproc)" "$@"
