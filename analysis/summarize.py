#!/usr/bin/python3
"""Markdown tables of an `l2o evaluate` output: per task, the final true objective and the AUC
(mean true objective over the run) of every optimizer, mean +- std over seeds, the best in bold,
ranked by final objective. A diverged run counts as +inf (such an optimizer ranks last)."""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results_io import load_results  # noqa: E402


def mean_std(values):
    """(mean, std) over seeds; +inf mean if any seed diverged."""
    if not np.all(np.isfinite(values)):
        return np.inf, np.nan
    return float(np.mean(values)), float(np.std(values))


def cell(values, best, digits):
    mean, std = mean_std(values)
    if not np.isfinite(mean):
        return f"diverged ({int(np.sum(~np.isfinite(values)))}/{len(values)})"
    text = f"{mean:.{digits}f} ± {std:.{digits}f}"
    return f"**{text}**" if mean == best else text


def task_table(task, digits):
    """The Markdown table of one task, as a list of lines."""
    finals = [c.final() for c in task.curves]
    aucs = [c.auc() for c in task.curves]
    final_means = [mean_std(v)[0] for v in finals]
    auc_means = [mean_std(v)[0] for v in aucs]
    best_final, best_auc = min(final_means), min(auc_means)
    order = sorted(range(len(task.curves)), key=lambda i: (final_means[i], auc_means[i], i))
    seeds = len(task.curves[0].diverged) if task.curves else 0
    lines = [f"### {task.label} ({task.name}, {seeds} seeds)", "",
             "| rank | optimizer | final objective | AUC (mean objective) |",
             "|---:|---|---:|---:|"]
    for rank, i in enumerate(order, start=1):
        lines.append(f"| {rank} | {task.curves[i].optimizer} | {cell(finals[i], best_final, digits)} "
                     f"| {cell(aucs[i], best_auc, digits)} |")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", help="results.h5 written by `l2o evaluate`")
    parser.add_argument("--digits", type=int, default=4, help="decimals shown (default 4)")
    args = parser.parse_args(argv)
    for n, task in enumerate(load_results(args.results)):
        print("\n".join(([""] if n else []) + task_table(task, args.digits)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
