#!/usr/bin/python3
"""Writes optimizers.txt, the reference fixture for tests/optim/test_reference.cpp.

Run with Debian's interpreter (torch 1.13, scipy 1.10):  /usr/bin/python3 make_reference.py
The output is deterministic (fixed seed, float64, CPU).

Contents:
* `objective`: f(x) = 0.5 x'Ax - b'x + w * sum_i log cosh(x_i), gradient Ax - b + w tanh(x),
  with A symmetric positive definite. The C++ test evaluates the same formula
  (tests/optim/function_oracles.hpp, LogCoshQuadraticOracle).
* `trajectory` on `logcosh` (that f): the first 20 iterates x_1..x_20 of a torch.optim optimizer
  from x0, with the hyperparameters under the names make_optimizer() accepts.
* `trajectory` on `rosenbrock`: the first 25 iterates of CG (Polak-Ribiere+, restart when not a
  descent direction) and L-BFGS (two-loop recursion, pairs measured at the accepted trial point,
  skipped when s'y <= eps |s||y|), both with Armijo backtracking, as reimplemented below in plain
  numpy from Nocedal & Wright (Alg. 3.1, eqs. 5.44-5.45, Alg. 7.4): an independent check of
  src/optim/conjugate_gradient.cpp and lbfgs.cpp down to the line-search decisions.
* `minimum`: scipy.optimize.minimize's final point for CG and L-BFGS-B (no bounds, i.e. L-BFGS)
  on the n-dimensional Rosenbrock function from a start x0.

Format: whitespace-separated tokens; '#' starts a comment to the end of the line. Records:
  objective <n> <w> <A: n*n numbers, row-major> <b: n numbers>
  trajectory <function> <n> <x0: n numbers> <optimizer> <k> <name_1> <value_1> ... <name_k>
             <value_k> <iterations> <iterates: iterations * n numbers>
  (<function> is logcosh, the objective above, or rosenbrock)
  minimum <method> rosenbrock <n> <x0: n numbers> <x*: n numbers> <f(x*)> <scipy iterations>
"""
import sys

import numpy as np
import scipy
import scipy.optimize
import torch

ITERATIONS = 20  # torch trajectories


def objective(n, rng):
    m = rng.standard_normal((n, n))
    a = m @ m.T / n + 0.5 * np.eye(n)
    a = 0.5 * (a + a.T)
    b = rng.standard_normal(n)
    x0 = 1.5 * rng.standard_normal(n)
    return a, b, x0


def torch_trajectory(make, a, b, w, x0):
    """Iterates x_1..x_ITERATIONS of the torch optimizer built by make(params) on f."""
    a_t = torch.tensor(a, dtype=torch.float64)
    b_t = torch.tensor(b, dtype=torch.float64)
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    optimizer = make([x])
    iterates = []
    for _ in range(ITERATIONS):
        optimizer.zero_grad()
        with torch.no_grad():
            # Set the gradient by the closed form both languages share (not autograd), so that
            # only the update rule is being compared.
            x.grad = a_t @ x - b_t + w * torch.tanh(x)
        optimizer.step()
        iterates.append(x.detach().numpy().copy())
    return iterates


def write_trajectory(out, function, x0, name, hyper, iterates):
    out.write("trajectory %s %d %s\n%s %d %s %d\n" % (
        function, len(x0), fmt(x0), name, len(hyper),
        " ".join("%s %r" % (k, float(v)) for k, v in hyper.items()), len(iterates)))
    for iterate in iterates:
        out.write(fmt(iterate) + "\n")


def armijo_backtracking(f, x, fx, slope, d, p):
    """Step t = initial_step * shrink^k, first k with f(x + t d) <= fx + c1 t slope (N&W Alg. 3.1)."""
    t = p["initial_step"]
    for _ in range(int(p["max_backtracks"]) + 1):
        trial = x + t * d
        if f(trial) <= fx + p["sufficient_decrease"] * t * slope:
            return trial
        t *= p["shrink"]
    return None


def conjugate_gradient_armijo(x, p, iterations=25):
    """Polak-Ribiere+ CG (N&W eqs. 5.44-5.45) with restarts, as specified for src/optim."""
    f, grad = scipy.optimize.rosen, scipy.optimize.rosen_der
    x = x.copy()
    g_prev, d = None, None
    iterates = []
    for _ in range(iterations):
        g = grad(x)
        beta = 0.0
        if g_prev is not None:
            beta = max(0.0, g @ (g - g_prev) / (g_prev @ g_prev))
        d = -g if d is None else beta * d - g
        if not g @ d < 0:
            d = -g
        trial = armijo_backtracking(f, x, f(x), g @ d, d, p)
        if trial is None:
            g_prev, d = None, None
        else:
            x, g_prev = trial, g
        iterates.append(x.copy())
    return iterates


