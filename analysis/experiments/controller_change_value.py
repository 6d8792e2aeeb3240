"""Issue 16, why predicted/realised stays ~50x even for small controller changes: the first-order
value of changing the controller, true against per-coordinate models. Torch replica
(mnist48_replica.py). The sampled controller is tuned AdaGrad (lr 0.1, minibatch gradients, no
exploration noise); the change adds a gain k on the cost-set gradient g_t (the privileged state of
gps.own_step_response = "privileged"): a_t = s_t - k g_t.

- truth: d/dk of the meta-loss (mean cost-set objective over the horizon), central differences at
  k = +-0.02 and +-0.1 with the same initial point and minibatches;
- per-coordinate models of the same change, to first order in k, with the cost of docs/gps-design.md
  (sum_t kappa_t [a.g + h_t |a|^2 / 2] per group, kappa_t = (T - t) / T, exact per step up to third
  order) and AdaGrad's step s_t held at its sampled value (the model's features are not caused by
  the privileged gradient), differing only in how the next gradient responds to the change da_t:
    secant: dg_{t+1} = dg_t + h_t da_t, h_t the group's secant along s_t (the cost model's h_t);
    along g: the same with the group's curvature along g_t (g.Hg / g.g);
    full Hessian: dg_{t+1} = dg_t + H da_t (every coordinate's response, across groups);
and the direct term they share (each step's own first-order cost, no response of later
gradients). Prints one line per seed: the truth and the models' d/dk, then per group."""
import sys
import numpy as np, torch
from mnist48_replica import Z, Y, Zc, Yc, offs, names, init, grad, hvp, loss

T = 400


def rollout(k, seed, record=False):
    """Mean cost-set objective over t = 1..T of a_t = s_t - k g_t; with record, per step (g_t, s_t,
    g(x_t + s_t), H g_t) for the models."""
    torch.manual_seed(seed); theta = init(); G = torch.zeros_like(theta)
    batches = torch.Generator().manual_seed(1000 + seed)
    objective, steps = [], []
    for t in range(T):
        i = torch.randint(0, len(Z), (64,), generator=batches)
        gm = grad(theta, Z[i], Y[i]); G += gm ** 2
        s = -0.1 * gm / (G.sqrt() + 1e-10)
        g = grad(theta, Zc, Yc)
        if record:
            steps.append((g, s, grad(theta + s, Zc, Yc), hvp(theta, g, Zc, Yc)))
        theta = theta + s - k * g
        objective.append(float(loss(theta, Zc, Yc)))
    return np.mean(objective), steps


def model_values(steps):
    """d/dk of the per-coordinate models, per group (rows: secant, along g, full Hessian, direct)."""
    values = np.zeros((4, 4))
    response = [[torch.zeros(offs[i + 1] - offs[i]) for i in range(4)] for _ in range(2)]
    full = torch.zeros(offs[-1])  # dg_t of the full-Hessian model, all coordinates
    for t, (g, s, g_next, hg) in enumerate(steps):
        kappa = (T - t) / T
        for i in range(4):
            c = slice(offs[i], offs[i + 1]); da = -g[c]
            secant = float(s[c] @ (g_next[c] - g[c]) / (s[c] @ s[c]))
            along_g = float(g[c] @ hg[c] / (g[c] @ g[c]))
            direct = float(g[c] @ da + secant * (s[c] @ da))  # the step's own cost, first order
            for m, h in enumerate((secant, along_g)):
                values[m, i] += kappa * (float(response[m][i] @ s[c]) + direct)
                response[m][i] = response[m][i] + h * da
            values[2, i] += kappa * (float(full[c] @ s[c]) + direct)
            values[3, i] += kappa * direct
        full = full - hg
    return values


for seed in (0, 1):
    base, steps = rollout(0.0, seed, record=True)
    truth = {k: (rollout(k, seed)[0] - rollout(-k, seed)[0]) / (2 * k) for k in (0.02, 0.1)}
    values = model_values(steps)
    print(f"seed {seed}: meta-loss {base:.4f}; d/dk truth {truth[0.02]:.3f} (k 0.02) {truth[0.1]:.3f} "
          f"(k 0.1); models: secant {values[0].sum():.3f}, along g {values[1].sum():.3f}, "
          f"full Hessian {values[2].sum():.3f}; direct term {values[3].sum():.3f}", flush=True)
    for m, label in enumerate(("secant", "along g", "full Hessian", "direct")):
        print(f"  {label:12s} " + " ".join(f"{names[i]} {values[m, i]:+.3f}" for i in range(4)))
    sys.stdout.flush()
