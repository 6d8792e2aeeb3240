"""l2o.torch.LearnedOptimizer: the parameter-to-role rule, l2o's own trajectory reproduced from
PyTorch gradients, a torch model that learns, and state_dict / load_state_dict."""
import os

import h5py
import numpy as np
import pytest
import torch

from l2o.torch import LearnedOptimizer, parameter_roles


def mlp(*sizes):
    layers = []
    for k in range(len(sizes) - 1):
        layers += [torch.nn.Linear(sizes[k], sizes[k + 1]), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1]).double()


def test_roles_follow_layers_and_a_group_overrides_them():
    net = mlp(5, 4, 4, 3)
    assert parameter_roles([{"params": list(net.parameters())}]) == [
        "layer1.weights", "layer1.biases", "layer2.weights", "layer2.biases",
        "layer3.weights", "layer3.biases"]
    first, rest = list(net.parameters())[:2], list(net.parameters())[2:]
    assert parameter_roles([{"params": first, "roles": ["layer7.weights", "layer7.biases"]},
                            {"params": rest}])[2:] == ["layer8.weights", "layer8.biases",
                                                       "layer9.weights", "layer9.biases"]
    with pytest.raises(ValueError, match="before any weights"):
        parameter_roles([{"params": [torch.zeros(3)]}])


def test_follows_l2o_trajectory_on_the_same_minibatches(models_dir):
    """write_psd_trajectory ran psd_mnist48.h5 on the 48-48-10 MNIST task through `l2o train`'s
    harness; the same steps from PyTorch's gradients of the same minibatches must give the same
    iterates. Measured: bitwise equal over the 20 steps. The tolerance leaves room for a torch
    whose BLAS sums the gradient in another order: the LSTMs compute in float, so a last-bit
    difference in a double gradient can move a step by an ulp of float (~6e-8 relative); giving
    the last layer the first layer's policy moves the iterates by up to 0.6."""
    with h5py.File(os.environ["L2O_TRAJECTORY_FIXTURE"], "r") as f:
        inputs, labels = f["inputs"][()], f["labels"][()]
        iterates, losses = f["iterates"][()], f["losses"][()]
    net = mlp(48, 48, 10)
    torch.nn.utils.vector_to_parameters(torch.from_numpy(iterates[0]), net.parameters())
    optimizer = LearnedOptimizer(net.parameters(), models_dir / "psd_mnist48.h5")
    for t in range(len(losses)):
        x, y = torch.from_numpy(inputs[t]), torch.from_numpy(labels[t])

        def closure():
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x), y)
            loss.backward()
            return loss

        loss = optimizer.step(closure)
        assert float(loss) == pytest.approx(losses[t], rel=1e-6, abs=1e-9)
        now = torch.nn.utils.parameters_to_vector(net.parameters()).detach().numpy()
        np.testing.assert_allclose(now, iterates[t + 1], rtol=1e-6, atol=1e-8)
    assert losses[-1] < losses[0]


def synthetic_classification(seed=0, examples=512, inputs=10, classes=3):
    generator = torch.Generator().manual_seed(seed)
    centres = 2.0 * torch.randn(classes, inputs, generator=generator, dtype=torch.float64)
    y = torch.arange(examples) % classes
    x = centres[y] + torch.randn(examples, inputs, generator=generator, dtype=torch.float64)
    return x, y


def train(net, optimizer, x, y, steps, batch=32, seed=1):
    generator = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        rows = torch.randint(0, len(y), (batch,), generator=generator)

        def closure():
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x[rows]), y[rows])
            loss.backward()
            return loss

        optimizer.step(closure)


def test_a_torch_model_trained_with_it_learns(models_dir):
    torch.manual_seed(0)
    x, y = synthetic_classification()
    net = mlp(10, 16, 3)
    optimizer = LearnedOptimizer(net.parameters(), models_dir / "psd_mnist48.h5")
    with torch.no_grad():
        before = float(torch.nn.functional.cross_entropy(net(x), y))
    train(net, optimizer, x, y, steps=100)
    with torch.no_grad():
        after = float(torch.nn.functional.cross_entropy(net(x), y))
    assert after < 0.5 * before, (before, after)


def test_state_dict_continues_the_run_exactly(models_dir):
    torch.manual_seed(0)
    x, y = synthetic_classification()
    net = mlp(10, 16, 3)
    optimizer = LearnedOptimizer(net.parameters(), models_dir / "psd_mnist48.h5")
    train(net, optimizer, x, y, steps=5)
    saved_net = {k: v.clone() for k, v in net.state_dict().items()}
    saved = optimizer.state_dict()
    train(net, optimizer, x, y, steps=5, seed=2)
    expected = torch.nn.utils.parameters_to_vector(net.parameters()).detach()

    resumed_net = mlp(10, 16, 3)
    resumed_net.load_state_dict(saved_net)
    resumed = LearnedOptimizer(resumed_net.parameters(), models_dir / "psd_mnist48.h5")
    resumed.load_state_dict(saved)
    train(resumed_net, resumed, x, y, steps=5, seed=2)
    assert torch.equal(torch.nn.utils.parameters_to_vector(resumed_net.parameters()).detach(),
                       expected)
    # Without the saved state the continuation differs: the state is what carried the run.
    fresh_net = mlp(10, 16, 3)
    fresh_net.load_state_dict(saved_net)
    fresh = LearnedOptimizer(fresh_net.parameters(), models_dir / "psd_mnist48.h5")
    train(fresh_net, fresh, x, y, steps=5, seed=2)
    assert not torch.equal(torch.nn.utils.parameters_to_vector(fresh_net.parameters()).detach(),
                           expected)
