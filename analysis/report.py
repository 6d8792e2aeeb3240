#!/usr/bin/python3
"""The reproduction report: docs/results/REPORT.md (Markdown with PNGs beside it) built from the
HDF5 outputs of a completed job chain (jobs/README.md) -- one figure per paper figure (Li & Malik
2017, Figs. 1-5: one panel per unseen task, true objective against iteration) and the
generalisation figure (fig6), the headline (issue 19's target counts and where the learned
optimizers rank), each optimizer's seconds per iteration, each figure's objective against wall-clock
seconds and per-task tables, the tuned hyperparameters, per-iteration GPS diagnostics (psi's cost,
pi's score, KL, eta, step multipliers: analysis/plot_gps_training.py) when a meta-training run's
records are given, and each output's metadata (git revision, machine, ranks, threads, creation
time, run seconds, the resolved config).

    analysis/report.py RESULTS_DIR [-o docs/results/REPORT.md] [--gps-records DIR ...]

RESULTS_DIR holds tuned.h5, tuned_fine.h5 and fig*.h5 (jobs/tune.sbatch, jobs/evaluate.sbatch). The figures go to
<output stem>_figures/ beside the report. Exits 2 with one line on a missing or foreign input."""
import argparse
import dataclasses
import datetime
import os
import platform
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot_curves  # noqa: E402
import plot_gps_training  # noqa: E402
from results_io import fail, load_results  # noqa: E402
from summarize import mean_std, task_table  # noqa: E402

FIGURE_FILE = re.compile(r"^(fig\d+)\.h5$")
# The learned optimizers the headline ranks, ours first: psd (the LSTM pi), es (psi, the
# low-dimensional controller pi imitates, issue 19), l2l (the paper's second learned baseline).
# Every other optimizer of a figure is hand-designed (tuned).
LEARNED = ("psd", "es", "l2l")
IN_PAPER = {f"fig{k}" for k in range(1, 6)}  # Figs. 1-5 of the paper: the panels the targets count
# Li & Malik (2017): what each figure of the paper shows (their captions); fig6 is ours.
PAPER_FIGURES = {
    "fig1": "Fig. 1: 48 input and 48 hidden units, mini-batches of 64",
    "fig2": "Fig. 2: 100 input and 200 hidden units, mini-batches of 64",
    "fig3": "Fig. 3: 48 input and 48 hidden units, mini-batches of 10",
    "fig4": "Fig. 4: 100 input and 200 hidden units, mini-batches of 10",
    "fig5": "Fig. 5: 100 input and 200 hidden units, mini-batches of 64, 800 iterations",
    "fig6": "Beyond the paper: 3 layers (100-200-200), mini-batches of 64, 1,600 iterations",
}


def read_meta(path):
    """(attributes of /meta, resolved config text, sum of the runs' @wall_seconds: optimizer and
    minibatch time, true objective excluded) of an output."""
    import h5py
    try:
        handle = h5py.File(path, "r")
    except OSError:
        fail(f"{path}: cannot open as HDF5; pass the results directory of a completed job chain")
    with handle as f:
        if "meta" not in f:
            fail(f"{path}: no /meta group; not an l2o output")
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f["meta"].attrs.items()}
        config = f["meta/config"][()]
        config = config.decode() if isinstance(config, bytes) else str(config)
        seconds = []
        f.visititems(lambda name, obj: seconds.append(float(obj.attrs["wall_seconds"]))
                     if "wall_seconds" in obj.attrs else None)
        return attrs, config, float(np.sum(seconds))


def read_tuned(path):
    """[(optimizer, label, score)] of tune's /chosen, in file order."""
    import h5py
    with h5py.File(path, "r") as f:
        if "chosen" not in f:
            fail(f"{path}: no /chosen group; pass the output of `l2o tune`")
        rows = []
        for name, group in f["chosen"].items():
            label = group.attrs["label"]
            rows.append((name, label.decode() if isinstance(label, bytes) else str(label),
                         float(group.attrs["score"])))
        return rows


def figure_title(name, tasks):
    """The caption of figure `name`: the paper's (or ours) plus what the file says it ran."""
    first = tasks[0]
    return PAPER_FIGURES.get(name, name) + f" ({len(first.curves[0].diverged)} seeds)"


def final_means(task):
    """{optimizer: mean final objective over seeds (+inf if a seed diverged)}."""
    return {c.optimizer: mean_std(c.final())[0] for c in task.curves}


