#!/usr/bin/python3
"""The experiment configs of the job chain (config/paper/, config/workstation/): every file passes
`l2o config --check`, both profiles hold the same files, and the resolved configs (defaults filled
in by l2o) describe the paper's experiments: each figure's architecture, minibatch and iterations
(Li & Malik 2017, Figs. 1-5, and the generalisation figure 6) on FER2013, CIFAR-10 and CIFAR-100 with >= 5 seeds and the learned
optimizers, the tuned ones from the refined tuning (tune_fine.toml: tune.toml's task, seeds and
grids, refining its output); tuning and L2L meta-training on the training task (MNIST-48, 48-48,
minibatch 64);
paper-scale L2L at gps-spec.md §16's settings (the schema defaults).
    check_job_configs.py L2O_BINARY SOURCE_DIR"""
import os
import subprocess
import sys
import tomllib

FIGURES = {  # name: (architecture, minibatch, iterations)
    "fig1": ("48-48", 64, 400),
    "fig2": ("100-200", 64, 400),
    "fig3": ("48-48", 10, 400),
    "fig4": ("100-200", 10, 400),
    "fig5": ("100-200", 64, 800),
    "fig6": ("100-200-200", 64, 1600),  # beyond the paper: a deeper net, 4x the horizon
}
TRAINING_TASK = {"dataset": "mnist", "input_dim": 48, "hidden": [48], "batch_size": 64}
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def resolved(binary, path):
    """The config as l2o resolves it (every key), or None if `l2o config --check` rejects it."""
    run = subprocess.run([binary, "config", "--check", path], capture_output=True, text=True)
    check(run.returncode == 0, f"{path}: l2o config --check exit {run.returncode}: {run.stderr.strip()}")
    return tomllib.loads(run.stdout) if run.returncode == 0 else None


def main(binary, source_dir):
    run = subprocess.run([binary, "config", "--defaults"], capture_output=True, text=True, check=True)
    defaults = tomllib.loads(run.stdout)
    profiles = {p: os.path.join(source_dir, "config", p) for p in ("paper", "workstation")}
    names = {p: sorted(os.listdir(d)) for p, d in profiles.items()}
    check(names["paper"] == names["workstation"],
          f"config/paper has {names['paper']}, config/workstation {names['workstation']}")
    for profile, directory in profiles.items():
        expected = sorted([f"{f}.toml" for f in FIGURES] + ["tune.toml", "tune_fine.toml",
                                                              "meta_train_l2l.toml",
                                                              "meta_train_gps.toml"])
        check(all(n in names[profile] for n in expected), f"config/{profile} lacks one of {expected}")
        configs = {n: resolved(binary, os.path.join(directory, n)) for n in names[profile]}
        where = lambda name: f"config/{profile}/{name}"
        for figure, (architecture, batch, iterations) in FIGURES.items():
            c = configs.get(f"{figure}.toml")
            if c is None:
                continue
            e = c["evaluate"]
            check((e["architectures"], e["batch_sizes"], e["iterations"]) ==
                  ([architecture], [batch], [iterations]),
                  f"{where(figure + '.toml')}: {e['architectures']} {e['batch_sizes']} "
                  f"{e['iterations']}, the paper's is {architecture} batch {batch} {iterations}")
            check(e["datasets"] == ["fer2013", "cifar10", "cifar100"],
                  f"{where(figure + '.toml')}: datasets {e['datasets']}")
            check(e["seeds"] >= 5, f"{where(figure + '.toml')}: {e['seeds']} seeds, the issue asks >= 5")
            check(len(e["optimizers"]) == 7 and e["learned"],
                  f"{where(figure + '.toml')}: all seven hand-designed and the learned optimizers")
            # One l2l and one psd model (the paper's two learned optimizers); psi of the ES path
            # (es) may join them (issue 19).
            learned = sorted(os.path.basename(m).split("_")[0] for m in e["learned"])
            check(learned in (["l2l", "psd"], ["es", "l2l", "psd"]),
                  f"{where(figure + '.toml')}: learned {e['learned']}, not one l2l and one psd "
                  f"model (and at most one es model)")
            fine = configs.get("tune_fine.toml")
            check(fine is None or e["tuned"] == fine["run"]["output"],
                  f"{where(figure + '.toml')}: evaluate.tuned is not tune_fine.toml's output")
        tune, fine = configs.get("tune.toml"), configs.get("tune_fine.toml")
        if tune is not None and fine is not None:
            check(fine["tune"]["refine"] == tune["run"]["output"],
                  f"{where('tune_fine.toml')}: tune.refine is not tune.toml's output")
            coarse_keys = lambda c: (c["task"], c["run"]["seed"], c["run"]["iterations"],
                                     {k: v for k, v in c["tune"].items() if not k.startswith("refine")})
            check(coarse_keys(fine) == coarse_keys(tune),
                  f"{where('tune_fine.toml')}: task, seeds or grids differ from tune.toml's")
        for name in ("tune.toml", "tune_fine.toml", "meta_train_l2l.toml", "meta_train_gps.toml"):
            c = configs.get(name)
            if c is not None:
                task = {k: c["task"][k] for k in TRAINING_TASK}
                check(task == TRAINING_TASK, f"{where(name)}: task {task}, not MNIST-48 48-48 batch 64")
        for method in ("l2l", "gps"):
            name = f"meta_train_{method}.toml"
            meta = configs.get(name)
            if meta is None:
                continue
            check(meta["meta_train"]["method"] == method, f"{where(name)}: method")
            check(meta[method]["horizon"] == 400,
                  f"{where(name)}: horizon {meta[method]['horizon']}, the paper's is 400")
            if profile == "paper":
                check(meta[method] == defaults[method],
                      f"{where(name)}: [{method}] {meta[method]} differs from the spec "
                      f"defaults {defaults[method]}")
    for failure in failures:
        print(f"FAIL: {failure}")
    if not failures:
        print(f"configs OK: {len(names['paper'])} per profile")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
