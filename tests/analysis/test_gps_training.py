#!/usr/bin/python3
"""ctest (label analysis): plot_gps_training.py on generated GPS iteration records with the layout
`l2o meta-train --method gps` writes (src/gps/files/gps_iteration_record.hpp,
src/gps/files/group_diagnostics_io.hpp), table checked against hand-computed numbers."""
import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "analysis",
                      "plot_gps_training.py")
PYTHON = "/usr/bin/python3"
HINT = "pass a <checkpoint stem>_iterations directory of `l2o meta-train --method gps`"
NAN, INF = float("nan"), float("inf")


def summary_table(values, column):
    """groups x 6 (min median mean max argmin argmax) with `values` in `column`; the other
    statistics are decoys the script must not pick (median + 100 etc.)."""
    values = np.asarray(values, dtype=float)
    table = np.column_stack([values - 1, values + 100, values + 200, values + 300,
                             np.zeros_like(values), np.ones_like(values)])
    table[:, column] = values
    return table


def write_record(directory, iteration, groups, cost, scores, kl, step_multiplier, predicted,
                 actual, r_squared_median, eta, sigma_uu_max, seconds=(1.0, 2.0, 0.5, 3.0, 1.5),
                 improvement=None, own_step=None, costs=None, noise_free=None):
    """iteration_<iiii>.h5 as meta_train_gps.cpp writes it (with /meta provenance).
    `improvement` (predicted, realised), `own_step` (curvature and own-step response medians
    per group), `costs` (model and sample cost per group) and `noise_free` (psi's noise-free cost)
    are the issue-16 entries; records written before them, or runs without noise-free rollouts,
    lack them."""
    name = f"iteration_{iteration:04d}"
    with h5py.File(os.path.join(directory, name + ".h5"), "w") as f:
        meta = f.create_group("meta")
        meta.create_dataset("config", data="[gps]\nfeatures = \"paper\"\n")
        meta.attrs["subcommand"] = "meta-train"
        g = f.create_group(name)
        g.attrs["iteration"] = np.int64(iteration)
        g.attrs["summary_columns"] = "min median mean max argmin argmax"
        count = len(groups)
        g.create_dataset("group", data=np.asarray(groups, dtype=np.int64))
        for integer in ("dgd_iterations", "dgd_converged", "constraint_slack"):
            g.create_dataset(integer, data=np.ones(count, dtype=np.int64))
        g.create_dataset("eta", data=np.asarray(eta, dtype=float))
        g.create_dataset("kl_bound", data=np.full(count, 0.5))
        g.create_dataset("trust_region_kl", data=np.full(count, 0.5))
        # The per-group BADMM KLs are not what the table shows (it shows @mean_*_kl): decoys.
        g.create_dataset("policy_kl_before", data=np.full(count, 99.0))
        g.create_dataset("policy_kl_after", data=np.full(count, 98.0))
        g.create_dataset("predicted_improvement", data=np.asarray(predicted, dtype=float))
        g.create_dataset("actual_improvement", data=np.asarray(actual, dtype=float))
        g.create_dataset("step_multiplier", data=np.asarray(step_multiplier, dtype=float))
        g.create_dataset("gradient_r_squared", data=summary_table(r_squared_median, 1))
        g.create_dataset("cost_condition", data=summary_table(np.full(count, 10.0), 3))
        g.create_dataset("dynamics_condition", data=summary_table(sigma_uu_max, 3))
        g.create_dataset("linearisation_condition", data=summary_table(np.full(count, 5.0), 3))
        g.create_dataset("sample_costs", data=np.full(8, cost))
        g.create_dataset("evaluation_scores", data=np.asarray(scores, dtype=float))
        g.create_dataset("policy_mean_loss", data=np.ones((count, 3)))
        g.create_dataset("policy_clipped_steps", data=np.zeros((count, 3), dtype=np.int64))
        g.attrs["mean_sample_cost"] = cost
        if noise_free is not None:
            g.attrs["noise_free_cost"] = noise_free
        if improvement is not None:
            g.attrs["predicted_improvement"], g.attrs["realised_improvement"] = improvement
        if own_step is not None:
            curvature, response = own_step
            g.create_dataset("curvature", data=summary_table(np.asarray(curvature), 1))
            g.create_dataset("own_step_response", data=summary_table(np.asarray(response), 1))
        if costs is not None:
            g.create_dataset("model_cost", data=np.asarray(costs[0], dtype=float))
            g.create_dataset("sample_cost", data=np.asarray(costs[1], dtype=float))
        g.attrs["evaluation_score"] = float(np.mean(scores))
        g.attrs["mean_initial_kl"], g.attrs["mean_final_kl"] = kl
        for phase, value in zip(("sampling", "fits", "lqg", "policy_training", "evaluation"),
                                seconds):
            g.attrs["seconds_" + phase] = value


