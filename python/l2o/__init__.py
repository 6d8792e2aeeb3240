"""l2o from Python: the learned optimizers of `l2o meta-train` model files, and result files.

    import l2o
    optimizer = l2o.LearnedOptimizer("models/psd_mnist48.h5")   # psd, l2l or es, from the file
    optimizer.start([("layer1.weights", (48, 48)), ("layer1.biases", (48,)), ...])
    x = optimizer.step(x, loss, gradient)                         # numpy float64 vectors
    tasks = l2o.load_results("results/baselines.h5")              # `l2o evaluate` output

l2o.torch.LearnedOptimizer wraps the first as a torch.optim.Optimizer.
"""
from ._l2o import InputError, LearnedOptimizer
from .results_io import Curves, Task, load_results

__all__ = ["InputError", "LearnedOptimizer", "Curves", "Task", "load_results"]
