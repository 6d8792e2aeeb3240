"""Reading `l2o evaluate` outputs (results.h5, layout in docs/hdf5-layout.md) into numpy arrays.

Shared by plot_curves.py and summarize.py. A diverged run's arrays stop at the divergence; here
its missing points are NaN and its final objective and AUC are +inf (it never finished).
"""
import dataclasses
import sys

import numpy as np


@dataclasses.dataclass
class Curves:
    """One optimizer on one task: every seed's true-objective curve on a common iteration grid."""
    optimizer: str
    iterations: np.ndarray   # [points] recorded iterations (the longest run's)
    objective: np.ndarray    # [seeds, points] true objective, NaN after a divergence
    diverged: np.ndarray     # [seeds] bool
    wall_seconds: np.ndarray  # [seeds] run's @wall_seconds: optimizer + minibatch time
    steps: np.ndarray        # [seeds] iterations the run took (its last recorded iteration)

    def final(self):
        """Final true objective per seed (+inf for a diverged run)."""
        return np.where(self.diverged, np.inf, self.objective[:, -1])

    def auc(self):
        """Mean true objective over the run per seed: trapezoid area over the recorded
        iterations divided by their span (the tuning criterion of `l2o tune`); +inf if diverged."""
        t = self.iterations.astype(float)
        if len(t) == 1:
            area = self.objective[:, 0]
        else:
            area = np.trapz(self.objective, t, axis=1) / (t[-1] - t[0])
        return np.where(self.diverged, np.inf, area)

    def seconds_per_iteration(self):
        """Per seed, @wall_seconds / iterations taken (NaN for a run that took none)."""
        return self.wall_seconds / np.where(self.steps > 0, self.steps, np.nan)

    def elapsed_seconds(self):
        """Wall-clock seconds at each recorded iteration, assuming a constant cost per iteration:
        iteration x the mean over seeds of seconds_per_iteration (a common axis for all seeds)."""
        return self.iterations * np.nanmean(self.seconds_per_iteration())


@dataclasses.dataclass
class Task:
    """One task of results.h5 with its optimizers in the order they were listed."""
    name: str
    label: str
    dataset: str
    curves: list


def fail(message):
    """One line on stderr and exit code 2 (bad input), like l2o itself."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def _by_index(group):
    return sorted(group.keys(), key=lambda k: int(group[k].attrs.get("index", 0)))


def load_results(path):
    """Tasks of an `l2o evaluate` output, in config order. Exits with a one-line error (code 2)
    if the file is missing or not an evaluate output."""
    import h5py  # imported here so --help works without h5py
    try:
        handle = h5py.File(path, "r")
    except OSError as error:
        fail(f"{path}: cannot open as HDF5; pass the output of `l2o evaluate`")
    with handle as f:
        if "tasks" not in f:
            fail(f"{path}: no /tasks group; pass the output of `l2o evaluate`")
        tasks = []
        for name in _by_index(f["tasks"]):
            group = f["tasks"][name]
            curves = []
            for optimizer in _by_index(group):
                runs = [group[optimizer][r] for r in sorted(group[optimizer].keys())]
                longest = max(runs, key=lambda r: len(r["iterations"]))
                iterations = np.asarray(longest["iterations"][()])
                objective = np.full((len(runs), len(iterations)), np.nan)
                diverged = np.array([int(run.attrs["diverged_at"]) >= 0 for run in runs])
                wall_seconds = np.array([float(run.attrs["wall_seconds"]) for run in runs])
                # A run records its true objective after its last iteration and at a divergence.
                steps = np.array([int(run["iterations"][-1]) for run in runs])
                for i, run in enumerate(runs):
                    values = np.asarray(run["true_objective"][()], dtype=float)
                    if diverged[i]:  # the diverging point itself is not part of the curve
                        values[np.asarray(run["iterations"][()]) >= int(run.attrs["diverged_at"])] = np.nan
                    objective[i, :len(values)] = values
                curves.append(Curves(optimizer, iterations, objective, diverged, wall_seconds,
                                     steps))
            attrs = group.attrs
            tasks.append(Task(name, str(attrs.get("label", name)), str(attrs.get("dataset", name)),
                              curves))
        return tasks