def write_paper_run(directory):
    """Two groups, iterations 0, 1, 3 (no record for 2). Iteration 0 has no step-size rule (NaN
    m_g, pred, act); at 3 one of two evaluation rollouts diverged and m_g sits at the floor.
    Table: mean m_g (0.5+1.5)/2 = 1; pred (0.1+0.3)/2 = 0.2, act (0.05+0.15)/2 = 0.1; R^2
    (0.75+0.25)/2 = 0.5 worst 0.25, (0.875+0.625)/2 = 0.75 worst 0.625, (0.5+0.25)/2 = 0.375."""
    os.makedirs(directory)
    write_record(directory, 0, [0, 1], 0.5, [0.5, 0.75], (2.0, 1.25), [NAN, NAN], [NAN, NAN],
                 [NAN, NAN], [0.75, 0.25], [2.0, 8.0], [1e3, 1e5])
    write_record(directory, 1, [0, 1], 0.375, [0.5, 0.25], (1.5, 0.5), [0.5, 1.5], [0.1, 0.3],
                 [0.05, 0.15], [0.875, 0.625], [4.0, 16.0], [1e3, 1e6])
    write_record(directory, 3, [0, 1], 0.25, [INF, 0.5], (1.0, 0.125), [0.01, 0.01],
                 [-0.002, 0.004], [-0.004, -0.002], [0.5, 0.25], [8.0, 32.0], [1e4, 1e7])
    with open(os.path.join(directory, "iteration_0004.h5.tmp.1234"), "w") as f:
        f.write("an unfinished AtomicHdf5File, not a record")


def write_scale_free_run(directory):
    """Three groups, records from iteration 2 on (a resumed run); group 0's R^2 was not recorded
    (NaN), so the R^2 mean is over groups 1 and 2: (0.5+0.25)/2 = 0.375, worst 0.25. These
    records carry the summed improvements and the own-step entries."""
    os.makedirs(directory)
    write_record(directory, 2, [0, 1, 2], 0.4, [0.375, 0.375], (0.75, 0.25), [1.0, 2.0, 3.0],
                 [0.03, 0.03, 0.03], [0.01, 0.02, 0.03], [NAN, 0.5, 0.25], [1.0, 2.0, 3.0],
                 [10.0, 20.0, 30.0], improvement=(0.5, 0.125),
                 own_step=([0.25, 0.5, 0.75], [0.0, -0.01, 0.02]))
    write_record(directory, 3, [0, 1, 2], 0.3, [0.3125, 0.3125], (0.5, 0.0625), [2.0, 4.0, 6.0],
                 [0.01, 0.02, 0.06], [0.01, 0.01, 0.01], [NAN, 0.5, 0.25], [1.0, 2.0, 3.0],
                 [10.0, 20.0, 30.0], improvement=(0.25, -0.0625),
                 own_step=([0.25, 0.5, 0.75], [0.25, 0.5, 0.75]),
                 costs=([-2.0, 1.0, -0.5], [-1.0, -4.0, -0.5]), noise_free=0.2875)


def run(*args):
    return subprocess.run([PYTHON, SCRIPT, *args], capture_output=True, text=True, timeout=120)


