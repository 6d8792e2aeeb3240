#!/usr/bin/python3
"""Diagnostics of GPS meta-training (gps-spec.md §9, §10, §18.2) from the per-iteration records
`l2o meta-train --method gps` writes to <checkpoint stem>_iterations/iteration_<iiii>.h5, several
runs overlaid: psi's mean sample cost and pi's evaluation score, the mean policy KL before/after
BADMM, the step multiplier m_g per group (0.01 = the floor: the loop has stalled), predicted vs
actual improvement per group, the gradient model's median R^2 per group, eta per group, the
conditioning of Sigma_uu, the seconds per phase, and (issue 16 item 5, records that have them)
the local model's own-step response next to the cost model's curvature per group and the summed
predicted vs realised improvement of psi's mean objective. --table prints one Markdown table per
run.
Missing iterations (a run resumed by a newer binary starts its records late) leave gaps; NaN in a
record means "not computed this iteration" (e.g. m_g at iteration 0)."""
import argparse
import dataclasses
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results_io import fail  # noqa: E402

RECORD_NAME = re.compile(r"^iteration_(\d+)\.h5$")  # skips AtomicHdf5File's *.tmp.<pid>
STEP_MULTIPLIER_FLOOR = 0.01  # §10: m_g <- min(max(r m_g, 0.01), 10)
PER_GROUP = ("eta", "step_multiplier", "predicted_improvement", "actual_improvement")
SECONDS = ("sampling", "fits", "lqg", "policy_training", "evaluation")
ATTRIBUTES = ("mean_sample_cost", "evaluation_score", "mean_initial_kl",
              "mean_final_kl") + tuple("seconds_" + phase for phase in SECONDS)
DATASETS = ("group",) + PER_GROUP + ("evaluation_scores", "gradient_r_squared",
                                     "dynamics_condition")
# Written since issue 16; older records lack them (NaN).
OPTIONAL_ATTRIBUTES = ("predicted_improvement", "realised_improvement", "noise_free_cost")
OPTIONAL_SUMMARIES = ("curvature", "own_step_response")
# psi-hat's cost under its own fits and on its recorded points (issue 16; NaN before).
OPTIONAL_PER_GROUP = ("model_cost", "sample_cost")
HINT = "pass a <checkpoint stem>_iterations directory of `l2o meta-train --method gps`"


@dataclasses.dataclass
class GpsRun:
    """One run's records, one row per recorded iteration (ascending; there may be gaps)."""
    label: str
    directory: str
    iterations: np.ndarray        # [I] GPS iteration of each record
    groups: np.ndarray            # [G] coordinate group ids
    mean_sample_cost: np.ndarray  # [I] psi's (1/T) sum_t f_t over the sample rollouts
    noise_free_cost: np.ndarray   # [I] the same without exploration noise (NaN: not recorded)
    evaluation_score: np.ndarray  # [I] pi's score (+inf: a rollout diverged)
    diverged_evaluations: np.ndarray  # [I] evaluation rollouts with a non-finite score
    evaluation_rollouts: np.ndarray   # [I]
    mean_initial_kl: np.ndarray   # [I] policy KL before the BADMM inner iterations
    mean_final_kl: np.ndarray     # [I] and after them
    per_group: dict               # name in PER_GROUP -> [I, G]
    r_squared_median: np.ndarray  # [I, G] median over t of the gradient model's R^2
    sigma_uu_condition_max: np.ndarray  # [I, G] max over t of 1/rcond(Sigma_uu + delta I)
    curvature_median: np.ndarray  # [I, G] median over t of the cost model's h_t (NaN: absent)
    own_step_median: np.ndarray   # [I, G] median over t of w_{t+1}^T B_t / sigma_a (NaN: absent)
    model_to_sample_cost: np.ndarray  # [I, G] model cost / sample cost: 1 = the model reproduces
    #                                   the data it was fitted on (NaN: absent)
    predicted_improvement: np.ndarray  # [I] summed over groups, true-objective units
    realised_improvement: np.ndarray   # [I] change of psi's mean sample cost
    seconds: dict                 # phase in SECONDS -> [I]

    def missing(self):
        """Iterations between the first and the last record that have none."""
        present = set(self.iterations.tolist())
        return [i for i in range(self.iterations[0], self.iterations[-1] + 1) if i not in present]

    def on_grid(self, values):
        """(iterations first..last, values with NaN rows at missing iterations): lines break at
        the gaps instead of bridging them."""
        grid = np.arange(self.iterations[0], self.iterations[-1] + 1)
        full = np.full((len(grid),) + values.shape[1:], np.nan)
        full[self.iterations - grid[0]] = values
        return grid, full


