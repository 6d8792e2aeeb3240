#!/usr/bin/python3
"""ctest (label analysis): analysis/report.py on a generated results directory with the layout of a
job chain (tuned.h5, tuned_fine.h5, fig1.h5, fig6.h5 as `l2o tune` / `l2o evaluate` write them,
docs/hdf5-layout.md): the headline ranks and win counts against hand-computed numbers, one PNG per
figure, the per-task tables, the tuned settings, the metadata, and one-line errors on bad input."""
import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

ANALYSIS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "analysis")
PYTHON = "/usr/bin/python3"
# Final objectives per task: psd beats adam on cifar10 only, l2l diverges on cifar10.
FINALS = {
    "fer2013": {"sgd": 1.0, "adam": 0.5, "psd": 0.7, "l2l": 0.9},
    "cifar10": {"sgd": 2.0, "adam": 1.5, "psd": 1.2, "l2l": None},
}


def write_meta(f, subcommand, config):
    meta = f.create_group("meta")
    meta.create_dataset("config", data=config)
    for key, value in [("git_revision", "abc123"), ("command_line", f"l2o {subcommand}"),
                       ("subcommand", subcommand), ("hostname", "testhost"),
                       ("created_utc", "2026-11-28T01:00:00Z")]:
        meta.attrs[key] = value
    meta.attrs["mpi_ranks"] = np.int64(2)
    meta.attrs["omp_threads_per_rank"] = np.int64(1)


def write_figure(path):
    """Two tasks x four optimizers x 2 seeds; constant curves at FINALS +- 0.1 over t = 0..10 (so
    final = AUC = the FINALS value), l2l diverging at t = 4 on cifar10."""
    t = np.arange(11)
    with h5py.File(path, "w") as f:
        write_meta(f, "evaluate", "[evaluate]\nseeds = 2\n")
        tasks = f.create_group("tasks")
        for index, (dataset, finals) in enumerate(FINALS.items()):
            task = tasks.create_group(f"{dataset}_8-8_b64_t10")
            task.attrs["index"] = np.int64(index)
            task.attrs["label"] = f"{dataset} 8-8 batch 64"
            task.attrs["dataset"] = dataset
            for k, (optimizer, final) in enumerate(finals.items()):
                group = task.create_group(optimizer)
                group.attrs["index"] = np.int64(k)
                for seed in range(2):
                    run = group.create_group(f"run_{seed:04d}")
                    if final is None:
                        iterations, values, diverged_at = t[:5], np.array([1, 2, 3, 4, np.nan]), 4
                    else:
                        iterations, diverged_at = t, -1
                        values = np.full(11, final + (0.1 if seed else -0.1))
                    run.create_dataset("iterations", data=iterations.astype(np.int64))
                    run.create_dataset("true_objective", data=values.astype(float))
                    run.attrs["diverged_at"] = np.int64(diverged_at)
                    run.attrs["wall_seconds"] = 1.5


def write_tuned(path, chosen):
    with h5py.File(path, "w") as f:
        write_meta(f, "tune", "[tune]\nseeds = 3\n")
        for name, label, score in chosen:
            group = f.create_group(f"chosen/{name}")
            group.attrs["label"] = label
            group.attrs["score"] = score


def run(*args):
    return subprocess.run([PYTHON, os.path.join(ANALYSIS, "report.py"), *args],
                          capture_output=True, text=True, timeout=300)


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.results = os.path.join(self.dir.name, "results")
        os.makedirs(self.results)
        write_tuned(os.path.join(self.results, "tuned.h5"),
                    [("sgd", "learning_rate=1", 0.52), ("adam", "learning_rate=0.01", 0.49)])
        write_tuned(os.path.join(self.results, "tuned_fine.h5"),
                    [("sgd", "learning_rate=0.75", 0.51), ("adam", "learning_rate=0.01", 0.49)])
        write_figure(os.path.join(self.results, "fig1.h5"))
        write_figure(os.path.join(self.results, "fig6.h5"))
        self.output = os.path.join(self.dir.name, "docs", "REPORT.md")
        os.makedirs(os.path.dirname(self.output))

    def tearDown(self):
        self.dir.cleanup()

    def test_report(self):
        done = run(self.results, "-o", self.output, "--command", "make the report")
        self.assertEqual(done.returncode, 0, done.stderr)
        with open(self.output) as f:
            text = f.read()
        self.assertIn("```\nmake the report\n```", text)
        # Headline: on fer2013 adam 0.5 < psd 0.7 < l2l 0.9 < sgd 1.0 (final = AUC), so psd
        # ranks 2nd and l2l 3rd; on cifar10 psd 1st and the diverged l2l 4th.
        self.assertIn("| fig1 | fer2013 8-8 batch 64 | adam 0.5000 | 0.7000 | 2 / 2 of 4 | "
                      "0.9000 | 3 / 3 of 4 |", text)
        self.assertIn("| fig6 | cifar10 8-8 batch 64 | adam 1.5000 | 1.2000 | 1 / 1 of 4 | "
                      "diverged | 4 / 4 of 4 |", text)
        self.assertIn("Tasks on which **psd** ends below (final objective) the tuned hand-designed "
                      "optimizer: sgd 4/4, adam 2/4.", text)
        self.assertIn("Tasks on which **l2l** ends below (final objective) the tuned hand-designed "
                      "optimizer: sgd 2/4, adam 0/4.", text)
        # One image per figure, referenced relative to the report; per-task tables; paper caption.
        for name in ("fig1", "fig6"):
            image = os.path.join(self.dir.name, "docs", "REPORT_figures", f"{name}.png")
            self.assertGreater(os.path.getsize(image), 10000)
            self.assertIn(f"![{name}](REPORT_figures/{name}.png)", text)
        self.assertIn("## Fig. 1: 48 input and 48 hidden units, mini-batches of 64", text)
        self.assertIn("## Beyond the paper: 3 layers", text)
        self.assertIn("| 1 | adam | **0.5000 ± 0.1000** | **0.5000 ± 0.1000** |", text)
        self.assertIn("| 4 | l2l | diverged (2/2) | diverged (2/2) |", text)
        # Tuned settings and metadata (8 runs x 4 optimizers x 1.5 s = 24 s per figure file).
        self.assertIn("| sgd | learning_rate=0.75 | 0.5100 | learning_rate=1 | 0.5200 |", text)
        self.assertIn("| adam | learning_rate=0.01 | 0.4900 | learning_rate=0.01 | 0.4900 |", text)
        self.assertIn("| fig6.h5 | evaluate | `abc123` | testhost | 2 x 1 | 2026-11-28T01:00:00Z | 24 |",
                      text)
        self.assertIn("```toml\n[evaluate]\nseeds = 2\n```", text)
        self.assertFalse([n for n in os.listdir(os.path.dirname(self.output)) if ".tmp." in n])

    def test_bad_input(self):
        missing = os.path.join(self.dir.name, "nowhere")
        done = run(missing, "-o", self.output)
        self.assertEqual(done.returncode, 2)
        self.assertEqual(done.stderr, f"error: {missing}: no such directory; pass the results "
                                      "directory of a completed job chain\n")
        for name in ("tuned_fine.h5", "tuned.h5"):
            os.remove(os.path.join(self.results, name))
            done = run(self.results, "-o", self.output)
            self.assertEqual(done.returncode, 2)
            self.assertEqual(done.stderr, f"error: {self.results}/{name}: missing; run "
                                          "jobs/tune.sbatch first\n")
        self.assertFalse(os.path.exists(self.output))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