def lbfgs_armijo(x, p, iterations=25):
    """L-BFGS two-loop recursion (N&W Alg. 7.4, H0 by eq. 7.20) with Armijo backtracking."""
    f, grad = scipy.optimize.rosen, scipy.optimize.rosen_der
    x = x.copy()
    pairs = []
    iterates = []
    for _ in range(iterations):
        g = grad(x)
        q = g.copy()
        alphas = []
        for s, y in reversed(pairs):
            alphas.append(s @ q / (s @ y))
            q = q - alphas[-1] * y
        if pairs:
            s, y = pairs[-1]
            q = q * (s @ y) / (y @ y)
        for (s, y), alpha in zip(pairs, reversed(alphas)):
            q = q + s * (alpha - y @ q / (s @ y))
        d = -q
        if not g @ d < 0:
            pairs, d = [], -g
        trial = armijo_backtracking(f, x, f(x), g @ d, d, p)
        if trial is None:
            pairs = []
        else:
            s, y = trial - x, grad(trial) - g
            if s @ y > p["curvature_epsilon"] * np.linalg.norm(s) * np.linalg.norm(y):
                pairs = (pairs + [(s, y)])[-int(p["memory"]):]
            x = trial
        iterates.append(x.copy())
    return iterates


def fmt(values):
    return " ".join(repr(float(v)) for v in values)


def main():
    out = sys.stdout if len(sys.argv) < 2 else open(sys.argv[1], "w")
    rng = np.random.default_rng(20170214)
    n, w = 6, 1.0
    a, b, x0 = objective(n, rng)
    out.write("# Reference fixture for tests/optim/test_reference.cpp; written by\n")
    out.write("# tests/reference/make_reference.py (format in its docstring) with torch %s, scipy %s\n"
              % (torch.__version__, scipy.__version__))
    out.write("objective %d %r\n%s\n%s\n" % (n, w, fmt(a.ravel()), fmt(b)))

    o = torch.optim
    runs = [
        ("sgd", {"learning_rate": 0.1}, lambda p: o.SGD(p, lr=0.1)),
        ("momentum", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": 0},
         lambda p: o.SGD(p, lr=0.05, momentum=0.9)),
        ("momentum", {"learning_rate": 0.05, "momentum": 0.8, "nesterov": 1},
         lambda p: o.SGD(p, lr=0.05, momentum=0.8, nesterov=True)),
        ("adam", {"learning_rate": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
         lambda p: o.Adam(p, lr=0.1)),
        ("adam", {"learning_rate": 0.2, "beta1": 0.5, "beta2": 0.9, "epsilon": 0.3},
         lambda p: o.Adam(p, lr=0.2, betas=(0.5, 0.9), eps=0.3)),
        ("adagrad", {"learning_rate": 0.5, "initial_accumulator": 0.0, "epsilon": 1e-10},
         lambda p: o.Adagrad(p, lr=0.5)),
        ("adagrad", {"learning_rate": 0.3, "initial_accumulator": 0.2, "epsilon": 0.1},
         lambda p: o.Adagrad(p, lr=0.3, initial_accumulator_value=0.2, eps=0.1)),
        ("rmsprop", {"learning_rate": 0.01, "alpha": 0.99, "epsilon": 1e-8},
         lambda p: o.RMSprop(p, lr=0.01)),
        ("rmsprop", {"learning_rate": 0.05, "alpha": 0.7, "epsilon": 0.2},
         lambda p: o.RMSprop(p, lr=0.05, alpha=0.7, eps=0.2)),
    ]
    for name, hyper, make in runs:
        write_trajectory(out, "logcosh", x0, name, hyper,
                         torch_trajectory(make, a, b, w, x0))

    armijo = {"initial_step": 1.0, "shrink": 0.5, "sufficient_decrease": 1e-4,
              "max_backtracks": 30}
    for start in (np.array([-1.2, 1.0]), np.linspace(-0.5, 1.4, 10)):
        write_trajectory(out, "rosenbrock", start, "cg", armijo,
                         conjugate_gradient_armijo(start, armijo))
        lbfgs = dict(armijo, memory=3, curvature_epsilon=1e-8)
        write_trajectory(out, "rosenbrock", start, "lbfgs", lbfgs, lbfgs_armijo(start, lbfgs))

    starts = [np.array([-1.2, 1.0]), np.linspace(-0.5, 1.4, 10)]
    for method, label in (("CG", "cg"), ("L-BFGS-B", "lbfgs")):
        for start in starts:
            options = {"gtol": 1e-12, "maxiter": 100000} if method == "CG" else {
                "gtol": 1e-12, "ftol": 1e-15, "maxiter": 100000}
            result = scipy.optimize.minimize(scipy.optimize.rosen, start, jac=scipy.optimize.rosen_der,
                                             method=method, options=options)
            out.write("minimum %s rosenbrock %d\n%s\n%s\n%r %d\n" % (
                label, len(start), fmt(start), fmt(result.x), float(result.fun), result.nit))
            sys.stderr.write("%s n=%d: %s nit=%d |x-1|=%.3g\n" % (
                label, len(start), result.message, result.nit,
                np.abs(result.x - 1.0).max()))


if __name__ == "__main__":
    main()
