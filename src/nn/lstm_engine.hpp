#pragma once
// Batched coordinatewise LSTM: a stack of LSTM layers plus a linear read-out applied to N
// coordinates at once, each with its own memory and all with the same weights (gps-spec.md §8.1
// policy, §16.1 L2L network, §15 test-time use). Cell equations are PyTorch's LSTMCell:
//   [i f g o] = x W_ih^T + b_ih + h W_hh^T + b_hh,  c' = s(f) c + s(i) tanh(g),  h' = s(o)
//   tanh(c'),
// then y = h_top W_out^T + b_out. Row n of every N-row matrix belongs to coordinate n; the inputs
// of layer l > 0 are the new h of layer l-1 (no skip connections).
//
// One step of a layer is one GEMM [x | 1 | h] (N x (I+1+H)) times the packed weights
// [W_ih^T; (b_ih+b_hh)^T; W_hh^T] ((I+1+H) x 4H) followed by a single fused pass of the
// nonlinearities. Coordinates are processed in row blocks (LstmEngineParams::rows_per_block) so the
// gate block stays in cache; OpenMP threads take whole blocks, and block boundaries do not depend
// on the thread count, so results are identical for any number of threads. Every block computes
// with denormals flushed to zero (util/denormal_flush.hpp): a denormal gate gradient or output
// is 0.
#include <Eigen/Core>
#include <vector>

#include "nn/lstm_parameters.hpp"
#include "nn/lstm_shape.hpp"
#include "nn/lstm_state.hpp"
#include "nn/lstm_tape.hpp"
#include "nn/prepacked_product.hpp"

namespace l2o {

/// Work decomposition of LstmEngine.
struct LstmEngineParams {
  /// Coordinates per work unit: small enough that a block's gates (rows x 4H) stay in cache
  /// between the GEMM and the nonlinearities, large enough that the per-column overhead of the
  /// nonlinearities is small; the unit of OpenMP parallelism. A multiple of 16 keeps every
  /// column segment 64-byte aligned (see LstmState). Default 512 (bench/lstm_step).
  Eigen::Index rows_per_block = 512;

  /// Throws std::invalid_argument naming the bad field.
  void check() const;
};

/// Forward steps (test time and recorded) and backpropagation through time of a batched LSTM.
/// Holds only workspaces; the weights are passed to every call. After the first call (per thread
/// count) the engine's own buffers are reused, and a recorded step allocates only when the tape
/// grows beyond its longest recording; the gate products pack the weights once per call
/// (PrepackedProduct), and the other products still allocate Eigen's packing buffers inside every
/// call (its public API has no way to pass them in). Not safe for
/// concurrent calls: use one engine per caller thread.
template <class Scalar>
class LstmEngine {
 public:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

  /// Engine for LSTMs of shape `shape` (both checked).
  explicit LstmEngine(const LstmShape& shape, const LstmEngineParams& params = {});

  /// The shape every argument must have.
  [[nodiscard]] const LstmShape& shape() const { return shape_; }

  /// One test-time step: input N x I, output N x O; advances `state` (no recording).
  void step(const LstmParameters<Scalar>& parameters, const Eigen::Ref<const Matrix>& input,
            LstmState<Scalar>& state, Eigen::Ref<Matrix> output);
  /// One training step: as above, and appends the activations backward() needs to `tape`.
  void step(const LstmParameters<Scalar>& parameters, const Eigen::Ref<const Matrix>& input,
            LstmState<Scalar>& state, Eigen::Ref<Matrix> output, LstmTape<Scalar>& tape);

  /// T steps from `state` (which ends as the final state): inputs N x (T*I), step t in columns
  /// t*I..t*I+I-1; outputs N x (T*O) likewise. Equal to T calls of step().
  void forward_sequence(const LstmParameters<Scalar>& parameters,
                        const Eigen::Ref<const Matrix>& inputs, LstmState<Scalar>& state,
                        Eigen::Ref<Matrix> outputs);
  /// T recorded steps, appended to `tape`.
  void forward_sequence(const LstmParameters<Scalar>& parameters,
                        const Eigen::Ref<const Matrix>& inputs, LstmState<Scalar>& state,
                        Eigen::Ref<Matrix> outputs, LstmTape<Scalar>& tape);

