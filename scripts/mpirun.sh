#!/usr/bin/env bash
# mpirun with the flags a workstation or container needs, so users never see them as failures:
# --allow-run-as-root only when root, --oversubscribe (more ranks than cores is allowed),
# --bind-to none (ranks x OpenMP threads share the cores; environment.md §3).
# Usage: scripts/mpirun.sh -np 2 build/l2o train --config config/train_mnist48.toml
set -euo pipefail
flags=(--oversubscribe --bind-to none)
[ "$(id -u)" -eq 0 ] && flags=(--allow-run-as-root "${flags[@]}")
export OMPI_MCA_pml="${OMPI_MCA_pml:-ob1}"  # skips the slow probing of absent fabrics
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
exec mpirun "${flags[@]}" "$@"
