"""The pybind11 module: loading psd, l2l and es model files, stepping numpy vectors, saving a run's
state and continuing it exactly, bad files, and result files through the package."""
import pathlib
import re
import sys

import numpy as np
import pytest

import l2o

LAYOUT = [("layer1.weights", (4, 3)), ("layer1.biases", (4,)),
          ("layer2.weights", (2, 4)), ("layer2.biases", (2,))]
DIMENSION = 12 + 4 + 8 + 2


def gradient(x):
    """Gradient of the quadratic 0.5 * sum(k * x_k^2), k = 1..d: a fixed, well-posed problem."""
    return np.arange(1, len(x) + 1) * x


def run(optimizer, x, steps):
    for _ in range(steps):
        g = gradient(x)
        x = optimizer.step(x, 0.5 * float(x @ g), g)
    return x


@pytest.mark.parametrize("model, method, roles", [
    ("psd_mnist48.h5", "psd", ["layer1.weights", "layer1.biases", "layer2.weights", "layer2.biases"]),
    ("l2l_mnist48.h5", "l2l", []),
    ("es_mnist48.h5", "es", []),
])
def test_loads_model_and_continues_saved_run_exactly(models_dir, model, method, roles):
    optimizer = l2o.LearnedOptimizer(str(models_dir / model))
    assert optimizer.method == method
    assert optimizer.roles == roles
    x0 = np.random.default_rng(0).uniform(-1, 1, DIMENSION)
    optimizer.start(LAYOUT)
    x = run(optimizer, x0, 3)
    assert not np.array_equal(x, x0)
    saved = optimizer.run_state()
    expected = run(optimizer, x, 3)

    resumed = l2o.LearnedOptimizer(str(models_dir / model))
    resumed.start(LAYOUT)
    resumed.restore_run_state(saved)
    np.testing.assert_array_equal(run(resumed, x, 3), expected)
    # A fresh run from the same point has no memory of the first three steps: other steps.
    fresh = l2o.LearnedOptimizer(str(models_dir / model))
    fresh.start(LAYOUT)
    assert not np.array_equal(run(fresh, x, 3), expected)


def test_restoring_a_state_of_another_layout_is_refused(models_dir):
    optimizer = l2o.LearnedOptimizer(str(models_dir / "psd_mnist48.h5"))
    optimizer.start(LAYOUT)
    with pytest.raises(ValueError, match="does not fit this run"):
        optimizer.restore_run_state(np.zeros(10))


def test_bad_model_file_and_bad_role_give_one_line_errors(models_dir, tmp_path):
    missing = tmp_path / "missing.h5"
    with pytest.raises(l2o.InputError, match=re.escape(f"{missing}: no such model file")):
        l2o.LearnedOptimizer(str(missing))
    optimizer = l2o.LearnedOptimizer(str(models_dir / "psd_mnist48.h5"))
    with pytest.raises(ValueError, match='role "dense.kernel"'):
        optimizer.start([("dense.kernel", (3, 3))])


def test_reads_evaluate_results_through_the_package(tmp_path):
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "analysis"))
    from test_analysis import write_results  # the layout `l2o evaluate` writes
    path = tmp_path / "results.h5"
    write_results(path)
    tasks = l2o.load_results(str(path))
    assert [task.name for task in tasks] == ["zeta_task", "alpha_task"]
    sgd = tasks[0].curves[0]
    assert sgd.optimizer == "sgd"
    np.testing.assert_allclose(sgd.final(), [1.0, 2.0])
