#!/usr/bin/python3
"""Checks that every committed model (models/*.h5, or the files given) comes from a clean
revision of this repository: its /meta@git_revision (`git describe --always --dirty` of the
build that wrote it) must not end in "-dirty" and must name a commit of this repository, so
the model can be rebuilt from the tree. Prints one line per model; exits 1 if any fails.

    scripts/check-models.py [MODEL.h5 ...]
"""
import pathlib
import subprocess
import sys

import h5py

root = pathlib.Path(__file__).resolve().parent.parent


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def problem(path):
    """What is wrong with the provenance of the model file `path`, or None."""
    with h5py.File(path, "r") as f:
        if "meta" not in f or "git_revision" not in f["meta"].attrs:
            return "no /meta@git_revision"
        revision = text(f["meta"].attrs["git_revision"])
        program = text(f["meta"].attrs.get("command_line", "")).split(" ")[0]
    if revision.endswith("-dirty"):
        return f"built from uncommitted changes ({revision}, by {program})"
    known = subprocess.run(["git", "-C", str(root), "cat-file", "-e", f"{revision}^{{commit}}"],
                           capture_output=True).returncode == 0
    return None if known else f"revision {revision} is not a commit of this repository"


models = sys.argv[1:] or sorted(str(p) for p in (root / "models").glob("*.h5"))
failed = 0
for model in models:
    reason = problem(model)
    print(f"check-models: {model}: {reason or 'clean revision'}")
    failed += reason is not None
sys.exit(1 if failed else 0)