def _read_record(path):
    """The root group's contents of one iteration file as a dict of numpy values."""
    import h5py  # imported here so --help works without h5py
    expected = os.path.basename(path)[:-len(".h5")]
    try:
        handle = h5py.File(path, "r")
    except OSError:
        fail(f"{path}: cannot open as HDF5; delete it or rerun the iteration ({HINT})")
    with handle as f:
        if expected not in f:
            fail(f"{path}: no group {expected}; not a GPS iteration record ({HINT})")
        group = f[expected]
        absent = [name for name in DATASETS if name not in group]
        absent += ["@" + name for name in ("iteration", "summary_columns") + ATTRIBUTES
                   if name not in group.attrs]
        if absent:
            fail(f"{path}: {expected} lacks {', '.join(absent)}; not a complete GPS iteration "
                 f"record ({HINT})")
        record = {name: float(group.attrs[name]) for name in ATTRIBUTES}
        record["iteration"] = int(group.attrs["iteration"])
        record["group"] = np.asarray(group["group"][()])
        for name in PER_GROUP:
            record[name] = np.asarray(group[name][()], dtype=float)
        scores = np.asarray(group["evaluation_scores"][()], dtype=float)
        columns = str(group.attrs["summary_columns"]).split()
        r_squared = np.asarray(group["gradient_r_squared"][()], dtype=float)
        sigma_uu = np.asarray(group["dynamics_condition"][()], dtype=float)
        record["r_squared_median"] = r_squared[:, columns.index("median")]
        record["sigma_uu_condition_max"] = sigma_uu[:, columns.index("max")]
        for name in OPTIONAL_ATTRIBUTES:  # "summed_": the per-group datasets share the names
            record["summed_" + name] = float(group.attrs[name]) if name in group.attrs else np.nan
        for name in OPTIONAL_PER_GROUP:
            record[name] = (np.asarray(group[name][()], dtype=float) if name in group
                            else np.full(len(record["group"]), np.nan))
        for name in OPTIONAL_SUMMARIES:
            record[name + "_median"] = (
                np.asarray(group[name][()], dtype=float)[:, columns.index("median")]
                if name in group else np.full(len(record["group"]), np.nan))
        record["diverged_evaluations"] = int(np.sum(~np.isfinite(scores)))
        record["evaluation_rollouts"] = len(scores)
    if record["iteration"] != int(RECORD_NAME.match(os.path.basename(path)).group(1)):
        fail(f"{path}: @iteration = {record['iteration']} does not match the file name")
    return record


def load_run(directory, label=None):
    """Every iteration_<iiii>.h5 of `directory` in iteration order. Exits with a one-line error
    (code 2) if the directory is missing, holds no record, a record is unreadable or incomplete,
    or the records disagree on the groups."""
    if not os.path.isdir(directory):
        fail(f"{directory}: no such directory; {HINT}")
    names = sorted((int(m.group(1)), name) for name in os.listdir(directory)
                   if (m := RECORD_NAME.match(name)))
    if not names:
        fail(f"{directory}: no iteration_*.h5 records; {HINT}")
    records = [_read_record(os.path.join(directory, name)) for _, name in names]
    groups = records[0]["group"]
    for (_, name), record in zip(names, records):
        if not np.array_equal(record["group"], groups):
            fail(f"{os.path.join(directory, name)}: groups {record['group'].tolist()} differ from "
                 f"{groups.tolist()} of {names[0][1]}; keep one run per directory")
    stacked = {key: np.array([r[key] for r in records]) for key in records[0]}
    if label is None:
        label = os.path.basename(os.path.normpath(directory)).removesuffix("_iterations")
    return GpsRun(
        label=label, directory=directory, iterations=stacked["iteration"], groups=groups,
        mean_sample_cost=stacked["mean_sample_cost"],
        noise_free_cost=stacked["summed_noise_free_cost"],
        evaluation_score=stacked["evaluation_score"],
        diverged_evaluations=stacked["diverged_evaluations"],
        evaluation_rollouts=stacked["evaluation_rollouts"],
        mean_initial_kl=stacked["mean_initial_kl"], mean_final_kl=stacked["mean_final_kl"],
        per_group={name: stacked[name] for name in PER_GROUP},
        r_squared_median=stacked["r_squared_median"],
        sigma_uu_condition_max=stacked["sigma_uu_condition_max"],
        curvature_median=stacked["curvature_median"],
        own_step_median=stacked["own_step_response_median"],
        model_to_sample_cost=stacked["model_cost"] / stacked["sample_cost"],
        predicted_improvement=stacked["summed_predicted_improvement"],
        realised_improvement=stacked["summed_realised_improvement"],
        seconds={phase: stacked["seconds_" + phase] for phase in SECONDS})


