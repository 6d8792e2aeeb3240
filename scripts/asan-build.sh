#!/usr/bin/env bash
# The one instrumented build that serves both the sanitizer run of the test suite
# (scripts/sanitize.sh) and the libFuzzer targets (scripts/fuzz.sh), so CI compiles the project
# once for both: clang 14 with ASan + UBSan (-fno-sanitize-recover=all), -O1, line tables only
# (enough for every stack trace, and cheaper to compile than full debug info), assertions on,
# every library with libFuzzer's coverage instrumentation (L2O_FUZZ: -fsanitize=fuzzer-no-link;
# only the fuzz_* executables link libFuzzer's main), bench/ off (the Release build of
# scripts/test.sh compiles it).
#   scripts/asan-build.sh BUILD_DIR [TARGET...]   (default: every target)
# $L2O_JOBS (default nproc) parallel jobs.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build="${1:?usage: scripts/asan-build.sh BUILD_DIR [TARGET...]}"
"$here/scripts/configure.sh" "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DL2O_SANITIZE=address,undefined \
  -DL2O_FUZZ=ON -DL2O_BUILD_BENCH=OFF >/dev/null
targets=()
[ $# -gt 1 ] && targets=(--target "${@:2}")
cmake --build "$build" -j "${L2O_JOBS:-$(nproc)}" "${targets[@]}"