def auc_means(task):
    """{optimizer: mean AUC over seeds (+inf if a seed diverged)}."""
    return {c.optimizer: mean_std(c.auc())[0] for c in task.curves}


def rank_of(values, optimizer):
    """1-based rank of `optimizer` among `values` (lower is better; ties share the better rank)."""
    return 1 + sum(v < values[optimizer] for v in values.values())


def number(value):
    return f"{value:.4f}" if np.isfinite(value) else "diverged"


def lowest_among_hand(values, name):
    """Whether `name`'s mean is strictly below every hand-designed optimizer's (other learned
    optimizers are not compared; a diverged `name`, +inf, never is)."""
    return all(values[name] < v for k, v in values.items() if k not in LEARNED)


def target_counts(figures, name):
    """Issue 19's targets for learned optimizer `name` over the panels of `figures` on which it
    ran: [panels where its mean AUC is the lowest among itself and the hand-designed optimizers,
    same for the mean final objective, panels where a seed diverged, panels]."""
    counts = [0, 0, 0, 0]
    for _, tasks in figures:
        for task in tasks:
            curves = {c.optimizer: c for c in task.curves}
            if name not in curves:
                continue
            counts[0] += lowest_among_hand(auc_means(task), name)
            counts[1] += lowest_among_hand(final_means(task), name)
            counts[2] += bool(curves[name].diverged.any())
            counts[3] += 1
    return counts


def targets(figures, learned):
    """Per learned optimizer, a bullet with its target counts on the paper's Figs. 1-5 and, apart,
    on our other figures (fig6), which the issue's targets do not count."""
    groups = [("", " of Figs. 1-5", [f for f in figures if f[0] in IN_PAPER])]
    others = [f for f in figures if f[0] not in IN_PAPER]
    if others:
        groups.append((f"Beyond the paper ({', '.join(n for n, _ in others)}, not counted by the "
                       "targets): ", "", others))
    lines = []
    for name in learned:
        parts = []
        for prefix, suffix, subset in groups:
            auc, final, diverged, panels = target_counts(subset, name)
            if panels:
                parts.append(f"{prefix}lowest mean AUC on {auc}/{panels} panels{suffix}, lowest "
                             f"mean final on {final}/{panels}; diverged on {diverged}/{panels}.")
        lines += [f"- **{name}**: " + " ".join(parts), ""]
    return lines


def headline(figures):
    """The headline: issue 19's target counts per learned optimizer, then a table per figure and
    task of the best hand-designed optimizer and each learned one's final objective and rank by
    final objective and by AUC, then the pairwise win counts."""
    learned = [name for name in LEARNED
               if any(c.optimizer == name for _, tasks in figures for t in tasks for c in t.curves)]
    lines = targets(figures, learned)
    header = "| figure | task | best hand-designed (final) |" + "".join(
        f" {name} final | {name} rank final / AUC |" for name in learned)
    lines += [header, "|---|---|---|" + "---:|---:|" * len(learned)]
    wins = {name: {} for name in learned}  # name -> {hand-designed: [wins, tasks]}
    for figure, tasks in figures:
        for task in tasks:
            finals, aucs = final_means(task), auc_means(task)
            hand = {k: v for k, v in finals.items() if k not in LEARNED}
            best = min(hand, key=hand.get)
            row = f"| {figure} | {task.label} | {best} {number(hand[best])} |"
            for name in learned:
                if name not in finals:
                    row += " | |"
                    continue
                row += (f" {number(finals[name])} | {rank_of(finals, name)} / {rank_of(aucs, name)}"
                        f" of {len(finals)} |")
                for other, value in hand.items():
                    tally = wins[name].setdefault(other, [0, 0])
                    tally[0] += finals[name] < value
                    tally[1] += 1
            lines.append(row)
    lines.append("")
    for name in learned:
        parts = [f"{other} {w}/{n}" for other, (w, n) in wins[name].items()]
        lines.append(f"Tasks on which **{name}** ends below (final objective) the tuned "
                     f"hand-designed optimizer: " + ", ".join(parts) + ".")
        lines.append("")
    return lines


def seconds_per_iteration(tasks, optimizer):
    """Mean over `optimizer`'s runs on `tasks` (every task and seed) of @wall_seconds / iterations
    taken; NaN if it has no run that took an iteration."""
    runs = [s for t in tasks for c in t.curves if c.optimizer == optimizer
            for s in c.seconds_per_iteration() if np.isfinite(s)]
    return float(np.mean(runs)) if runs else np.nan


