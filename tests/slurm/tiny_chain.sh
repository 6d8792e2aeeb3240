# The workstation configs shrunk to toy size for the job-chain tests (sourced): exports L2O_SET,
# which jobs/common.sh applies to every l2o run. The meta-training runs long enough (several
# seconds) for a stop signal to arrive mid-run.
tiny_episodes=12
tiny_overrides=(
  "run.iterations=20" 'tune.optimizers=["sgd", "adam"]' "tune.learning_rates=[0.01, 0.1]"
  "tune.adam_beta1=[0.9]" "tune.seeds=1" "tune.record_every=10" "tune.refine_points_per_decade=4"
  'evaluate.optimizers=["sgd", "adam"]' "evaluate.seeds=2" "evaluate.iterations=[10]"
  "evaluate.record_every=5"
  "l2l.episodes=$tiny_episodes" "l2l.horizon=20" "l2l.truncation=10" "l2l.validation_interval=4"
  "l2l.validation_episodes=1" "meta_train.cost_examples=500" "meta_train.checkpoint_every=1"
  # GPS: one iteration of the app tests' tiny run (tests/app/gps_tiny_run.hpp) at horizon 20
  "gps.iterations=1" "gps.horizon=20" "gps.rollouts=4" "gps.recorded_coordinates=16"
  "gps.inner_iterations=2" "gps.evaluation_rollouts=2" "gps.policy_hidden_size=16"
  "gps.policy_max_steps=10" "gps.initial_learning_rates=[0.3, 1.0]"
  "gps.initial_momentums=[0.0, 0.5]" "gps.initial_pilot_rollouts=1"
)
L2O_SET=$(IFS=';'; echo "${tiny_overrides[*]}")
export L2O_SET

# check_tiny_outputs RESULTS METHODS FIGURE...: what the stages wrote, checked against the shrunk
# configs: tuned.h5 chose sgd and adam, tuned_fine.h5 kept its 4 settings and refined them (2 step
# lengths each, evaluate reads it); l2l_model.h5 trained every episode; with METHODS "l2l,gps"
# also gps_model.h5, a "psd" model of the one GPS iteration; each figure's file holds the three
# data sets with sgd, adam and the learned optimizers (l2l, psd or psd_<features>), each run's curve at iterations
# 0, 5, 10 (or diverged); its plot and table exist; summary.md has every figure; REPORT.md shows
# every figure's image (analysis/report.py).
check_tiny_outputs() {
  /usr/bin/python3 - "$tiny_episodes" "$@" <<'PYTHON'
import os
import sys

import h5py
import numpy as np

episodes, results, methods, figures = int(sys.argv[1]), sys.argv[2], sys.argv[3].split(","), sys.argv[4:]
learned = {"l2l": "l2l", "gps": "psd"}  # the optimizer name each method's model gets in evaluate
def fail(message):
    sys.exit(f"FAIL: {message}")

with h5py.File(f"{results}/tuned.h5") as f:
    if sorted(f["chosen"].keys()) != ["adam", "sgd"]:
        fail(f"tuned.h5 chose {sorted(f['chosen'].keys())}, not adam and sgd")
with h5py.File(f"{results}/tuned_fine.h5") as f:
    refinement = [int(s.attrs["refinement"]) for s in f["settings"].values()]
    if sorted(f["chosen"].keys()) != ["adam", "sgd"] or refinement != [0] * 4 + [1] * 4:
        fail(f"tuned_fine.h5 chose {sorted(f['chosen'].keys())}, refinement flags {refinement}")
    coarse = f["refinement"].attrs["coarse_file"]
    coarse = coarse.decode() if isinstance(coarse, bytes) else coarse
    if os.path.realpath(coarse) != os.path.realpath(f"{results}/tuned.h5"):
        fail(f"tuned_fine.h5 refined {coarse}")
with h5py.File(f"{results}/l2l_model.h5") as f:
    if int(f["model"].attrs["episodes_trained"]) != episodes:
        fail(f"l2l_model.h5 trained {f['model'].attrs['episodes_trained']} episodes, not {episodes}")
if "gps" in methods:
    with h5py.File(f"{results}/gps_model.h5") as f:
        method = f["model"].attrs["method"]
        if (method.decode() if isinstance(method, bytes) else method) != "psd":
            fail(f"gps_model.h5 holds a {method} model, not psd")
        # evaluate names a psd model by its features (PsdOptimizer::name): "psd" for the paper's,
        # else "psd_<features>" (the workstation config's are "adaptive", issue 16)
        features = f["model"].attrs["features"]
        features = features.decode() if isinstance(features, bytes) else features
        learned["gps"] = "psd" if features == "paper" else f"psd_{features}"
expected = sorted(["adam", "sgd"] + [learned[m] for m in methods])
for name in figures:
    with h5py.File(f"{results}/{name}.h5") as f:
        tasks = f["tasks"]
        if sorted(tasks[t].attrs["dataset"] for t in tasks) != ["cifar10", "cifar100", "fer2013"]:
            fail(f"{name}.h5 tasks are {list(tasks)}")
        for t in tasks:
            if sorted(tasks[t].keys()) != expected:
                fail(f"{name}.h5 {t} holds {sorted(tasks[t].keys())}, not {expected}")
            for optimizer in tasks[t].values():
                for run in optimizer.values():
                    curve = run["true_objective"][()]
                    if run.attrs["diverged_at"] < 0 and (len(curve) != 3 or not np.all(np.isfinite(curve))):
                        fail(f"{name}.h5 {run.name}: {curve}")
    for kind in ("png", "md"):
        if not os.path.getsize(f"{results}/{name}.{kind}"):
            fail(f"{results}/{name}.{kind} is empty")
summary = open(f"{results}/summary.md").read()
if any(f"## {name}" not in summary for name in figures):
    fail("summary.md lacks a figure")
report = open(f"{results}/REPORT.md").read()
for name in figures:
    if f"(REPORT_figures/{name}.png)" not in report or not os.path.getsize(f"{results}/REPORT_figures/{name}.png"):
        fail(f"REPORT.md lacks {name}'s figure")
models = ", ".join(f"{m}_model.h5" for m in methods)
print(f"outputs: tuned.h5, tuned_fine.h5, {models} (l2l: {episodes} episodes), {', '.join(figures)} (.h5, .png, .md), summary.md, REPORT.md")
PYTHON
}
