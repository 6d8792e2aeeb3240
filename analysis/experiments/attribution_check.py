"""Does the cost model's per-coordinate attribution (gps-spec.md §4: sum_t kappa_t sum_j
[a_j g_j + h_t a_j^2 / 2], h_t the secant over +-5 steps, pooled per group) reproduce the realised
(1/T) sum_t (T-t) Delta f_t on the training task? Torch replica (as curvature_directions.py);
optimisers: AdaGrad lr 0.1 on minibatches, and gradient descent on the cost-set gradient (what psi
does with a gain on the privileged gradient)."""
import numpy as np, torch
from mnist48_replica import Z, Y, Zc, Yc, offs, init, value_and_grad as grad
T = 400
for name, lr in [("adagrad", 0.1), ("gd-true-gradient", 0.5), ("gd-true-gradient", 2.0)]:
    torch.manual_seed(0)
    theta = init()
    G = torch.zeros_like(theta); f, g = grad(theta, Zc, Yc); f0 = f
    fs, steps, gs, dgs = [f], [], [], []
    for t in range(T):
        if name == "adagrad":
            i = torch.randint(0, len(Z), (64,)); _, gm = grad(theta, Z[i], Y[i]); G += gm ** 2
            a = -lr * gm / (G.sqrt() + 1e-10)
        else:
            a = -lr * g
        a = a + 0.3 * a.abs().mean() * torch.randn_like(a)  # exploration
        theta = theta + a
        f2, g2 = grad(theta, Zc, Yc)
        steps.append(a); gs.append(g); dgs.append(g2 - g); fs.append(f2); g = g2
    kappa = [(T - t) / T for t in range(T)]
    actual = sum(kappa[t] * (fs[t + 1] - fs[t]) for t in range(T))
    total = 0.0; exact = 0.0
    for k in range(4):
        s = slice(offs[k], offs[k + 1])
        for t in range(T):
            lo, hi = max(t - 5, 0), min(t + 5, T - 1)
            h = max(0.0, sum(float(steps[u][s] @ dgs[u][s]) for u in range(lo, hi + 1)) /
                    sum(float(steps[u][s] @ steps[u][s]) for u in range(lo, hi + 1)))
            total += kappa[t] * (float(steps[t][s] @ gs[t][s]) + 0.5 * h * float(steps[t][s] @ steps[t][s]))
            exact += kappa[t] * float(steps[t][s] @ (gs[t][s] + 0.5 * dgs[t][s]))
    print(f"{name} lr {lr}: f0 {f0:.3f} mean f {np.mean(fs[1:]):.3f}; realised sum kappa df {actual:.3f}, "
          f"attributed (window secant) {total:.3f}, trapezoid per step {exact:.3f}")