def group_mean(values):
    """Mean over the groups of one iteration, NaN if no group has a value."""
    values = values[~np.isnan(values)]
    return float(np.mean(values)) if len(values) else np.nan


def number(value, digits):
    """A table cell: `digits` significant digits, a dash for NaN (not computed)."""
    return "–" if np.isnan(value) else f"{value:.{digits}g}"


def run_table(run, digits):
    """The Markdown table of one run, one row per record, as a list of lines."""
    missing = run.missing()
    heading = (f"### {run.label} ({run.directory}: {len(run.iterations)} records, iterations "
               f"{run.iterations[0]}–{run.iterations[-1]}, {len(run.groups)} groups)")
    if missing:
        heading += ", no record for " + ", ".join(str(i) for i in missing)
    lines = [heading, "",
             "| iteration | psi cost | psi noise-free | pi score | KL before → after | mean m_g "
             "| mean pred / act improvement | median R² mean (worst group) "
             "| improvement predicted / realised | model / sample cost per group |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    g = run.per_group
    for i, iteration in enumerate(run.iterations):
        score = number(run.evaluation_score[i], digits)
        if run.diverged_evaluations[i]:
            score = f"diverged ({run.diverged_evaluations[i]}/{run.evaluation_rollouts[i]})"
        r_squared = run.r_squared_median[i]
        worst = np.nan if np.isnan(r_squared).all() else float(np.nanmin(r_squared))
        kl = f"{number(run.mean_initial_kl[i], digits)} → {number(run.mean_final_kl[i], digits)}"
        cells = [str(iteration), number(run.mean_sample_cost[i], digits),
                 number(run.noise_free_cost[i], digits), score, kl,
                 number(group_mean(g["step_multiplier"][i]), digits),
                 f"{number(group_mean(g['predicted_improvement'][i]), digits)} / "
                 f"{number(group_mean(g['actual_improvement'][i]), digits)}",
                 f"{number(group_mean(r_squared), digits)} ({number(worst, digits)})",
                 f"{number(run.predicted_improvement[i], digits)} / "
                 f"{number(run.realised_improvement[i], digits)}",
                 " / ".join(number(v, digits) for v in run.model_to_sample_cost[i])]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def plot(runs, output, references=(), title=None):
    """Draws the diagnostics of every run into one figure and saves it to `output`: colour = run,
    line style and marker = group (legend on top), all time axes over the same iterations."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    figure, axes = plt.subplots(5, 2, figsize=(12.0, 19.0))
    ((cost, kl), (multiplier, improvement), (r_squared, eta), (condition, seconds),
     (own_step, summed)) = axes
    colours = plt.get_cmap("tab10")
    styles = ["-", "--", ":", "-."]
    markers = ["o", "s", "^", "D", "v", "P"]
    groups = sorted({int(g) for run in runs for g in run.groups})

    def group_style(group):
        n = groups.index(int(group))
        return {"linestyle": styles[n % len(styles)], "marker": markers[n % len(markers)]}

    def per_group_lines(panel, run, colour, values):
        grid, full = run.on_grid(values)
        for k, group in enumerate(run.groups):
            panel.plot(grid, full[:, k], color=colour, markersize=3, linewidth=1.0,
                       **group_style(group))

    width = 0.8 / len(runs)
    for r, run in enumerate(runs):
        colour = colours(r % 10)
        cost.plot(*run.on_grid(run.mean_sample_cost), color=colour, marker="o", markersize=3)
        score = np.where(np.isfinite(run.evaluation_score), run.evaluation_score, np.nan)
        cost.plot(*run.on_grid(score), color=colour, linestyle="--", marker="s", markersize=3)
        for iteration in run.iterations[run.diverged_evaluations > 0]:
            cost.axvline(iteration, color=colour, linestyle=":", linewidth=1.0)
        kl.plot(*run.on_grid(run.mean_initial_kl), color=colour, linestyle="--", marker="s",
                markersize=3)
        kl.plot(*run.on_grid(run.mean_final_kl), color=colour, marker="o", markersize=3)
        per_group_lines(multiplier, run, colour, run.per_group["step_multiplier"])
        per_group_lines(r_squared, run, colour, run.r_squared_median)
        per_group_lines(eta, run, colour, run.per_group["eta"])
        per_group_lines(condition, run, colour, run.sigma_uu_condition_max)
        per_group_lines(own_step, run, colour, run.own_step_median)
        grid, curvature = run.on_grid(run.curvature_median)
        for k, group in enumerate(run.groups):
            own_step.plot(grid, curvature[:, k], color=colour, linewidth=2.5, alpha=0.35,
                          linestyle=group_style(group)["linestyle"])
        summed.scatter(run.predicted_improvement, run.realised_improvement, color=colour, s=18)
        for k, group in enumerate(run.groups):
            improvement.scatter(run.per_group["predicted_improvement"][:, k],
                                run.per_group["actual_improvement"][:, k], color=colour, s=14,
                                marker=group_style(group)["marker"])
        bottom = np.zeros(len(run.iterations))
        for p, phase in enumerate(SECONDS):
            seconds.bar(run.iterations - 0.4 + width * (r + 0.5), run.seconds[phase], width,
                        bottom=bottom, color=colours(p % 10), hatch=["", "//", "..", "xx"][r % 4],
                        edgecolor="white", linewidth=0.3,
                        label=phase.replace("_", " ") if r == 0 else None)
            bottom += run.seconds[phase]

    # Legends of the line styles (colours are explained once, on top of the figure).
    cost_legend = [Line2D([], [], color="black", marker="o", markersize=3, label="psi sample cost"),
                   Line2D([], [], color="black", linestyle="--", marker="s", markersize=3,
                          label="pi evaluation score")]
    if any(run.diverged_evaluations.any() for run in runs):
        cost_legend.append(Line2D([], [], color="black", linestyle=":", label="pi diverged"))
    for name, value in references:
        cost_legend.append(cost.axhline(value, color="grey", linestyle="-.", linewidth=1.0,
                                        label=name))
    kl_legend = [Line2D([], [], color="black", linestyle="--", marker="s", markersize=3,
                        label="before (psi-hat vs pi)"),
                 Line2D([], [], color="black", marker="o", markersize=3,
                        label="after (psi' vs pi)")]
    multiplier.axhline(STEP_MULTIPLIER_FLOOR, color="red", linestyle=":", linewidth=1.0,
                       label="floor 0.01: stalled")
    improvement.axline((0.0, 0.0), slope=1.0, color="grey", linewidth=0.8, label="act = pred")
    improvement.axhline(0.0, color="grey", linestyle=":", linewidth=0.8)
    summed.axline((0.0, 0.0), slope=1.0, color="grey", linewidth=0.8, label="realised = predicted")
    summed.axhline(0.0, color="grey", linestyle=":", linewidth=0.8)
    own_step.axhline(0.0, color="grey", linestyle=":", linewidth=0.8)
    own_step_legend = [Line2D([], [], color="black", marker="o", markersize=3,
                              label="dynamics: w_{t+1}ᵀB_t / σ_a"),
                       Line2D([], [], color="black", linewidth=2.5, alpha=0.35,
                              label="cost model: curvature h_t")]

    first = min(int(run.iterations[0]) for run in runs)
    last = max(int(run.iterations[-1]) for run in runs)
    panels = [
        (cost, "psi's mean sample cost and pi's evaluation score", "cost", False),
        (kl, "mean Monte-Carlo policy KL(psi || pi) (§9)", "KL", True),
        (multiplier, "step multiplier m_g (§10)", "m_g", True),
        (improvement, "predicted vs actual improvement (§10)", "actual improvement", False),
        (r_squared, "gradient model R², median over t (§4, §18.2 risk 3)", "R²", False),
        (eta, "eta_g of the psi-step (§7.6)", "eta", True),
        (condition, "1/rcond(Sigma_uu + delta I), max over t (§5.1, §18.2 risk 7)",
         "condition number", True),
        (seconds, "seconds per phase (hatch = run)", "seconds", False),
        (own_step, "own-step response vs curvature, median over t (consistent: equal)",
         "gradient change per unit step", False),
        (summed, "improvement of psi's mean objective, summed over groups",
         "realised improvement", False),
    ]
    for panel, heading, y_label, log_y in panels:
        panel.set_title(heading, fontsize="medium")
        panel.set_ylabel(y_label)
        panel.grid(alpha=0.3)
        if log_y and any(np.any(np.asarray(line.get_ydata(), dtype=float) > 0)
                         for line in panel.get_lines()):
            panel.set_yscale("log")
        if panel not in (improvement, summed):
            panel.set_xlabel("GPS iteration")
            panel.set_xlim(first - 0.5, last + 0.5)
            panel.xaxis.set_major_locator(MaxNLocator(integer=True))
    improvement.set_xlabel("predicted improvement (below the diagonal: over-predicted)")
    summed.set_xlabel("predicted improvement (true-objective units)")
    own_step.legend(handles=own_step_legend, fontsize="small")
    cost.legend(handles=cost_legend, fontsize="small")
    kl.legend(handles=kl_legend, fontsize="small")
    for panel in (multiplier, improvement, seconds, summed):
        panel.legend(fontsize="small")
    key = [Line2D([], [], color=colours(r % 10), linewidth=3, label=run.label)
           for r, run in enumerate(runs)]
    key += [Line2D([], [], color="black", markersize=4, label=f"group {g}", **group_style(g))
            for g in groups]
    top = 1.0
    if title:
        figure.suptitle(title, y=0.998, va="top")
        top = 0.982
    figure.legend(handles=key, loc="upper center", bbox_to_anchor=(0.5, top),
                  ncol=min(len(key), 6), frameon=False)
    figure.tight_layout(rect=(0.0, 0.0, 1.0, top - 0.02))
    figure.savefig(output, dpi=100)
    plt.close(figure)


def reference(text):
    """NAME=VALUE of --reference."""
    name, _, value = text.partition("=")
    try:
        return name, float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE, e.g. adam=0.31")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("records", nargs="+", metavar="RECORDS_DIR",
                        help="<checkpoint stem>_iterations directory of one run")
    parser.add_argument("-o", "--output", help="image file of the diagnostics")
    parser.add_argument("--labels", help="comma-separated run names, one per RECORDS_DIR "
                                         "(default: the directory names without _iterations)")
    parser.add_argument("--reference", action="append", type=reference, default=[],
                        metavar="NAME=VALUE", help="horizontal line in the cost panel, e.g. tuned "
                                                   "Adam's mean objective (repeatable)")
    parser.add_argument("--table", action="store_true", help="print a Markdown table per run")
    parser.add_argument("--digits", type=int, default=4,
                        help="significant digits in the table (default 4)")
    parser.add_argument("--title", help="figure title")
    args = parser.parse_args(argv)
    if not args.output and not args.table:
        fail("nothing to do; pass -o IMAGE and/or --table")
    labels = [None] * len(args.records)
    if args.labels is not None:
        labels = args.labels.split(",")
        if len(labels) != len(args.records):
            fail(f"--labels {args.labels}: {len(labels)} labels for {len(args.records)} record "
                 "directories; give one per directory")
    runs = [load_run(directory, label) for directory, label in zip(args.records, labels)]
    if args.table:
        for n, run in enumerate(runs):
            print("\n".join(([""] if n else []) + run_table(run, args.digits)))
    if args.output:
        plot(runs, args.output, args.reference, args.title)
        print(f"wrote {args.output}", file=sys.stderr if args.table else sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