class GpsTrainingPlot(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.paper = os.path.join(cls.tmp.name, "gps_checkpoint_iterations")
        cls.scale_free = os.path.join(cls.tmp.name, "gps_scale_free_checkpoint_iterations")
        write_paper_run(cls.paper)
        write_scale_free_run(cls.scale_free)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def scratch(self, name):
        path = os.path.join(self.tmp.name, name)
        os.makedirs(path)
        return path

    def assert_one_line_error(self, outcome, message):
        self.assertEqual(outcome.returncode, 2, outcome.stderr)
        self.assertEqual(outcome.stderr, f"error: {message}\n")
        self.assertEqual(outcome.stdout, "")

    def test_help(self):
        outcome = run("--help")
        self.assertEqual(outcome.returncode, 0, outcome.stderr)
        self.assertIn("usage:", outcome.stdout)

    def test_table(self):
        outcome = run(self.paper, self.scale_free, "--table")
        self.assertEqual(outcome.returncode, 0, outcome.stderr)
        self.assertEqual(outcome.stderr, "")  # no warnings (e.g. a mean over all-NaN groups)
        header = ("| iteration | psi cost | psi noise-free | pi score | KL before → after | mean m_g "
                  "| mean pred / act improvement | median R² mean (worst group) "
                  "| improvement predicted / realised | model / sample cost per group |")
        self.assertEqual(outcome.stdout.splitlines(), [
            f"### gps_checkpoint ({self.paper}: 3 records, iterations 0–3, 2 groups), "
            "no record for 2",
            "",
            header,
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            "| 0 | 0.5 | – | 0.625 | 2 → 1.25 | – | – / – | 0.5 (0.25) | – / – | – / – |",
            "| 1 | 0.375 | – | 0.375 | 1.5 → 0.5 | 1 | 0.2 / 0.1 | 0.75 (0.625) | – / – | – / – |",
            "| 3 | 0.25 | – | diverged (1/2) | 1 → 0.125 | 0.01 | 0.001 / -0.003 | 0.375 (0.25) "
            "| – / – | – / – |",
            "",
            f"### gps_scale_free_checkpoint ({self.scale_free}: 2 records, iterations 2–3, "
            "3 groups)",
            "",
            header,
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            "| 2 | 0.4 | – | 0.375 | 0.75 → 0.25 | 2 | 0.03 / 0.02 | 0.375 (0.25) | 0.5 / 0.125 "
            "| – / – / – |",
            "| 3 | 0.3 | 0.2875 | 0.3125 | 0.5 → 0.0625 | 4 | 0.03 / 0.01 | 0.375 (0.25) "
            "| 0.25 / -0.0625 | 2 / -0.25 / 1 |",
        ])

    def test_labels_and_digits(self):
        outcome = run(self.scale_free, "--table", "--labels", "scale_free", "--digits", "2")
        self.assertEqual(outcome.returncode, 0, outcome.stderr)
        lines = outcome.stdout.splitlines()
        self.assertTrue(lines[0].startswith("### scale_free ("), lines[0])
        self.assertEqual(lines[-1],
                         "| 3 | 0.3 | 0.29 | 0.31 | 0.5 → 0.062 | 4 | 0.03 / 0.01 | 0.38 (0.25) "
                         "| 0.25 / -0.062 | 2 / -0.25 / 1 |")

    def test_plot(self):
        image = os.path.join(self.tmp.name, "gps.png")
        outcome = run(self.paper, self.scale_free, "-o", image, "--labels", "paper,scale_free",
                      "--reference", "adam=0.3", "--title", "GPS on MNIST")
        self.assertEqual(outcome.returncode, 0, outcome.stderr)
        self.assertEqual(outcome.stdout, f"wrote {image}\n")
        self.assertEqual(outcome.stderr, "")
        with open(image, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        self.assertGreater(os.path.getsize(image), 50000)

    def test_plotted_series_break_at_missing_iterations(self):
        sys.path.insert(0, os.path.dirname(SCRIPT))
        from plot_gps_training import load_run
        paper = load_run(self.paper)
        self.assertEqual(paper.missing(), [2])
        grid, cost = paper.on_grid(paper.mean_sample_cost)
        self.assertEqual(grid.tolist(), [0, 1, 2, 3])
        np.testing.assert_array_equal(cost, [0.5, 0.375, NAN, 0.25])
        _, multiplier = paper.on_grid(paper.per_group["step_multiplier"])
        np.testing.assert_array_equal(multiplier, [[NAN, NAN], [0.5, 1.5], [NAN, NAN],
                                                   [0.01, 0.01]])
        _, condition = paper.on_grid(paper.sigma_uu_condition_max)  # the "max" column
        np.testing.assert_array_equal(condition[3], [1e4, 1e7])
        np.testing.assert_array_equal(paper.own_step_median, np.full((3, 2), NAN))  # absent
        scale_free = load_run(self.scale_free, "sf")
        np.testing.assert_array_equal(scale_free.curvature_median[1], [0.25, 0.5, 0.75])
        np.testing.assert_array_equal(scale_free.own_step_median[0], [0.0, -0.01, 0.02])
        np.testing.assert_array_equal(scale_free.realised_improvement, [0.125, -0.0625])
        self.assertEqual((scale_free.label, scale_free.missing()), ("sf", []))
        self.assertEqual(scale_free.on_grid(scale_free.evaluation_score)[0].tolist(), [2, 3])

    def test_single_record_plots(self):
        # Only iteration 0: every step-size quantity NaN, nothing positive for the log axes.
        directory = self.scratch("first_iteration_only")
        write_record(directory, 0, [0], 0.5, [0.5], (2.0, 1.0), [NAN], [NAN], [NAN], [0.5], [2.0],
                     [10.0])
        image = os.path.join(self.tmp.name, "single.png")
        outcome = run(directory, "-o", image)
        self.assertEqual(outcome.returncode, 0, outcome.stderr)
        self.assertGreater(os.path.getsize(image), 10000)

    def test_missing_directory(self):
        missing = os.path.join(self.tmp.name, "none_iterations")
        self.assert_one_line_error(run(missing, "--table"), f"{missing}: no such directory; {HINT}")

    def test_directory_without_records(self):
        directory = self.scratch("empty_iterations")
        with open(os.path.join(directory, "iteration_0000.h5.tmp.99"), "w") as f:
            f.write("unfinished")
        self.assert_one_line_error(run(directory, "--table"),
                                   f"{directory}: no iteration_*.h5 records; {HINT}")

    def test_unreadable_record(self):
        directory = self.scratch("garbage_iterations")
        path = os.path.join(directory, "iteration_0000.h5")
        with open(path, "w") as f:
            f.write("not HDF5")
        self.assert_one_line_error(run(directory, "--table"),
                                   f"{path}: cannot open as HDF5; delete it or rerun the "
                                   f"iteration ({HINT})")

    def test_incomplete_record(self):
        directory = self.scratch("incomplete_iterations")
        write_record(directory, 5, [0], 0.5, [0.5], (2.0, 1.0), [NAN], [NAN], [NAN], [0.5], [2.0],
                     [10.0])
        path = os.path.join(directory, "iteration_0005.h5")
        with h5py.File(path, "a") as f:
            del f["iteration_0005/step_multiplier"]
            del f["iteration_0005"].attrs["seconds_lqg"]
        self.assert_one_line_error(run(directory, "--table"),
                                   f"{path}: iteration_0005 lacks step_multiplier, @seconds_lqg; "
                                   f"not a complete GPS iteration record ({HINT})")

    def test_other_file_layout(self):
        directory = self.scratch("renamed_iterations")
        path = os.path.join(directory, "iteration_0007.h5")
        with h5py.File(path, "w") as f:
            f.create_group("iteration_0006")
        self.assert_one_line_error(run(directory, "--table"),
                                   f"{path}: no group iteration_0007; not a GPS iteration record "
                                   f"({HINT})")

    def test_records_of_different_runs(self):
        directory = self.scratch("mixed_iterations")
        write_record(directory, 0, [0, 1], 0.5, [0.5], (2.0, 1.0), [NAN] * 2, [NAN] * 2, [NAN] * 2,
                     [0.5] * 2, [2.0] * 2, [10.0] * 2)
        write_record(directory, 1, [0], 0.5, [0.5], (2.0, 1.0), [1.0], [0.1], [0.1], [0.5], [2.0],
                     [10.0])
        self.assert_one_line_error(
            run(directory, "--table"),
            f"{os.path.join(directory, 'iteration_0001.h5')}: groups [0] differ from [0, 1] of "
            "iteration_0000.h5; keep one run per directory")

    def test_label_count(self):
        self.assert_one_line_error(
            run(self.paper, self.scale_free, "--table", "--labels", "paper"),
            "--labels paper: 1 labels for 2 record directories; give one per directory")

    def test_nothing_to_do(self):
        self.assert_one_line_error(run(self.paper), "nothing to do; pass -o IMAGE and/or --table")

    def test_bad_reference(self):
        outcome = run(self.paper, "--table", "--reference", "adam")
        self.assertEqual(outcome.returncode, 2)
        self.assertIn("'adam' is not NAME=VALUE", outcome.stderr)


if __name__ == "__main__":
    unittest.main()
