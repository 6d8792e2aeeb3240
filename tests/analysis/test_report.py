#!/usr/bin/python3
"""ctest (label analysis): analysis/report.py on a generated results directory with the layout of a
job chain (tuned.h5, tuned_fine.h5, fig1.h5, fig6.h5 as `l2o tune` / `l2o evaluate` write them,
docs/hdf5-layout.md): the headline target counts (es learned, fig6 apart), ranks and win counts and
the seconds per iteration against hand-computed numbers, two PNGs per figure (against iteration and
against wall-clock seconds), the per-task tables, the tuned settings, the metadata, and one-line
errors on bad input."""
import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

ANALYSIS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "analysis")
PYTHON = "/usr/bin/python3"
# Per task and optimizer (first, final) true objective: the mean curve is linear between them, so
# AUC = (first + final) / 2; None diverges at t = 4. psd diverges on fer2013, is lowest by both
# measures on cifar10 (where es, learned, beats it) and lowest by final but not AUC on cifar100; es
# is lowest by AUC but not final on cifar100; l2l diverges on cifar10.
CURVES = {
    "fer2013": {"sgd": (1.0, 1.0), "adam": (0.5, 0.5), "es": (0.6, 0.6), "psd": None,
                "l2l": (0.9, 0.9)},
    "cifar10": {"sgd": (2.0, 2.0), "adam": (1.5, 1.5), "es": (1.1, 1.1), "psd": (1.2, 1.2),
                "l2l": None},
    "cifar100": {"sgd": (3.0, 3.0), "adam": (2.0, 2.0), "es": (1.8, 2.1), "psd": (2.6, 1.8),
                 "l2l": (2.5, 2.5)},
}
# Seconds per iteration of seed 0; seed 1 takes three times as long, so the mean is twice this.
COST = {"sgd": 0.01, "adam": 0.02, "es": 0.04, "psd": 0.3, "l2l": 0.5}


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
    """Three tasks x five optimizers x 2 seeds over t = 0..10: seed s's curve is CURVES's line
    + (0.1 if s else -0.1); a diverging run stops at t = 4 (4 iterations taken)."""
    t = np.arange(11)
    with h5py.File(path, "w") as f:
        write_meta(f, "evaluate", "[evaluate]\nseeds = 2\n")
        tasks = f.create_group("tasks")
        for index, (dataset, lines) in enumerate(CURVES.items()):
            task = tasks.create_group(f"{dataset}_8-8_b64_t10")
            task.attrs["index"] = np.int64(index)
            task.attrs["label"] = f"{dataset} 8-8 batch 64"
            task.attrs["dataset"] = dataset
            for k, (optimizer, line) in enumerate(lines.items()):
                group = task.create_group(optimizer)
                group.attrs["index"] = np.int64(k)
                for seed in range(2):
                    run = group.create_group(f"run_{seed:04d}")
                    if line is None:
                        iterations, values, diverged_at = t[:5], np.array([1, 2, 3, 4, np.nan]), 4
                    else:
                        iterations, diverged_at = t, -1
                        values = line[0] + (line[1] - line[0]) * t / 10 + (0.1 if seed else -0.1)
                    run.create_dataset("iterations", data=iterations.astype(np.int64))
                    run.create_dataset("true_objective", data=values.astype(float))
                    run.attrs["diverged_at"] = np.int64(diverged_at)
                    run.attrs["wall_seconds"] = COST[optimizer] * (1 + 2 * seed) * iterations[-1]


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
        # Targets: among itself and the hand-designed sgd and adam (es is learned), per figure
        # psd is lowest by AUC on cifar10, by final on cifar10 and cifar100, diverges on fer2013;
        # es lowest by AUC on cifar10 and cifar100, by final on cifar10. fig6 is counted apart.
        self.assertIn("- **psd**: lowest mean AUC on 1/3 panels of Figs. 1-5, lowest mean final "
                      "on 2/3; diverged on 1/3. Beyond the paper (fig6, not counted by the "
                      "targets): lowest mean AUC on 1/3 panels, lowest mean final on 2/3; "
                      "diverged on 1/3.", text)
        self.assertIn("- **es**: lowest mean AUC on 2/3 panels of Figs. 1-5, lowest mean final "
                      "on 1/3; diverged on 0/3.", text)
        self.assertIn("- **l2l**: lowest mean AUC on 0/3 panels of Figs. 1-5, lowest mean final "
                      "on 0/3; diverged on 1/3.", text)
        # Ranks among all five (final / AUC): on cifar100 finals are psd 1.8 < adam 2.0 < es 2.1
        # < l2l 2.5 < sgd 3.0 and AUCs es 1.95 < adam 2.0 < psd 2.2 < l2l 2.5 < sgd 3.0.
        self.assertIn("| fig1 | fer2013 8-8 batch 64 | adam 0.5000 | diverged | 5 / 5 of 5 | "
                      "0.6000 | 2 / 2 of 5 | 0.9000 | 3 / 3 of 5 |", text)
        self.assertIn("| fig6 | cifar100 8-8 batch 64 | adam 2.0000 | 1.8000 | 1 / 3 of 5 | "
                      "2.1000 | 3 / 1 of 5 | 2.5000 | 4 / 4 of 5 |", text)
        self.assertIn("Tasks on which **psd** ends below (final objective) the tuned hand-designed "
                      "optimizer: sgd 4/6, adam 4/6.", text)
        self.assertIn("Tasks on which **l2l** ends below (final objective) the tuned hand-designed "
                      "optimizer: sgd 4/6, adam 0/6.", text)
        # Milliseconds per iteration: the mean of COST and 3 COST over the runs, the diverged
        # runs' 4 iterations included.
        self.assertIn("| optimizer | fig1 | fig6 |", text)
        for optimizer, cost in COST.items():
            self.assertIn(f"| {optimizer} | {2e3 * cost:.3g} | {2e3 * cost:.3g} |", text)
        # Two images per figure, referenced relative to the report: against iteration and against
        # wall-clock seconds (a different picture); per-task tables; paper caption.
        figure_dir = os.path.join(self.dir.name, "docs", "REPORT_figures")
        for name in ("fig1", "fig6"):
            for image, alt in ((f"{name}.png", name),
                               (f"{name}_seconds.png", f"{name} against wall-clock seconds")):
                path = os.path.join(figure_dir, image)
                self.assertGreater(os.path.getsize(path), 10000)
                self.assertIn(f"![{alt}](REPORT_figures/{image})", text)
            with open(os.path.join(figure_dir, f"{name}.png"), "rb") as by_iteration, \
                    open(os.path.join(figure_dir, f"{name}_seconds.png"), "rb") as by_seconds:
                self.assertNotEqual(by_iteration.read(), by_seconds.read())
        self.assertIn("## Fig. 1: 48 input and 48 hidden units, mini-batches of 64", text)
        self.assertIn("## Beyond the paper: 3 layers", text)
        self.assertIn("| 1 | adam | **0.5000 ± 0.1000** | **0.5000 ± 0.1000** |", text)
        self.assertIn("| 5 | psd | diverged (2/2) | diverged (2/2) |", text)
        # Tuned settings and metadata: per figure file the runs' seconds sum to 4 COST x the
        # iterations over the three tasks: (0.01 + 0.02 + 0.04) x 4 x 30 + 0.3 x 4 x 24
        # + 0.5 x 4 x 24 = 85.2.
        self.assertIn("| sgd | learning_rate=0.75 | 0.5100 | learning_rate=1 | 0.5200 |", text)
        self.assertIn("| adam | learning_rate=0.01 | 0.4900 | learning_rate=0.01 | 0.4900 |", text)
        self.assertIn("| fig6.h5 | evaluate | `abc123` | testhost | 2 x 1 | 2026-11-28T01:00:00Z "
                      "| 85 |", text)
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
