#include "nn/lstm_engine.hpp"

#include <omp.h>

#include <stdexcept>
#include <string>
#include <type_traits>

#include "util/denormal_flush.hpp"

namespace l2o {

namespace {

// Throws std::invalid_argument "LstmEngine::<call>: <what> is <got>, expected <want>".
void require_size(Eigen::Index got, Eigen::Index want, const char* call, const char* what) {
  if (got != want) {
    throw std::invalid_argument(std::string("LstmEngine::") + call + ": " + what + " is " +
                                std::to_string(got) + ", expected " + std::to_string(want));
  }
}

bool same_shape(const LstmShape& a, const LstmShape& b) {
  return a.input_size == b.input_size && a.hidden_size == b.hidden_size &&
         a.num_layers == b.num_layers && a.output_size == b.output_size;
}

void require_shape(const LstmShape& got, const LstmShape& want, const char* call,
                   const char* what) {
  if (!same_shape(got, want)) {
    throw std::invalid_argument(std::string("LstmEngine::") + call + ": " + what +
                                " has a different LstmShape than the engine");
  }
}

// tanh for the fused passes. Eigen 3.4 vectorizes tanh for float only; for double,
// tanh(z) = 2 sigma(2z) - 1 runs on the vectorized exp (absolute error a few ulp, no overflow:
// sigma saturates), which makes the double step ~3x faster than scalar std::tanh.
template <class Derived>
auto fast_tanh(const Eigen::ArrayBase<Derived>& z) {
  using Scalar = typename Derived::Scalar;
  if constexpr (std::is_same_v<Scalar, double>) {
    return Scalar(2) * (Scalar(2) * z).logistic() - Scalar(1);
  } else {
    return z.tanh();
  }
}

}  // namespace

void LstmEngineParams::check() const {
  if (rows_per_block < 1) {
    throw std::invalid_argument("LstmEngineParams.rows_per_block must be >= 1, got " +
                                std::to_string(rows_per_block));
  }
}

template <class Scalar>
LstmEngine<Scalar>::LstmEngine(const LstmShape& shape, const LstmEngineParams& params)
    : shape_(shape), params_(params), gradient_layout_(shape) {
  shape_.check();
  params_.check();
  const Eigen::Index hidden = shape_.hidden_size;
  for (Eigen::Index layer = 0; layer < shape_.num_layers; ++layer) {
    packed_.emplace_back(shape_.layer_input_size(layer) + 1 + hidden, 4 * hidden);
  }
  packed_readout_.resize(1 + hidden, shape_.output_size);
  gate_products_.resize(static_cast<std::size_t>(shape_.num_layers));
  input_gradient_products_.resize(static_cast<std::size_t>(shape_.num_layers));
}

template <class Scalar>
void LstmEngine<Scalar>::pack(const LstmParameters<Scalar>& parameters) {
  const Eigen::Index hidden = shape_.hidden_size;
  for (Eigen::Index layer = 0; layer < shape_.num_layers; ++layer) {
    const Eigen::Index in = shape_.layer_input_size(layer);
    packed_[layer].topRows(in) = parameters.w_ih(layer).transpose();
    packed_[layer].row(in) = (parameters.b_ih(layer) + parameters.b_hh(layer)).transpose();
    packed_[layer].bottomRows(hidden) = parameters.w_hh(layer).transpose();
    gate_products_[static_cast<std::size_t>(layer)].set_rhs(packed_[layer], false);
    input_gradient_products_[static_cast<std::size_t>(layer)].set_rhs(packed_[layer], true);
  }
  packed_readout_.row(0) = parameters.b_out().transpose();
  packed_readout_.bottomRows(hidden) = parameters.w_out().transpose();
}

template <class Scalar>
void LstmEngine<Scalar>::size_thread_buffers() {
  const auto threads = static_cast<std::size_t>(omp_get_max_threads());
  if (gate_buffers_.size() >= threads) return;
  Eigen::Index widest = 0;
  for (const Matrix& packed : packed_) widest = std::max(widest, packed.rows());
  gate_buffers_.resize(threads, Matrix(params_.rows_per_block, 4 * shape_.hidden_size));
  dh_buffers_.resize(threads, Matrix(params_.rows_per_block, shape_.hidden_size));
  d_rows_buffers_.resize(threads, Matrix(params_.rows_per_block, widest));
}

template <class Scalar>
void LstmEngine<Scalar>::prepare_products(std::vector<PrepackedProduct<Scalar>>& products,
                                          Eigen::Index batch) {
  const Eigen::Index full = std::min(params_.rows_per_block, batch);
  const Eigen::Index last = batch - (block_count(batch) - 1) * params_.rows_per_block;
  for (PrepackedProduct<Scalar>& product : products) {
    product.prepare(full);
    product.prepare(last);
  }
}

template <class Scalar>
void LstmEngine<Scalar>::check_step(const LstmParameters<Scalar>& parameters,
                                    const Eigen::Ref<const Matrix>& input,
                                    const LstmState<Scalar>& state,
                                    const Eigen::Ref<Matrix>& output) const {
  require_shape(parameters.shape(), shape_, "step", "parameters");
  require_shape(state.shape(), shape_, "step", "state");
  require_size(input.rows(), state.batch_size(), "step", "input rows");
  require_size(input.cols(), shape_.input_size, "step", "input columns");
  require_size(output.rows(), state.batch_size(), "step", "output rows");
  require_size(output.cols(), shape_.output_size, "step", "output columns");
}

template <class Scalar>
void LstmEngine<Scalar>::step(const LstmParameters<Scalar>& parameters,
                              const Eigen::Ref<const Matrix>& input, LstmState<Scalar>& state,
                              Eigen::Ref<Matrix> output) {
  check_step(parameters, input, state, output);
  step_impl(parameters, input, state, output, nullptr);
}

template <class Scalar>
void LstmEngine<Scalar>::step(const LstmParameters<Scalar>& parameters,
                              const Eigen::Ref<const Matrix>& input, LstmState<Scalar>& state,
                              Eigen::Ref<Matrix> output, LstmTape<Scalar>& tape) {
  check_step(parameters, input, state, output);
  Record& record = next_record(tape, state.batch_size());
  step_impl(parameters, input, state, output, &record);
}

template <class Scalar>
typename LstmEngine<Scalar>::Record& LstmEngine<Scalar>::next_record(
    LstmTape<Scalar>& tape, Eigen::Index batch_size) const {
  if (tape.steps_ > 0) require_size(batch_size, tape.batch_size_, "step", "batch size of the tape");
  tape.batch_size_ = batch_size;
  if (static_cast<std::size_t>(tape.steps_) == tape.records_.size()) tape.records_.emplace_back();
  Record& record = tape.records_[tape.steps_++];
  const Eigen::Index hidden = shape_.hidden_size;
  record.layer_rows.resize(shape_.num_layers);
  record.c_prev.resize(shape_.num_layers);
  record.gates.resize(shape_.num_layers);
  record.tanh_c.resize(shape_.num_layers);
  // Matrix::resize is free when the size is unchanged, so a reused tape does not allocate.
  for (Eigen::Index layer = 0; layer < shape_.num_layers; ++layer) {
    record.layer_rows[layer].resize(batch_size, packed_[layer].rows());
    record.c_prev[layer].resize(batch_size, hidden);
    record.gates[layer].resize(batch_size, 4 * hidden);
    record.tanh_c[layer].resize(batch_size, hidden);
  }
  record.readout_rows.resize(batch_size, 1 + hidden);
  return record;
}

template <class Scalar>
void LstmEngine<Scalar>::step_impl(const LstmParameters<Scalar>& parameters,
                                   const Eigen::Ref<const Matrix>& input, LstmState<Scalar>& state,
                                   Eigen::Ref<Matrix> output, Record* record) {
  pack(parameters);
  advance(input, state, output, record);
}

template <class Scalar>
void LstmEngine<Scalar>::advance(const Eigen::Ref<const Matrix>& input, LstmState<Scalar>& state,
                                 Eigen::Ref<Matrix> output, Record* record) {
  size_thread_buffers();
  const Eigen::Index batch = state.batch_size();
  const Eigen::Index blocks = block_count(batch);
  prepare_products(gate_products_, batch);
  // Inside the parallel region Eigen's own GEMM threading is off (it sees omp_get_num_threads()
  // > 1); with a single block the region is skipped so Eigen may thread the one GEMM itself.
#pragma omp parallel for schedule(static) if (blocks > 1)
  for (Eigen::Index block = 0; block < blocks; ++block) {
    const DenormalFlush flush;  // saturated gates make denormals (denormal_flush.hpp)
    const Eigen::Index first = block * params_.rows_per_block;
    const Eigen::Index rows = std::min(params_.rows_per_block, batch - first);
    Matrix& gate_buffer = gate_buffers_[omp_get_thread_num()];
    if (record != nullptr) {
      forward_block<true>(first, rows, input, state, output, record, gate_buffer);
    } else {
      forward_block<false>(first, rows, input, state, output, nullptr, gate_buffer);
    }
  }
}

template <class Scalar>
template <bool kRecord>
void LstmEngine<Scalar>::forward_block(Eigen::Index first, Eigen::Index rows,
                                       const Eigen::Ref<const Matrix>& input,
                                       LstmState<Scalar>& state, Eigen::Ref<Matrix>& output,
                                       Record* record, Matrix& gate_buffer) const {
  const Eigen::Index hidden = shape_.hidden_size;
  for (Eigen::Index layer = 0; layer < shape_.num_layers; ++layer) {
    const Eigen::Index in = shape_.layer_input_size(layer);
    auto layer_rows = state.layer_rows_[layer].middleRows(first, rows);  // [x | 1 | h]
    if (layer == 0) {
      layer_rows.leftCols(in) = input.middleRows(first, rows);
    } else {
      layer_rows.leftCols(in) =
          state.layer_rows_[layer - 1].middleRows(first, rows).rightCols(hidden);
    }
    auto c = state.c_[layer].middleRows(first, rows).array();
    auto h = layer_rows.rightCols(hidden).array();
    if constexpr (kRecord) {
      record->layer_rows[layer].middleRows(first, rows) = layer_rows;
      record->c_prev[layer].middleRows(first, rows) = c.matrix();
      auto gates = record->gates[layer].middleRows(first, rows);
      gate_products_[static_cast<std::size_t>(layer)].multiply(layer_rows, gates);
      // Activated gates are what backward() needs, so they overwrite the pre-activations.
      gates.leftCols(2 * hidden) = gates.leftCols(2 * hidden).array().logistic().matrix();
      gates.middleCols(2 * hidden, hidden) =
          fast_tanh(gates.middleCols(2 * hidden, hidden).array()).matrix();
      gates.rightCols(hidden) = gates.rightCols(hidden).array().logistic().matrix();
      const auto gate = [&](LstmGate g) {
        return gates.middleCols(static_cast<Eigen::Index>(g) * hidden, hidden).array();
      };
      c = gate(LstmGate::forget) * c + gate(LstmGate::input) * gate(LstmGate::cell);
      auto tanh_c = record->tanh_c[layer].middleRows(first, rows).array();
      tanh_c = fast_tanh(c);
      h = gate(LstmGate::output) * tanh_c;
    } else {
      auto gates = gate_buffer.topRows(rows);
      gate_products_[static_cast<std::size_t>(layer)].multiply(layer_rows, gates);
      const auto gate = [&](LstmGate g) {
        return gates.middleCols(static_cast<Eigen::Index>(g) * hidden, hidden).array();
      };
      // One fused pass per quantity: no temporaries, the gate block is read once from cache.
      c = gate(LstmGate::forget).logistic() * c +
          gate(LstmGate::input).logistic() * fast_tanh(gate(LstmGate::cell));
      h = gate(LstmGate::output).logistic() * fast_tanh(c);
    }
  }
  const auto readout_rows =
      state.layer_rows_[shape_.num_layers - 1].middleRows(first, rows).rightCols(1 + hidden);
  if constexpr (kRecord) record->readout_rows.middleRows(first, rows) = readout_rows;
  output.middleRows(first, rows).noalias() = readout_rows * packed_readout_;
}

template <class Scalar>
void LstmEngine<Scalar>::forward_sequence(const LstmParameters<Scalar>& parameters,
                                          const Eigen::Ref<const Matrix>& inputs,
                                          LstmState<Scalar>& state, Eigen::Ref<Matrix> outputs) {
  const Eigen::Index in = shape_.input_size, out = shape_.output_size;
  const Eigen::Index steps = inputs.cols() / in;
  require_size(inputs.cols(), steps * in, "forward_sequence", "input columns");
  require_size(outputs.cols(), steps * out, "forward_sequence", "output columns");
  pack(parameters);  // once for all T steps: the transposed copy costs ~20 % of a 16-row step
  for (Eigen::Index t = 0; t < steps; ++t) {
    check_step(parameters, inputs.middleCols(t * in, in), state, outputs.middleCols(t * out, out));
    advance(inputs.middleCols(t * in, in), state, outputs.middleCols(t * out, out), nullptr);
  }
}

template <class Scalar>
void LstmEngine<Scalar>::forward_sequence(const LstmParameters<Scalar>& parameters,
                                          const Eigen::Ref<const Matrix>& inputs,
                                          LstmState<Scalar>& state, Eigen::Ref<Matrix> outputs,
                                          LstmTape<Scalar>& tape) {
  const Eigen::Index in = shape_.input_size, out = shape_.output_size;
  const Eigen::Index steps = inputs.cols() / in;
  require_size(inputs.cols(), steps * in, "forward_sequence", "input columns");
  require_size(outputs.cols(), steps * out, "forward_sequence", "output columns");
  pack(parameters);
  for (Eigen::Index t = 0; t < steps; ++t) {
    check_step(parameters, inputs.middleCols(t * in, in), state, outputs.middleCols(t * out, out));
    Record& record = next_record(tape, state.batch_size());
    advance(inputs.middleCols(t * in, in), state, outputs.middleCols(t * out, out), &record);
  }
}

template <class Scalar>
void LstmEngine<Scalar>::backward(const LstmParameters<Scalar>& parameters,
                                  const LstmTape<Scalar>& tape,
                                  const Eigen::Ref<const Matrix>& d_outputs,
                                  Eigen::Ref<Vector> gradient) {
  backward_impl(parameters, tape, d_outputs, gradient, nullptr);
}

template <class Scalar>
void LstmEngine<Scalar>::backward(const LstmParameters<Scalar>& parameters,
                                  const LstmTape<Scalar>& tape,
                                  const Eigen::Ref<const Matrix>& d_outputs,
                                  Eigen::Ref<Vector> gradient, Eigen::Ref<Matrix> d_inputs) {
  require_size(d_inputs.rows(), tape.batch_size(), "backward", "d_inputs rows");
  require_size(d_inputs.cols(), tape.steps() * shape_.input_size, "backward", "d_inputs columns");
  backward_impl(parameters, tape, d_outputs, gradient, &d_inputs);
}

template <class Scalar>
void LstmEngine<Scalar>::size_chunk(Chunk& chunk, Eigen::Index rows) const {
  // A weight-gradient product of depth `rows` (16 sequences in policy training) runs at a small
  // fraction of the GEMM rate; stacking steps up to a depth of kChunkDepth recovers most of it
  // (bench/policy_gradient) at the memory of kChunkDepth rows per block.
  constexpr Eigen::Index kChunkDepth = 256;
  chunk.steps = (kChunkDepth + rows - 1) / rows;
  chunk.filled = 0;
  chunk.rows.resize(shape_.num_layers + 1);
  chunk.d_results.resize(shape_.num_layers + 1);
  for (Eigen::Index layer = 0; layer < shape_.num_layers; ++layer) {
    chunk.rows[layer].resize(chunk.steps * rows, packed_[layer].rows());
    chunk.d_results[layer].resize(chunk.steps * rows, packed_[layer].cols());
  }
  chunk.rows[shape_.num_layers].resize(chunk.steps * rows, packed_readout_.rows());
  chunk.d_results[shape_.num_layers].resize(chunk.steps * rows, packed_readout_.cols());
}

template <class Scalar>
void LstmEngine<Scalar>::backward_impl(const LstmParameters<Scalar>& parameters,
                                       const LstmTape<Scalar>& tape,
                                       const Eigen::Ref<const Matrix>& d_outputs,
                                       Eigen::Ref<Vector> gradient, Eigen::Ref<Matrix>* d_inputs) {
  require_shape(parameters.shape(), shape_, "backward", "parameters");
  const Eigen::Index batch = tape.batch_size(), steps = tape.steps();
  const Eigen::Index hidden = shape_.hidden_size, out = shape_.output_size;
  require_size(d_outputs.rows(), batch, "backward", "d_outputs rows");
  require_size(d_outputs.cols(), steps * out, "backward", "d_outputs columns");
  require_size(gradient.size(), shape_.parameter_count(), "backward", "gradient size");
  pack(parameters);
  size_thread_buffers();
  d_gates_.resize(shape_.num_layers);
  dh_next_.resize(shape_.num_layers);
  dc_next_.resize(shape_.num_layers);
  packed_gradient_.resize(shape_.num_layers);
  for (Eigen::Index layer = 0; layer < shape_.num_layers; ++layer) {
    d_gates_[layer].resize(batch, 4 * hidden);
    // The recording's final state does not enter the loss: zero gradient flows in from step T.
    dh_next_[layer].setZero(batch, hidden);
    dc_next_[layer].setZero(batch, hidden);
  }

  const Eigen::Index blocks = block_count(batch);
  prepare_products(input_gradient_products_, batch);
  block_gradients_.resize(static_cast<std::size_t>(blocks));
  chunks_.resize(static_cast<std::size_t>(blocks));
  for (Eigen::Index block = 0; block < blocks; ++block) {
    const Eigen::Index rows =
        std::min(params_.rows_per_block, batch - block * params_.rows_per_block);
    size_chunk(chunks_[static_cast<std::size_t>(block)], rows);
    std::vector<Matrix>& total = block_gradients_[static_cast<std::size_t>(block)];
    total.resize(shape_.num_layers + 1);
    for (Eigen::Index layer = 0; layer < shape_.num_layers; ++layer) {
      total[layer].setZero(packed_[layer].rows(), packed_[layer].cols());
    }
    total[shape_.num_layers].setZero(packed_readout_.rows(), packed_readout_.cols());
  }
  for (Eigen::Index t = steps - 1; t >= 0; --t) {
    const Record& record = tape.records_[t];
    const auto d_output = d_outputs.middleCols(t * out, out);
    // Each block's gate gradients and d[x | 1 | h]; its operands of the weight-gradient sums
    // over coordinates and steps are stacked for a chunk of steps and multiplied once per chunk
    // (Chunk, size_chunk). Blocks are fixed by rows_per_block alone and their totals added in block
    // order, so the summation order never depends on the thread count. Eigen 3.4 chooses a
    // GEMM's depth blocking (hence its rounding) from the thread count it plans to use, even
    // inside an inactive team, so the region is always entered and each block runs with its own
    // thread-count ICV at 1.
#pragma omp parallel for schedule(static)
    for (Eigen::Index block = 0; block < blocks; ++block) {
      omp_set_num_threads(1);
      const DenormalFlush flush;
      const Eigen::Index first = block * params_.rows_per_block;
      const Eigen::Index rows = std::min(params_.rows_per_block, batch - first);
      const int thread = omp_get_thread_num();
      backward_block(first, rows, record, d_output, d_inputs, t, dh_buffers_[thread],
                     d_rows_buffers_[thread]);
      Chunk& chunk = chunks_[static_cast<std::size_t>(block)];
      const Eigen::Index at = chunk.filled * rows;
      for (Eigen::Index layer = 0; layer < shape_.num_layers; ++layer) {
        chunk.rows[layer].middleRows(at, rows) = record.layer_rows[layer].middleRows(first, rows);
        chunk.d_results[layer].middleRows(at, rows) = d_gates_[layer].middleRows(first, rows);
      }
      chunk.rows[shape_.num_layers].middleRows(at, rows) =
          record.readout_rows.middleRows(first, rows);
      chunk.d_results[shape_.num_layers].middleRows(at, rows) = d_output.middleRows(first, rows);
      if (++chunk.filled == chunk.steps || t == 0) {
        std::vector<Matrix>& total = block_gradients_[static_cast<std::size_t>(block)];
        const Eigen::Index stacked = chunk.filled * rows;
        for (std::size_t k = 0; k < total.size(); ++k) {
          total[k].noalias() +=
              chunk.rows[k].topRows(stacked).transpose() * chunk.d_results[k].topRows(stacked);
        }
        chunk.filled = 0;
      }
    }
  }
  for (Eigen::Index layer = 0; layer < shape_.num_layers; ++layer) {
    packed_gradient_[layer].setZero(packed_[layer].rows(), packed_[layer].cols());
  }
  packed_readout_gradient_.setZero(packed_readout_.rows(), packed_readout_.cols());
  for (const std::vector<Matrix>& total : block_gradients_) {
    for (Eigen::Index layer = 0; layer < shape_.num_layers; ++layer) {
      packed_gradient_[layer] += total[layer];
    }
    packed_readout_gradient_ += total[shape_.num_layers];
  }

  // Unpack [dW_ih^T; db; dW_hh^T] into the parameter layout; b_ih and b_hh share the gradient.
  LstmParameters<Scalar>& unpacked = gradient_layout_;
  for (Eigen::Index layer = 0; layer < shape_.num_layers; ++layer) {
    const Eigen::Index in = shape_.layer_input_size(layer);
    unpacked.w_ih(layer) = packed_gradient_[layer].topRows(in).transpose();
    unpacked.b_ih(layer) = packed_gradient_[layer].row(in).transpose();
    unpacked.b_hh(layer) = packed_gradient_[layer].row(in).transpose();
    unpacked.w_hh(layer) = packed_gradient_[layer].bottomRows(hidden).transpose();
  }
  unpacked.b_out() = packed_readout_gradient_.row(0).transpose();
  unpacked.w_out() = packed_readout_gradient_.bottomRows(hidden).transpose();
  gradient = unpacked.values();
}

template <class Scalar>
void LstmEngine<Scalar>::backward_block(Eigen::Index first, Eigen::Index rows, const Record& record,
                                        const Eigen::Ref<const Matrix>& d_output,
                                        Eigen::Ref<Matrix>* d_input, Eigen::Index step,
                                        Matrix& dh_buffer, Matrix& d_rows_buffer) {
  const Eigen::Index hidden = shape_.hidden_size;
  // dLoss/dh of the top layer from the read-out; below, from the layer above's input gradient.
  auto dh_from_above = dh_buffer.topRows(rows);
  dh_from_above.noalias() =
      d_output.middleRows(first, rows) * packed_readout_.bottomRows(hidden).transpose();
  for (Eigen::Index layer = shape_.num_layers - 1; layer >= 0; --layer) {
    const auto gates = record.gates[layer].middleRows(first, rows);
    const auto gate = [&](LstmGate g) {
      return gates.middleCols(static_cast<Eigen::Index>(g) * hidden, hidden).array();
    };
    const auto i = gate(LstmGate::input), f = gate(LstmGate::forget), g = gate(LstmGate::cell),
               o = gate(LstmGate::output);
    const auto tanh_c = record.tanh_c[layer].middleRows(first, rows).array();
    const auto c_prev = record.c_prev[layer].middleRows(first, rows).array();
    auto dh = dh_next_[layer].middleRows(first, rows).array();
    auto dc = dc_next_[layer].middleRows(first, rows).array();
    auto d_gates = d_gates_[layer].middleRows(first, rows);
    const auto d_gate = [&](LstmGate k) {
      return d_gates.middleCols(static_cast<Eigen::Index>(k) * hidden, hidden).array();
    };
    // Chain rule through h = o tanh(c), c = f c_prev + i g and the gate nonlinearities.
    dh += dh_from_above.array();
    dc += dh * o * (1 - tanh_c.square());
    d_gate(LstmGate::output) = dh * tanh_c * o * (1 - o);
    d_gate(LstmGate::input) = dc * g * i * (1 - i);
    d_gate(LstmGate::forget) = dc * c_prev * f * (1 - f);
    d_gate(LstmGate::cell) = dc * i * (1 - g.square());
    dc *= f;
    // d[x | 1 | h_prev] = dGates [W_ih^T; b^T; W_hh^T]^T.
    auto d_rows = d_rows_buffer.topLeftCorner(rows, packed_[layer].rows());
    input_gradient_products_[static_cast<std::size_t>(layer)].multiply(d_gates, d_rows);
    dh = d_rows.rightCols(hidden).array();
    const Eigen::Index in = shape_.layer_input_size(layer);
    if (layer > 0) {
      dh_from_above = d_rows.leftCols(in);
    } else if (d_input != nullptr) {
      d_input->middleCols(step * in, in).middleRows(first, rows) = d_rows.leftCols(in);
    }
  }
}

template class LstmEngine<float>;
template class LstmEngine<double>;

}  // namespace l2o
