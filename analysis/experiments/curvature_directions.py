"""Hypothesis check for issue 16 (privileged gradient model over-predicts ~700x): the secant
curvature h_t = sum a.dg / sum a^2 along the sampling policy's joint move (AdaGrad on minibatch
gradients + exploration noise) is much smaller than the curvature along the true (cost-set)
gradient, the direction a new controller with a gain on the privileged gradient moves in.
Independent torch replica of the training task (MNIST, random projection to 48, standardised,
48-48-10 ReLU net, batch 64, AdaGrad lr 0.1, cost set 5000 examples)."""
import gzip, os
import numpy as np, torch
torch.manual_seed(0); torch.set_default_dtype(torch.float64)
def idx(path, off):
    return np.frombuffer(gzip.open(path).read(), np.uint8, offset=off)
root = os.path.join(os.environ.get("L2O_DATA_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data")), "mnist", "")
X = idx(root + "train-images-idx3-ubyte.gz", 16).reshape(-1, 784) / 255.0
Y = idx(root + "train-labels-idx1-ubyte.gz", 8).astype(np.int64)
rng = np.random.default_rng(1)
P = rng.normal(size=(784, 48)) / np.sqrt(784)
Z = X @ P; Z = (Z - Z.mean(0)) / Z.std(0)
Z = torch.tensor(Z); Y = torch.tensor(Y)
cost = rng.choice(len(Z), 5000, replace=False)
Zc, Yc = Z[cost], Y[cost]
shapes = [(48, 48), (48,), (48, 10), (10,)]
names = ["W1", "b1", "W2", "b2"]
def init():
    w = [torch.randn(48, 48) * np.sqrt(2 / 48), torch.zeros(48), torch.randn(48, 10) * np.sqrt(1 / 48), torch.zeros(10)]
    return torch.cat([p.reshape(-1) for p in w])
sizes = [int(np.prod(s)) for s in shapes]; offs = np.cumsum([0] + sizes)
def loss(theta, Xb, Yb):
    p = [theta[offs[i]:offs[i + 1]].reshape(shapes[i]) for i in range(4)]
    h = torch.relu(Xb @ p[0] + p[1]); return torch.nn.functional.cross_entropy(h @ p[2] + p[3], Yb)
def grad(theta, Xb, Yb):
    t = theta.detach().requires_grad_(True); l = loss(t, Xb, Yb); (g,) = torch.autograd.grad(l, t); return g
def hvp(theta, v, Xb, Yb):
    t = theta.detach().requires_grad_(True); (g,) = torch.autograd.grad(loss(t, Xb, Yb), t, create_graph=True)
    (hv,) = torch.autograd.grad(g @ v, t); return hv
def rayleigh(theta, v, group=None):
    hv = hvp(theta, v, Zc, Yc)
    if group is None: return float(v @ hv / (v @ v))
    s = slice(offs[group], offs[group + 1]); return float(v[s] @ hv[s] / (v[s] @ v[s]))
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