def seconds_table(figures):
    """Time per iteration in milliseconds (the scale of the numbers: well under 1 for AdaGrad,
    tens for the LSTM), one row per optimizer and one column per figure."""
    optimizers = dict.fromkeys(c.optimizer for _, tasks in figures for t in tasks for c in t.curves)
    lines = ["| optimizer |" + "".join(f" {name} |" for name, _ in figures),
             "|---|" + "---:|" * len(figures)]
    for optimizer in optimizers:
        cells = (seconds_per_iteration(tasks, optimizer) for _, tasks in figures)
        lines.append(f"| {optimizer} |" + "".join(f" {1e3 * v:.3g} |" if np.isfinite(v) else " |"
                                                   for v in cells))
    return lines


def metadata_table(entries):
    """One row per output: file, subcommand, git revision, host, ranks x threads, created, and the
    runs' @wall_seconds summed (optimizer and minibatch time; the true objective excluded)."""
    lines = ["| output | subcommand | git revision | host | ranks x threads | created (UTC) | "
             "optimizer seconds (sum over runs) |", "|---|---|---|---|---|---|---:|"]
    for name, (attrs, _, seconds) in entries:
        lines.append(f"| {name} | {attrs.get('subcommand', '?')} | `{attrs.get('git_revision', '?')}` "
                     f"| {attrs.get('hostname', '?')} | {attrs.get('mpi_ranks', '?')} x "
                     f"{attrs.get('omp_threads_per_rank', '?')} | {attrs.get('created_utc', '?')} | "
                     f"{seconds:.0f} |")
    return lines


def machine():
    """CPU model and count of the machine running the report (the outputs name their host)."""
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        if names:
            model = names[0]
    except OSError:
        pass
    return f"{platform.node()}: {model}, {os.cpu_count()} logical CPUs, {platform.system()} " \
           f"{platform.release()}"


