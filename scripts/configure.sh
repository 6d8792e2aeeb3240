#!/usr/bin/env bash
# Configures a CMake build of l2o: scripts/configure.sh BUILD_DIR [CMAKE_ARGS...]
# Compiles through ccache when it is installed: a warm cache makes a rebuild nearly free. A fresh
# machine's cache is empty, so CI neither gains nor loses by it; CI's figures in
# docs/reliability.md are cold-cache figures.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build="${1:?usage: scripts/configure.sh BUILD_DIR [CMAKE_ARGS...]}"
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$here" -B "$build" "${launcher[@]}" "${@:2}"
