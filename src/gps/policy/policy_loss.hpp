#pragma once
// The Mahalanobis-weighted regression loss of the global policy (gps-spec.md §8.4) and its
// gradient by full backpropagation through time:
//   L(omega) = 1 / (2 |S| T) sum_{s in S} sum_t c_t (mu~_{s,t}(omega) - y_{s,t})^2,
// c_t = w_t / G_t (normalised weight times psi's precision, §8.3), mu~ from zero memory over the
// whole sequence.
//
// Structure for data parallelism (§14). The sequences of a minibatch sit in fixed positions
// 0..|S|-1, cut into fixed blocks of `block_sequences` positions (the last may be shorter). The
// unit of work is gradient_of_sequences(block): the *unnormalised* sums
// 1/2 sum_{s in block} sum_t c_t (mu~ - y)^2 and their gradient. combine_block_gradients adds the
// blocks in block order and divides by |S| T. The block partition depends only on |S| and
// block_sequences, never on thread or rank count, so
//   * here, blocks run concurrently on OpenMP threads and are added in block order: the result is
//     bitwise independent of the thread count;
//   * an MPI layer gives each rank a fixed set of blocks, gathers the block sums to every rank (or
//     all-reduces per-rank partial sums in rank order over a fixed block-to-rank assignment, which
//     is independent of the rank count only if the assignment is), and calls
//     combine_block_gradients; every rank then takes the identical Adam step.
#include <Eigen/Core>
#include <optional>
#include <span>
#include <vector>

#include "nn/lstm_engine.hpp"
#include "nn/lstm_parameters.hpp"
#include "nn/lstm_state.hpp"
#include "nn/lstm_tape.hpp"

namespace l2o {

/// Per-step loss coefficients c_t = w_t / G_t (gps-spec.md §8.3-§8.4): `loss_weights` from
/// badmm_loss_weights(nu), `psi_variance` = G_t of the designated psi. Throws
/// std::invalid_argument on a length mismatch or a non-positive variance.
Eigen::VectorXd policy_loss_step_weights(const Eigen::VectorXd& loss_weights,
                                         const Eigen::VectorXd& psi_variance);

/// The sequences of one minibatch in fixed positions (row = position).
template <class Scalar>
struct PolicyMinibatch {
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> inputs;  ///< |S| x 3T, normalised
  Eigen::MatrixXd targets;                                       ///< |S| x T, y (§8.3)
};

/// Unnormalised loss and gradient of one block of sequences (the unit of an all-reduce, §14).
struct PolicyBlockGradient {
  double half_squared_error = 0.0;  ///< 1/2 sum_{s in block} sum_t c_t (mu~_{s,t} - y_{s,t})^2
  Eigen::VectorXd gradient;         ///< its gradient in omega, parameter layout, double
};

/// Adds `blocks` in order and normalises by 1 / (sequences * steps) (§8.4): returns the loss and
/// sets `gradient`. Throws std::invalid_argument if blocks is empty or sizes differ.
double combine_block_gradients(std::span<const PolicyBlockGradient> blocks, Eigen::Index sequences,
                               Eigen::Index steps, Eigen::VectorXd& gradient);

/// Evaluates the §8.4 loss and gradient block by block; owns one LSTM engine, tape and memory per
/// OpenMP thread (sized on first use) so blocks can run concurrently. Not itself re-entrant.
template <class Scalar>
class PolicyLossGradient {
 public:
  /// For policies of shape `shape`, blocks of `block_sequences` (>= 1) positions.
  PolicyLossGradient(const LstmShape& shape, Eigen::Index block_sequences,
                     const LstmEngineParams& engine = {});

  /// Positions per block.
  [[nodiscard]] Eigen::Index block_sequences() const { return block_sequences_; }
  /// Number of blocks of a minibatch of `sequences` positions.
  [[nodiscard]] Eigen::Index block_count(Eigen::Index sequences) const {
    return (sequences + block_sequences_ - 1) / block_sequences_;
  }

  /// Block `block`'s unnormalised sums (positions block*B .. min((block+1)*B, |S|)-1), with the
  /// calling OpenMP thread's workspace. Throws std::invalid_argument on inconsistent sizes.
  void gradient_of_sequences(const LstmParameters<Scalar>& weights,
                             const PolicyMinibatch<Scalar>& minibatch,
                             const Eigen::VectorXd& step_weights, Eigen::Index block,
                             PolicyBlockGradient& result);

  /// The unnormalised sums of the listed blocks (concurrently on OpenMP threads, each block
  /// single-threaded inside) into `results`, one per listed block in list order: a rank's share
  /// of a minibatch (§14). Throws std::invalid_argument on a block outside the minibatch.
  void block_gradients(const LstmParameters<Scalar>& weights,
                       const PolicyMinibatch<Scalar>& minibatch,
                       const Eigen::VectorXd& step_weights, std::span<const Eigen::Index> blocks,
                       std::vector<PolicyBlockGradient>& results);

  /// The whole minibatch: block_gradients of every block, then combine_block_gradients.
  /// Returns the loss; sets `gradient`.
  double loss_gradient(const LstmParameters<Scalar>& weights,
                       const PolicyMinibatch<Scalar>& minibatch,
                       const Eigen::VectorXd& step_weights, Eigen::VectorXd& gradient);

 private:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  struct Workspace {
    LstmEngine<Scalar> engine;
    LstmTape<Scalar> tape;
    std::optional<LstmState<Scalar>> memory;
    Matrix outputs, d_outputs;
    Vector gradient;
  };
  void size_workspaces();

  LstmShape shape_;
  Eigen::Index block_sequences_;
  LstmEngineParams engine_params_;
  std::vector<Workspace> workspaces_;        // one per OpenMP thread
  std::vector<Eigen::Index> all_blocks_;     // loss_gradient's block list 0..blocks-1
  std::vector<PolicyBlockGradient> blocks_;  // loss_gradient's per-block results
};

extern template class PolicyLossGradient<float>;
extern template class PolicyLossGradient<double>;

}  // namespace l2o
