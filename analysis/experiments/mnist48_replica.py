"""The independent torch replica of the GPS training task that the issue-16 experiments share:
MNIST projected to 48 dimensions by a fixed random projection and standardised, a 48-48-10 ReLU
net with cross-entropy, minibatches of 64, a fixed 5000-example cost set. Double precision.
Data from $L2O_DATA_DIR (default ../shared/data next to the repository)."""
import gzip, os
import numpy as np, torch

torch.set_default_dtype(torch.float64)
_default = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data")
_root = os.path.join(os.environ.get("L2O_DATA_DIR", _default), "mnist", "")


def _idx(path, offset):
    return np.frombuffer(gzip.open(path).read(), np.uint8, offset=offset)


_X = _idx(_root + "train-images-idx3-ubyte.gz", 16).reshape(-1, 784) / 255.0
_rng = np.random.default_rng(1)
_P = _rng.normal(size=(784, 48)) / np.sqrt(784)
_Z = _X @ _P
Z = torch.tensor((_Z - _Z.mean(0)) / _Z.std(0))  # all 60000 inputs
Y = torch.tensor(_idx(_root + "train-labels-idx1-ubyte.gz", 8).astype(np.int64))
_cost = _rng.choice(len(Z), 5000, replace=False)
Zc, Yc = Z[_cost], Y[_cost]  # the cost set

shapes = [(48, 48), (48,), (48, 10), (10,)]
names = ["W1", "b1", "W2", "b2"]
offs = np.cumsum([0] + [int(np.prod(s)) for s in shapes])  # group k is theta[offs[k]:offs[k+1]]


def init():
    """He-initialised first layer, 1/fan-in second layer, zero biases (draws from torch's stream)."""
    w = [torch.randn(48, 48) * np.sqrt(2 / 48), torch.zeros(48), torch.randn(48, 10) * np.sqrt(1 / 48),
         torch.zeros(10)]
    return torch.cat([p.reshape(-1) for p in w])


def loss(theta, Xb, Yb):
    p = [theta[offs[i]:offs[i + 1]].reshape(shapes[i]) for i in range(4)]
    return torch.nn.functional.cross_entropy(torch.relu(Xb @ p[0] + p[1]) @ p[2] + p[3], Yb)


def value_and_grad(theta, Xb, Yb):
    t = theta.detach().requires_grad_(True)
    value = loss(t, Xb, Yb)
    (g,) = torch.autograd.grad(value, t)
    return float(value), g


def grad(theta, Xb, Yb):
    return value_and_grad(theta, Xb, Yb)[1]


def hvp(theta, v, Xb, Yb):
    """Hessian of the loss on (Xb, Yb) at theta times v."""
    t = theta.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(loss(t, Xb, Yb), t, create_graph=True)
    (hv,) = torch.autograd.grad(g @ v, t)
    return hv
