"""Shared paths of the Python package tests (ctest python.pytest sets them; tests/CMakeLists.txt).
L2O_MODELS_DIR: the committed models/; L2O_TRAJECTORY_FIXTURE: write_psd_trajectory's output."""
import os
import pathlib

import pytest

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def models_dir():
    return pathlib.Path(os.environ.get("L2O_MODELS_DIR", SOURCE_DIR / "models"))
