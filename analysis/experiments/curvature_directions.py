"""Hypothesis check for issue 16 (privileged gradient model over-predicts ~700x): the secant
curvature h_t = sum a.dg / sum a^2 along the sampling policy's joint move (AdaGrad on minibatch
gradients + exploration noise) is much smaller than the curvature along the true (cost-set)
gradient, the direction a new controller with a gain on the privileged gradient moves in.
Independent torch replica of the training task (MNIST, random projection to 48, standardised,
48-48-10 ReLU net, batch 64, AdaGrad lr 0.1, cost set 5000 examples)."""
import numpy as np, torch
from mnist48_replica import Z, Y, Zc, Yc, offs, names, init, grad, hvp
torch.manual_seed(0)
for seed in range(2):
    torch.manual_seed(seed); theta = init(); G = torch.zeros_like(theta)
    print(f"seed {seed}")
    for t in range(401):
        idxs = torch.randint(0, len(Z), (64,))
        gmb = grad(theta, Z[idxs], Y[idxs]); G += gmb ** 2
        step = -0.1 * gmb / (G.sqrt() + 1e-10)
        noise = 0.5 * step.abs().mean() * torch.randn_like(step)  # exploration-like noise
        move = step + noise
        if t in (0, 20, 100, 200, 399):
            gt = grad(theta, Zc, Yc)
            hmove = hvp(theta, move, Zc, Yc)
            hg = hvp(theta, gt, Zc, Yc)
            hstep = hvp(theta, step, Zc, Yc)
            row = []
            for k in range(4):
                s = slice(offs[k], offs[k + 1])
                # per-group secant of the joint move (what the cost model's h_t measures) and the
                # group's curvature along the joint true-gradient move
                secant = float(move[s] @ hmove[s] / (move[s] @ move[s]))
                along_g = float(gt[s] @ hg[s] / (gt[s] @ gt[s]))
                along_step = float(step[s] @ hstep[s] / (step[s] @ step[s]))
                row.append(f"{names[k]} h_move {secant:.3f} h_adagrad {along_step:.3f} h_true_grad {along_g:.3f}")
            print(f" t={t}: " + " | ".join(row))
        theta = theta + move
