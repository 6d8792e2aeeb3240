#!/usr/bin/python3
"""Plot an `l2o evaluate` output in the style of Li & Malik (2017), Figs. 1-5: one panel per task
(data set), one line per optimizer, the mean true objective over seeds with a shaded band of one
standard deviation, true objective against iteration (with --x seconds: against the runs'
wall-clock seconds, assuming a constant cost per iteration within a run). An optimizer's line ends
where one of its seeds diverged (the mean over all seeds is undefined from there); the legend counts
diverged seeds."""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results_io import fail, load_results  # noqa: E402


X_AXES = {"iteration": "iteration", "seconds": "wall-clock seconds (optimizer + minibatch)"}


def plot(tasks, output, log_y=False, title=None, clip=False, x_axis="iteration"):
    """Draws every task into one figure and saves it to `output`. The x axis is the iteration or,
    with x_axis="seconds", Curves.elapsed_seconds (what a user waits for). With `clip`, each panel's
    objective axis ends at 1.25x the highest starting objective, so one optimizer blowing up does
    not flatten the others; a curve leaving that range is marked "off scale" in the legend."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = min(3, len(tasks))
    rows = (len(tasks) + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(5.0 * columns, 3.8 * rows), squeeze=False)
    colours = plt.get_cmap("tab10")
    for panel, task in zip(axes.flat, tasks):
        top = 1.25 * max(np.nanmax(np.mean(c.objective[:, :1], axis=0)) for c in task.curves)
        for k, curves in enumerate(task.curves):
            mean = np.mean(curves.objective, axis=0)  # NaN from a divergence on
            std = np.std(curves.objective, axis=0)
            label = curves.optimizer
            if curves.diverged.any():
                label += f" ({int(curves.diverged.sum())}/{len(curves.diverged)} diverged)"
            if clip and np.nanmax(mean) > top:
                label += " (off scale)"
            colour = colours(k % 10)
            x = curves.iterations if x_axis == "iteration" else curves.elapsed_seconds()
            panel.plot(x, mean, color=colour, label=label, linewidth=1.2)
            lower = mean - std
            if log_y:
                lower = np.maximum(lower, mean * 0.5)
            panel.fill_between(x, lower, mean + std, color=colour, alpha=0.2, linewidth=0)
        panel.set_title(task.label)
        panel.set_xlabel(X_AXES[x_axis])
        panel.set_ylabel("true objective")
        if log_y:
            panel.set_yscale("log")
        if clip:
            panel.set_ylim(top=top)
        panel.grid(alpha=0.3)
        panel.legend(fontsize="small")
    for panel in list(axes.flat)[len(tasks):]:
        panel.set_visible(False)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(output, dpi=120)
    plt.close(figure)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", help="results.h5 written by `l2o evaluate`")
    parser.add_argument("-o", "--output", default="curves.png", help="image file (default curves.png)")
    parser.add_argument("--log-y", action="store_true", help="logarithmic objective axis")
    parser.add_argument("--title", help="figure title")
    parser.add_argument("--x", choices=sorted(X_AXES), default="iteration",
                        help="x axis: iteration (default) or the runs' wall-clock seconds")
    args = parser.parse_args(argv)
    tasks = load_results(args.results)
    if not tasks:
        fail(f"{args.results}: no tasks to plot")
    plot(tasks, args.output, log_y=args.log_y, title=args.title, x_axis=args.x)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
