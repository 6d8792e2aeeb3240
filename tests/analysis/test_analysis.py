#!/usr/bin/python3
"""ctest (label analysis): summarize.py and plot_curves.py on a generated results.h5 with the
layout `l2o evaluate` writes (docs/hdf5-layout.md), checked against hand-computed numbers."""
import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

ANALYSIS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "analysis")
PYTHON = "/usr/bin/python3"


def write_results(path):
    """Two tasks x three optimizers x 2 seeds. On task A: sgd's curves are linear, 2 - t/10 and
    3 - t/10 over t = 0..10, so final = 1 and 2 (mean 1.5, std 0.5) and AUC = 1.5 and 2.5 (mean 2,
    std 0.5); adam is constant 0.25 and 0.75 (final = AUC = 0.5 +- 0.25); cg diverges on seed 1
    at t = 4. Task B is listed first by index but stored second alphabetically."""
    t = np.arange(11)
    with h5py.File(path, "w") as f:
        tasks = f.create_group("tasks")
        for name, index, label in [("zeta_task", 0, "fer2013 8-8-7 batch 16"),
                                   ("alpha_task", 1, "mnist 8-8-10 batch 16")]:
            task = tasks.create_group(name)
            task.attrs["index"] = np.int64(index)
            task.attrs["label"] = label
            task.attrs["dataset"] = label.split()[0]
            for k, optimizer in enumerate(["sgd", "adam", "cg"]):
                group = task.create_group(optimizer)
                group.attrs["index"] = np.int64(k)
                group.attrs["optimizer"] = optimizer
                for seed in range(2):
                    run = group.create_group(f"run_{seed:04d}")
                    iterations, diverged_at = t, -1
                    if optimizer == "sgd":
                        values = (2.0 + seed) - t / 10.0
                    elif optimizer == "adam":
                        values = np.full(11, 0.25 + 0.5 * seed)
                    elif seed == 1:
                        iterations, diverged_at = t[:5], 4
                        values = np.array([2.0, 1.5, 1.0, 3.0, 50.0])
                    else:
                        values = np.full(11, 0.1)
                    run.create_dataset("iterations", data=iterations.astype(np.int64))
                    run.create_dataset("true_objective", data=values)
                    run.create_dataset("minibatch_objective", data=values[:-1])
                    run.create_dataset("evaluations", data=np.ones(len(values) - 1, dtype=np.int64))
                    run.attrs["diverged_at"] = np.int64(diverged_at)
                    run.attrs["wall_seconds"] = 0.01
                    run.attrs["seed"] = np.int64(seed)


def run(script, *args):
    return subprocess.run([PYTHON, os.path.join(ANALYSIS, script), *args],
                          capture_output=True, text=True, timeout=120)


class AnalysisScripts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.results = os.path.join(cls.tmp.name, "results.h5")
        write_results(cls.results)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_help(self):
        for script in ("summarize.py", "plot_curves.py"):
            outcome = run(script, "--help")
            self.assertEqual(outcome.returncode, 0, outcome.stderr)
            self.assertIn("usage:", outcome.stdout)

    def test_summary_table(self):
        outcome = run("summarize.py", self.results)
        self.assertEqual(outcome.returncode, 0, outcome.stderr)
        lines = outcome.stdout.splitlines()
        # Tasks in index order, not alphabetical.
        self.assertEqual(lines[0], "### fer2013 8-8-7 batch 16 (zeta_task, 2 seeds)")
        self.assertIn("### mnist 8-8-10 batch 16 (alpha_task, 2 seeds)", lines)
        rows = [line for line in lines[:8] if line.startswith("| ") and line[2].isdigit()]
        self.assertEqual(rows, [
            "| 1 | adam | **0.5000 ± 0.2500** | **0.5000 ± 0.2500** |",
            "| 2 | sgd | 1.5000 ± 0.5000 | 2.0000 ± 0.5000 |",
            "| 3 | cg | diverged (1/2) | diverged (1/2) |",
        ])

    def test_plot(self):
        image = os.path.join(self.tmp.name, "fig.png")
        outcome = run("plot_curves.py", self.results, "-o", image, "--log-y")
        self.assertEqual(outcome.returncode, 0, outcome.stderr)
        with open(image, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        self.assertGreater(os.path.getsize(image), 10000)

    def test_mean_curve_excludes_diverged_points(self):
        sys.path.insert(0, ANALYSIS)
        from results_io import load_results
        task = load_results(self.results)[0]
        cg = task.curves[2]
        self.assertEqual(cg.optimizer, "cg")
        self.assertEqual(list(cg.diverged), [False, True])
        self.assertTrue(np.isnan(cg.objective[1, 4:]).all())  # from the divergence on
        self.assertEqual(list(cg.objective[1, :4]), [2.0, 1.5, 1.0, 3.0])

    def test_seconds(self):
        # Every run took 0.01 s: 10 iterations, or 4 for cg's diverged seed 1.
        sys.path.insert(0, ANALYSIS)
        from results_io import load_results
        cg = load_results(self.results)[0].curves[2]
        np.testing.assert_allclose(cg.seconds_per_iteration(), [0.001, 0.0025])
        np.testing.assert_allclose(cg.elapsed_seconds(), np.arange(11) * 0.00175)
        image = os.path.join(self.tmp.name, "fig_seconds.png")
        outcome = run("plot_curves.py", self.results, "-o", image, "--x", "seconds")
        self.assertEqual(outcome.returncode, 0, outcome.stderr)
        self.assertGreater(os.path.getsize(image), 10000)

    def test_bad_input_is_one_line(self):
        missing = os.path.join(self.tmp.name, "none.h5")
        for script in ("summarize.py", "plot_curves.py"):
            outcome = run(script, missing)
            self.assertEqual(outcome.returncode, 2)
            self.assertEqual(outcome.stderr, f"error: {missing}: cannot open as HDF5; pass the "
                                             "output of `l2o evaluate`\n")


if __name__ == "__main__":
    unittest.main()
