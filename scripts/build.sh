#!/usr/bin/env bash
# Configures (once) and builds l2o in build/ (Release; through ccache when installed,
# scripts/configure.sh). Extra arguments go to cmake's configure.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build="${L2O_BUILD_DIR:-$here/build}"
if [ ! -f "$build/CMakeCache.txt" ] || [ $# -gt 0 ]; then
  "$here/scripts/configure.sh" "$build" -DCMAKE_BUILD_TYPE=Release "$@"
fi
cmake --build "$build" -j "$(nproc)"