  /// Backpropagation through the T = tape.steps() recorded steps. d_outputs (N x (T*O), laid out
  /// like the outputs) is dLoss/dOutput of every step; sets `gradient` (length
  /// shape().parameter_count(), parameter layout) to dLoss/dWeights summed over coordinates and
  /// steps. The recording's initial state is a constant (truncated BPTT, gps-spec.md §16.2).
  void backward(const LstmParameters<Scalar>& parameters, const LstmTape<Scalar>& tape,
                const Eigen::Ref<const Matrix>& d_outputs, Eigen::Ref<Vector> gradient);
  /// As above, and also sets d_inputs (N x (T*I), laid out like the inputs) to dLoss/dInput.
  void backward(const LstmParameters<Scalar>& parameters, const LstmTape<Scalar>& tape,
                const Eigen::Ref<const Matrix>& d_outputs, Eigen::Ref<Vector> gradient,
                Eigen::Ref<Matrix> d_inputs);

 private:
  using Record = typename LstmTape<Scalar>::Record;

  void pack(const LstmParameters<Scalar>& parameters);
  void check_step(const LstmParameters<Scalar>& parameters, const Eigen::Ref<const Matrix>& input,
                  const LstmState<Scalar>& state, const Eigen::Ref<Matrix>& output) const;
  void size_thread_buffers();
  // Packs the weights' panels for `products` with the row blocks of a batch (before a parallel
  // region: PrepackedProduct::prepare).
  void prepare_products(std::vector<PrepackedProduct<Scalar>>& products, Eigen::Index batch);
  void step_impl(const LstmParameters<Scalar>& parameters, const Eigen::Ref<const Matrix>& input,
                 LstmState<Scalar>& state, Eigen::Ref<Matrix> output, Record* record);
  // One step with the weights already packed (step_impl packs first; forward_sequence once).
  void advance(const Eigen::Ref<const Matrix>& input, LstmState<Scalar>& state,
               Eigen::Ref<Matrix> output, Record* record);
  template <bool kRecord>
  void forward_block(Eigen::Index first, Eigen::Index rows, const Eigen::Ref<const Matrix>& input,
                     LstmState<Scalar>& state, Eigen::Ref<Matrix>& output, Record* record,
                     Matrix& gate_buffer) const;
  Record& next_record(LstmTape<Scalar>& tape, Eigen::Index batch_size) const;
  void backward_impl(const LstmParameters<Scalar>& parameters, const LstmTape<Scalar>& tape,
                     const Eigen::Ref<const Matrix>& d_outputs, Eigen::Ref<Vector> gradient,
                     Eigen::Ref<Matrix>* d_inputs);
  void backward_block(Eigen::Index first, Eigen::Index rows, const Record& record,
                      const Eigen::Ref<const Matrix>& d_output, Eigen::Ref<Matrix>* d_input,
                      Eigen::Index step, Matrix& dh_buffer, Matrix& d_rows_buffer);
  [[nodiscard]] Eigen::Index block_count(Eigen::Index batch_size) const {
    return (batch_size + params_.rows_per_block - 1) / params_.rows_per_block;
  }

  LstmShape shape_;
  LstmEngineParams params_;
  // Per layer [W_ih^T; (b_ih + b_hh)^T; W_hh^T], (I_l + 1 + H) x 4H; and [b_out^T; W_out^T].
  std::vector<Matrix> packed_;
  Matrix packed_readout_;
  // Per layer: [x | 1 | h] times packed_ (the gates), and gate gradients times packed_^T.
  std::vector<PrepackedProduct<Scalar>> gate_products_, input_gradient_products_;
  // Per thread: gate block (rows_per_block x 4H); backward's dh and d[x | 1 | h] blocks.
  std::vector<Matrix> gate_buffers_, dh_buffers_, d_rows_buffers_;
  // Backward, per layer: gradients of the gate pre-activations (N x 4H), of h and c flowing to
  // the previous step (N x H), and the packed weight gradients.
  std::vector<Matrix> d_gates_, dh_next_, dc_next_, packed_gradient_;
  Matrix packed_readout_gradient_;
  // Backward, per row block: a chunk of consecutive steps' operands of the weight-gradient sums,
  // stacked (per layer [x | 1 | h] rows and gate gradients, then the read-out's rows and output
  // gradients), so that one product covers the chunk.
  struct Chunk {
    Eigen::Index steps = 0;   // steps per chunk
    Eigen::Index filled = 0;  // steps stacked so far
    std::vector<Matrix> rows, d_results;
  };
  void size_chunk(Chunk& chunk, Eigen::Index rows) const;
  std::vector<Chunk> chunks_;
  // Backward, per row block: its total of every layer's weight gradient, then the read-out's.
  std::vector<std::vector<Matrix>> block_gradients_;
  LstmParameters<Scalar> gradient_layout_;  // the gradient in parameter layout, before copying out
};

extern template class LstmEngine<float>;
extern template class LstmEngine<double>;

}  // namespace l2o