def build(args):
    results = args.results
    if not os.path.isdir(results):
        fail(f"{results}: no such directory; pass the results directory of a completed job chain")
    names = sorted((m.group(1) for m in map(FIGURE_FILE.match, os.listdir(results)) if m),
                   key=lambda n: int(n[3:]))
    if not names:
        fail(f"{results}: no fig*.h5; run jobs/evaluate.sbatch first")
    # The evaluations ran the refined tuning's choices; the half-decade grid's are shown beside.
    tuned_path, coarse_path = (os.path.join(results, n) for n in ("tuned_fine.h5", "tuned.h5"))
    for path in (coarse_path, tuned_path):
        if not os.path.isfile(path):
            fail(f"{path}: missing; run jobs/tune.sbatch first")
    output = args.output
    figure_dir = os.path.splitext(output)[0] + "_figures"
    os.makedirs(figure_dir, exist_ok=True)
    relative = os.path.relpath(figure_dir, os.path.dirname(os.path.abspath(output)))

    figures = [(name, load_results(os.path.join(results, name + ".h5"))) for name in names]
    metas = [("tuned.h5", read_meta(coarse_path)), ("tuned_fine.h5", read_meta(tuned_path))] + [
        (name + ".h5", read_meta(os.path.join(results, name + ".h5"))) for name in names]
    lines = ["# Reproduction report: Learning to Optimize Neural Nets (Li & Malik, 2017)", "",
             f"Generated by `analysis/report.py` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC "
             f"from `{results}`:", "", "```", args.command or " ".join(["analysis/report.py"] + sys.argv[1:]),
             "```", ""]
    if args.notes:
        with open(args.notes) as f:
            lines += [f.read().rstrip(), ""]
    lines += ["## Headline", "",
              "Mean over seeds of the final true objective; rank among all optimizers of the "
              "figure (1 = lowest) by final objective and by AUC (mean true objective over the "
              "run). A diverged seed counts as +inf. First, issue 19's targets per learned "
              "optimizer (psd: lowest mean AUC on at least 10 and lowest mean final objective on "
              "at least 8 of the 15 panels of Figs. 1-5, diverging on none): on how many panels "
              "its mean is below every tuned hand-designed optimizer's (the other learned "
              "optimizers are not compared) and on how many a seed diverged.", ""]
    lines += headline(figures)
    lines += ["## Seconds per iteration", "",
              "Milliseconds per iteration: the mean over each figure's runs (all tasks and seeds) "
              "of the run's optimizer and minibatch seconds (@wall_seconds, true objective "
              "excluded) divided by its iterations, what each optimizer costs a user per step. "
              "Measured on the machine and under the load of the run (see Run metadata).", ""]
    lines += seconds_table(figures) + [""]

    for name, tasks in figures:
        image = f"{name}.png"
        # Panels lettered as in the paper: (a) faces, (b) CIFAR-10, (c) CIFAR-100.
        panels = [dataclasses.replace(task, label=f"({chr(ord('a') + k)}) {task.label}")
                  for k, task in enumerate(tasks)]
        seconds_image = f"{name}_seconds.png"
        for x_axis, path in (("iteration", image), ("seconds", seconds_image)):
            plot_curves.plot(panels, os.path.join(figure_dir, path),
                             title=figure_title(name, tasks), clip=True, x_axis=x_axis)
        lines += [f"## {PAPER_FIGURES.get(name, name)}", "",
                  f"![{name}]({relative}/{image})", "",
                  "Mean true objective over seeds (band: one standard deviation) against iteration, "
                  "one panel per unseen task; the axis ends at 1.25x the highest starting "
                  "objective (curves beyond it are marked off scale).", "",
                  f"![{name} against wall-clock seconds]({relative}/{seconds_image})", "",
                  "The same curves against wall-clock seconds (optimizer and minibatch time, true "
                  "objective excluded): iteration x the optimizer's mean seconds per iteration "
                  "over its runs on the task, i.e. assuming a constant cost per iteration.", ""]
        for task in tasks:
            lines += task_table(task, args.digits) + [""]

    lines += ["## Tuned hyperparameters", "",
              "Chosen by `l2o tune` on the training task (MNIST projected to 48 dimensions, 48-48-10, "
              "mini-batches of 64, 400 iterations); score = mean true objective over the run. "
              "The evaluations use the refined tuning (tuned_fine.h5: the half-decade grid plus "
              "finer step lengths around each optimizer's best, tune.refine); the half-decade "
              "grid's own choice (tuned.h5) is shown for reference.", "",
              "| optimizer | setting | score | half-decade grid's choice | its score |",
              "|---|---|---:|---|---:|"]
    coarse = {o: (label, score) for o, label, score in read_tuned(coarse_path)}
    lines += [f"| {o} | {label} | {score:.4f} | {coarse[o][0]} | {coarse[o][1]:.4f} |"
              if o in coarse else f"| {o} | {label} | {score:.4f} | | |"
              for o, label, score in read_tuned(tuned_path)]
    lines.append("")

    if args.gps_records:
        runs = [plot_gps_training.load_run(d) for d in args.gps_records]
        image = "gps_training.png"
        plot_gps_training.plot(runs, os.path.join(figure_dir, image),
                               title="GPS meta-training, per iteration")
        lines += ["## GPS meta-training diagnostics", "",
                  "Per GPS iteration (gps-spec.md §9, §10, §18.2): psi's sample cost and pi's score, "
                  "the mean KL between psi and pi before and after BADMM, eta, the step multipliers, "
                  "predicted vs actual improvement, the gradient model's R², seconds per phase.", "",
                  f"![gps training]({relative}/{image})", ""]
        for run in runs:
            lines += plot_gps_training.run_table(run, args.digits) + [""]

    lines += ["## Run metadata", "", f"Report machine: {machine()}. The last column sums the runs' "
              "optimizer time (true objective excluded), not the wall time of the stage.", ""]
    lines += metadata_table(metas) + [""]
    for name, (attrs, config, _) in metas:
        lines += [f"<details><summary>{name}: command line and resolved config</summary>", "",
                  "```", attrs.get("command_line", "?"), "```", "", "```toml", config.rstrip(),
                  "```", "</details>", ""]
    temporary = f"{output}.tmp.{os.getpid()}"
    with open(temporary, "w") as f:
        f.write("\n".join(lines))
    os.replace(temporary, output)
    return output


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", help="results directory of the chain (tuned.h5, fig*.h5)")
    parser.add_argument("-o", "--output", default="docs/results/REPORT.md",
                        help="report file (default docs/results/REPORT.md)")
    parser.add_argument("--gps-records", nargs="*", default=[], metavar="DIR",
                        help="<checkpoint stem>_iterations directories of GPS meta-training runs")
    parser.add_argument("--notes", help="Markdown file inserted after the command (findings)")
    parser.add_argument("--command", help="the command shown as having produced the report")
    parser.add_argument("--digits", type=int, default=4, help="decimals in tables (default 4)")
    args = parser.parse_args(argv)
    print(f"report: wrote {build(args)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
