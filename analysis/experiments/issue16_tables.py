"""The two tables of docs/results/gps.md "Issue 16: which local model is wrong" from the runs'
per-iteration records and checkpoints: usage issue16_tables.py [--prefix P] RESULTS_DIR RUN [RUN ...],
where RESULTS_DIR/<P><RUN>_checkpoint.h5 and its _iterations/ directory exist (P defaults to
"abl_"). The group sizes are the workstation config's 48-48-10 net (W1, b1, W2, b2). Runs with
gps.noise_free_rollouts > 0 also get psi's noise-free cost (a dash otherwise)."""
import glob
import sys

import h5py
import numpy as np

GROUP_SIZES = np.array([2304, 48, 480, 10])


def records(path):
    for name in sorted(glob.glob(path + "_iterations/iteration_*.h5")):
        with h5py.File(name, "r") as f:
            r = f[list(f.keys())[0]]
            yield {"psi": r.attrs["mean_sample_cost"], "pi": r.attrs["evaluation_score"],
                   "P": r.attrs["predicted_improvement"], "R": r.attrs["realised_improvement"],
                   "accepted": bool(r["step_accepted"][0]),
                   "noise_free": r.attrs.get("noise_free_cost", np.nan),
                   "model": r["model_cost"][:], "sample": r["sample_cost"][:]}


def noise_free_cell(rows):
    costs = [r["noise_free"] for r in rows]
    if np.isnan(costs).all():
        return "–"
    return f"{costs[0]:.4f} → {costs[-1]:.4f} ({np.nanmin(costs):.4f})"


def main(directory, runs, prefix):
    print("| run | psi cost 0 → last (min) | psi noise-free 0 → last (min) "
          "| pi score 0 → last (best) | median predicted / realised "
          "| in [1/3, 3] | steps accepted | model / sample cost per group |")
    print("|---|---|---|---|---:|---:|---:|---|")
    decomposition = []
    for run in runs:
        path = f"{directory}/{prefix}{run}_checkpoint"
        with h5py.File(path + ".h5", "r") as f:
            gamma = np.array([f["checkpoint"][f"group_{g}"].attrs["cost_normaliser"]
                              for g in range(len(GROUP_SIZES))])
        rows = list(records(path))
        ratio = np.array([r["P"] / r["R"] for r in rows[1:]])
        ms = np.median([r["model"] / r["sample"] for r in rows], axis=0)
        inside = int(np.sum((ratio >= 1 / 3) & (ratio <= 3)))
        psi = [r["psi"] for r in rows]
        pi = [r["pi"] for r in rows]
        print(f"| {run} | {psi[0]:.4f} → {psi[-1]:.4f} ({min(psi):.4f}) | {noise_free_cell(rows)} "
              f"| {pi[0]:.4f} → {pi[-1]:.4f} "
              f"({min(pi):.4f}) | {np.median(ratio):.3g} | {inside}/{len(ratio)} "
              f"| {sum(r['accepted'] for r in rows[1:])}/{len(ratio)} | "
              + " / ".join(f"{v:.2g}" for v in ms) + " |")
        # predicted / attributed and attributed / realised, against the last accepted iteration
        previous, parts = None, []
        for r in rows:
            attributed = float(np.sum(GROUP_SIZES * r["sample"] / gamma))
            if previous is not None:
                change = previous - attributed
                parts.append((r["P"] / change, change / r["R"], r["P"] / r["R"]))
            if previous is None or r["accepted"]:
                previous = attributed
        decomposition.append((run, np.median(np.array(parts), axis=0)))
    print()
    print("| run | median predicted / attributed | median attributed / realised "
          "| median predicted / realised |")
    print("|---|---:|---:|---:|")
    for run, (a, b, c) in decomposition:
        print(f"| {run} | {a:.3g} | {b:.3g} | {c:.3g} |")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    run_prefix = "abl_"
    if arguments[:1] == ["--prefix"] and len(arguments) >= 2:
        run_prefix, arguments = arguments[1], arguments[2:]
    if len(arguments) < 2:
        sys.exit("usage: issue16_tables.py [--prefix P] RESULTS_DIR RUN [RUN ...]")
    main(arguments[0], arguments[1:], run_prefix)
