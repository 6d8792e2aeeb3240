#!/usr/bin/env python3
"""Paired comparison of two optimizers in an `l2o evaluate` output (issue 19: the margins are a
few per cent, so optimizers are compared on the same seeds, i.e. the same initial points and
minibatch sequences). Per task: both means of the AUC (mean true objective over the run) and of
the final true objective, the mean per-seed difference candidate - baseline with its standard
error (std of the differences / sqrt(seeds)), the relative difference and the number of seeds on
which the candidate is lower. A diverged run counts as +inf (the difference is then inf).

    analysis/paired_comparison.py results/eval_es.h5 --baseline adagrad --candidate es
"""
import argparse

import numpy as np

from results_io import fail, load_results


def paired_rows(tasks, baseline, candidate):
    """Markdown table rows, one per task and measure."""
    rows = []
    for task in tasks:
        by_name = {c.optimizer: c for c in task.curves}
        for name in (baseline, candidate):
            if name not in by_name:
                fail(f"task {task.name}: no optimizer \"{name}\" (has {', '.join(by_name)})")
        base, cand = by_name[baseline], by_name[candidate]
        if base.objective.shape[0] != cand.objective.shape[0]:
            fail(f"task {task.name}: {baseline} and {candidate} have different seed counts")
        for measure in ("auc", "final"):
            b = getattr(base, measure)()
            c = getattr(cand, measure)()
            d = c - b
            n = len(d)
            se = np.std(d, ddof=1) / np.sqrt(n) if n > 1 else float("nan")
            rows.append(f"| {task.label} | {measure} | {b.mean():.4f} | {c.mean():.4f} | "
                        f"{d.mean():+.4f} ± {se:.4f} | {100 * d.mean() / b.mean():+.2f} % | "
                        f"{int(np.sum(d < 0))}/{n} |")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="output of `l2o evaluate`")
    parser.add_argument("--baseline", required=True, help="optimizer name, e.g. adagrad")
    parser.add_argument("--candidate", required=True, help="optimizer name, e.g. es")
    args = parser.parse_args()
    tasks = load_results(args.results)
    print(f"| task | measure | {args.baseline} | {args.candidate} | "
          f"paired difference ± s.e. | relative | {args.candidate} lower |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for row in paired_rows(tasks, args.baseline, args.candidate):
        print(row)


if __name__ == "__main__":
    main()
