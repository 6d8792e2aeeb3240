#!/usr/bin/python3
"""PyTorch reference fixture for the coordinatewise LSTM engine (src/nn/lstm_engine.hpp).

A stack of torch.nn.LSTMCell layers plus torch.nn.Linear read-out, float64, run for a few steps
on N coordinates (batch rows) from a non-zero initial state. Written per case:
  shape      1 x 4   num_layers, input_size, hidden_size, output_size
  params     1 x P   torch.nn.utils.parameters_to_vector([cell_0, ..., cell_{L-1}, linear])
  h0_l, c0_l N x H   initial state of layer l
  inputs     N x T*I step t in columns t*I..t*I+I-1
  outputs    N x T*O likewise
  h_l, c_l   N x H   final state of layer l
  d_outputs  N x T*O dLoss/dOutput (random); the loss is sum(d_outputs * outputs)
  gradient   1 x P   dLoss/dParams (autograd), initial state held constant
  d_inputs   N x T*I dLoss/dInputs
Format: "tensor <name> <rows> <cols>" then rows*cols values row-major, '%.17g' (round-trips).
Run:  /usr/bin/python3 tests/reference/make_lstm_reference.py > tests/reference/lstm_reference.txt
"""
import sys

import torch


def emit(out, name, t):
    t = t.detach().reshape(t.shape[0], -1) if t.dim() > 1 else t.detach().reshape(1, -1)
    out.write(f"tensor {name} {t.shape[0]} {t.shape[1]}\n")
    for row in t.tolist():
        out.write(" ".join("%.17g" % v for v in row) + "\n")


def case(out, name, layers, inputs, hidden, outputs, batch, steps, seed):
    torch.manual_seed(seed)
    cells = [torch.nn.LSTMCell(inputs if l == 0 else hidden, hidden) for l in range(layers)]
    head = torch.nn.Linear(hidden, outputs)
    modules = torch.nn.ModuleList(cells + [head])
    with torch.no_grad():  # wider than the default init, so every gate is far from linear
        for p in modules.parameters():
            p.uniform_(-0.8, 0.8)
    # The documented layout: per cell weight_ih, weight_hh, bias_ih, bias_hh; then weight, bias.
    explicit = torch.cat([t.reshape(-1) for c in cells
                          for t in (c.weight_ih, c.weight_hh, c.bias_ih, c.bias_hh)]
                         + [head.weight.reshape(-1), head.bias])
    params = torch.nn.utils.parameters_to_vector(modules.parameters())
    assert torch.equal(explicit, params)
    h0 = [torch.randn(batch, hidden) * 0.5 for _ in range(layers)]
    c0 = [torch.randn(batch, hidden) for _ in range(layers)]
    x = torch.randn(batch, steps * inputs, requires_grad=True)
    h, c = list(h0), list(c0)
    ys = []
    for t in range(steps):
        below = x[:, t * inputs:(t + 1) * inputs]
        for l in range(layers):
            h[l], c[l] = cells[l](below, (h[l], c[l]))
            below = h[l]
        ys.append(head(below))
    y = torch.cat(ys, dim=1)
    dy = torch.randn(batch, steps * outputs)
    (y * dy).sum().backward()
    grad = torch.cat([p.grad.reshape(-1) for p in modules.parameters()])

    emit(out, f"{name}.shape", torch.tensor([[layers, inputs, hidden, outputs]], dtype=torch.float64))
    emit(out, f"{name}.params", params)
    for l in range(layers):
        emit(out, f"{name}.h0_{l}", h0[l])
        emit(out, f"{name}.c0_{l}", c0[l])
    emit(out, f"{name}.inputs", x)
    emit(out, f"{name}.outputs", y)
    for l in range(layers):
        emit(out, f"{name}.h_{l}", h[l])
        emit(out, f"{name}.c_{l}", c[l])
    emit(out, f"{name}.d_outputs", dy)
    emit(out, f"{name}.gradient", grad)
    emit(out, f"{name}.d_inputs", x.grad)


def main():
    torch.set_default_dtype(torch.float64)
    out = sys.stdout
    out.write(f"# make_lstm_reference.py, torch {torch.__version__}, float64\n")
    case(out, "one_layer", layers=1, inputs=3, hidden=16, outputs=1, batch=5, steps=3, seed=1)
    case(out, "two_layers", layers=2, inputs=2, hidden=6, outputs=2, batch=4, steps=3, seed=2)


if __name__ == "__main__":
    main()
