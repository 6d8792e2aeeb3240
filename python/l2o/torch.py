"""A learned optimizer of l2o (a `l2o meta-train` model file, psd or l2l) as a torch.optim.Optimizer.

    optimizer = l2o.torch.LearnedOptimizer(model.parameters(), "models/psd_mnist48.h5")
    def closure():
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), labels)
        loss.backward()
        return loss
    optimizer.step(closure)

Roles. psd moves each parameter with the policy of its role in the net (src/gps/policy/psd_optimizer.hpp):
the first layer's weights and biases take the model's first-layer policies, the last layer's the
last-layer policies, and a hidden layer in between the model's hidden-layer policy. The net's
layers are read off the parameters in order, over all parameter groups: a parameter with two or
more dimensions is the weights of the next layer, a one-dimensional parameter the biases of the
current layer (nn.Linear stacks: weight, bias, weight, bias, ...). A parameter group overrides this
with "roles": one "layer<k>.weights" / "layer<k>.biases" per parameter of the group; parameters
after it continue from its last layer. Weights are flattened row-major (nn.Linear's out x in, as
l2o's nets); the optimizer computes in float64 whatever the parameters' dtype.

State. The learned optimizer's LSTM memories and feature history live in the C++ object and carry
over between steps; state_dict() adds them (key "l2o_run_state", a float64 tensor) so that
load_state_dict() continues the run exactly.
"""
import torch

from . import _l2o

_RUN_STATE = "l2o_run_state"


def parameter_roles(param_groups):
    """The role "layer<k>.weights" / "layer<k>.biases" of every parameter of `param_groups`
    (lists of dicts with "params" and optionally "roles"), in order, by the rule above."""
    roles = []
    layer = 0
    for group in param_groups:
        given = group.get("roles")
        if given is not None and len(given) != len(group["params"]):
            raise ValueError(f"roles: {len(given)} roles for {len(group['params'])} parameters; "
                             "give one per parameter of the group")
        for index, parameter in enumerate(group["params"]):
            if given is not None:
                role = given[index]
                layer = int(role.split(".")[0][len("layer"):]) if role.startswith("layer") else 0
            elif parameter.dim() >= 2:
                layer += 1
                role = f"layer{layer}.weights"
            elif layer == 0:
                raise ValueError("a one-dimensional parameter comes before any weights; give the "
                                 "parameter group 'roles' (layer<k>.weights / layer<k>.biases)")
            else:
                role = f"layer{layer}.biases"
            roles.append(role)
    return roles


class LearnedOptimizer(torch.optim.Optimizer):
    """Steps a model's parameters with the learned optimizer of the model file `model_path`."""

    def __init__(self, params, model_path):
        super().__init__(params, defaults={})
        self.learned = _l2o.LearnedOptimizer(str(model_path))
        self._layout = None  # the (role, shape) list the C++ run was started with

    def _parameters(self):
        return [p for group in self.param_groups for p in group["params"]]

    def _start(self):
        layout = [(role, tuple(p.shape))
                  for role, p in zip(parameter_roles(self.param_groups), self._parameters())]
        self.learned.start(layout)
        self._layout = layout

    @torch.no_grad()
    def step(self, closure=None):
        """One step from the gradients closure() leaves in .grad and the loss it returns; psd
        reads the loss, so it needs the closure (l2l does not: without one, it uses .grad)."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        elif self.learned.method == "psd":
            raise ValueError("psd reads the minibatch loss: call step(closure) with a closure that "
                             "computes the loss, calls backward() and returns the loss")
        parameters = self._parameters()
        if self._layout is None:
            self._start()
        flat = lambda tensors: torch.cat([t.detach().reshape(-1).to("cpu", torch.float64)
                                          for t in tensors]).numpy()
        gradients = [p.grad if p.grad is not None else torch.zeros_like(p) for p in parameters]
        iterate = self.learned.step(flat(parameters), float(loss) if loss is not None else 0.0,
                                    flat(gradients))
        offset = 0
        for p in parameters:
            values = torch.from_numpy(iterate[offset:offset + p.numel()]).view_as(p)
            p.copy_(values)
            offset += p.numel()
        return loss

    def state_dict(self):
        state = super().state_dict()
        if self._layout is not None:
            state[_RUN_STATE] = torch.from_numpy(self.learned.run_state())
        return state

    def load_state_dict(self, state_dict):
        state_dict = dict(state_dict)
        run_state = state_dict.pop(_RUN_STATE, None)
        super().load_state_dict(state_dict)
        self._layout = None
        if run_state is not None:
            self._start()
            self.learned.restore_run_state(run_state.to(torch.float64).numpy())
