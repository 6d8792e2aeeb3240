#include "gps/policy/policy_loss.hpp"

#include <omp.h>

#include <numeric>
#include <stdexcept>
#include <string>

#include "gps/features/observation_normalisation.hpp"
#include "util/earliest_error.hpp"

namespace l2o {

Eigen::VectorXd policy_loss_step_weights(const Eigen::VectorXd& loss_weights,
                                         const Eigen::VectorXd& psi_variance) {
  if (loss_weights.size() != psi_variance.size()) {
    throw std::invalid_argument(
        "policy_loss_step_weights: loss weights and psi variances differ "
        "in length");
  }
  if (!(psi_variance.array() > 0.0).all()) {
    throw std::invalid_argument("policy_loss_step_weights: every psi variance G_t must be > 0");
  }
  return (loss_weights.array() / psi_variance.array()).matrix();
}

double combine_block_gradients(std::span<const PolicyBlockGradient> blocks, Eigen::Index sequences,
                               Eigen::Index steps, Eigen::VectorXd& gradient) {
  if (blocks.empty() || sequences < 1 || steps < 1) {
    throw std::invalid_argument("combine_block_gradients: no blocks, sequences or steps");
  }
  gradient = blocks.front().gradient;
  double half_squared_error = blocks.front().half_squared_error;
  for (std::size_t b = 1; b < blocks.size(); ++b) {  // block order: the fixed summation order
    if (blocks[b].gradient.size() != gradient.size()) {
      throw std::invalid_argument("combine_block_gradients: block gradients differ in length");
    }
    gradient += blocks[b].gradient;
    half_squared_error += blocks[b].half_squared_error;
  }
  const double normaliser = 1.0 / (static_cast<double>(sequences) * static_cast<double>(steps));
  gradient *= normaliser;
  return half_squared_error * normaliser;
}

template <class Scalar>
PolicyLossGradient<Scalar>::PolicyLossGradient(const LstmShape& shape, Eigen::Index block_sequences,
                                               const LstmEngineParams& engine)
    : shape_(shape), block_sequences_(block_sequences), engine_params_(engine) {
  shape_.check();
  engine_params_.check();
  if (block_sequences < 1) {
    throw std::invalid_argument("PolicyLossGradient: block_sequences must be >= 1, got " +
                                std::to_string(block_sequences));
  }
}

template <class Scalar>
void PolicyLossGradient<Scalar>::size_workspaces() {
  const auto threads = static_cast<std::size_t>(omp_get_max_threads());
  while (workspaces_.size() < threads) {
    workspaces_.push_back(
        Workspace{LstmEngine<Scalar>(shape_, engine_params_), {}, {}, {}, {}, {}});
  }
}

template <class Scalar>
void PolicyLossGradient<Scalar>::gradient_of_sequences(const LstmParameters<Scalar>& weights,
                                                       const PolicyMinibatch<Scalar>& minibatch,
                                                       const Eigen::VectorXd& step_weights,
                                                       Eigen::Index block,
                                                       PolicyBlockGradient& result) {
  const Eigen::Index sequences = minibatch.targets.rows(), steps = minibatch.targets.cols();
  if (minibatch.inputs.rows() != sequences ||
      minibatch.inputs.cols() != shape_.input_size * steps || step_weights.size() != steps) {
    throw std::invalid_argument(
        "PolicyLossGradient: minibatch inputs must be |S| x mT (m inputs per step), targets |S| x "
        "T, step weights T");
  }
  if (block < 0 || block >= block_count(sequences)) {
    throw std::invalid_argument("PolicyLossGradient: block " + std::to_string(block) +
                                " outside the minibatch");
  }
  if (!omp_in_parallel()) size_workspaces();
  Workspace& work = workspaces_[omp_get_thread_num()];
  const Eigen::Index first = block * block_sequences_;
  const Eigen::Index rows = std::min(block_sequences_, sequences - first);

  if (work.memory && work.memory->batch_size() == rows) {
    work.memory->reset();  // every sequence starts from zero memory (§8.4)
  } else {
    work.memory.emplace(shape_, rows);
  }
  work.tape.clear();
  work.outputs.resize(rows, steps);
  work.engine.forward_sequence(weights, minibatch.inputs.middleRows(first, rows), *work.memory,
                               work.outputs, work.tape);

  // dL/dmu~ of the unnormalised sum: c_t (mu~ - y); the residual is formed in double.
  const Eigen::MatrixXd residual =
      work.outputs.template cast<double>() - minibatch.targets.middleRows(first, rows);
  const Eigen::MatrixXd weighted = residual * step_weights.asDiagonal();
  result.half_squared_error = 0.5 * (weighted.array() * residual.array()).sum();
  work.d_outputs = weighted.template cast<Scalar>();
  work.gradient.resize(shape_.parameter_count());
  work.engine.backward(weights, work.tape, work.d_outputs, work.gradient);
  result.gradient = work.gradient.template cast<double>();
}

template <class Scalar>
void PolicyLossGradient<Scalar>::block_gradients(const LstmParameters<Scalar>& weights,
                                                 const PolicyMinibatch<Scalar>& minibatch,
                                                 const Eigen::VectorXd& step_weights,
                                                 std::span<const Eigen::Index> blocks,
                                                 std::vector<PolicyBlockGradient>& results) {
  const auto count = static_cast<Eigen::Index>(blocks.size());
  size_workspaces();
  results.resize(blocks.size());
  // Thread-count independence needs every GEMM of a block computed exactly as with one thread.
  // Eigen 3.4 blocks a GEMM's depth by the thread count it plans to use (nbThreads(), i.e. the
  // nthreads ICV, even when the enclosing team is inactive), which changes the rounding of the
  // depth-4H products of the backward pass. So the region is entered even for a single block,
  // and each block runs with the ICV set to 1 (local to the implicit task): the blocks are the
  // unit of parallelism, the engine and Eigen run single-threaded inside them.
  // Exceptions must not leave an OpenMP region: each listed block keeps its own, and the one of
  // the earliest failing block is rethrown, with its type, whatever the thread timing.
  EarliestError errors(blocks.size());
#pragma omp parallel for schedule(static)
  for (Eigen::Index i = 0; i < count; ++i) {
    omp_set_num_threads(1);
    errors.run(static_cast<std::size_t>(i), [&] {
      gradient_of_sequences(weights, minibatch, step_weights, blocks[i], results[i]);
    });
  }
  errors.rethrow();
}

template <class Scalar>
double PolicyLossGradient<Scalar>::loss_gradient(const LstmParameters<Scalar>& weights,
                                                 const PolicyMinibatch<Scalar>& minibatch,
                                                 const Eigen::VectorXd& step_weights,
                                                 Eigen::VectorXd& gradient) {
  const Eigen::Index sequences = minibatch.targets.rows();
  all_blocks_.resize(static_cast<std::size_t>(block_count(sequences)));
  std::iota(all_blocks_.begin(), all_blocks_.end(), Eigen::Index{0});
  block_gradients(weights, minibatch, step_weights, all_blocks_, blocks_);
  return combine_block_gradients(blocks_, sequences, minibatch.targets.cols(), gradient);
}

template class PolicyLossGradient<float>;
template class PolicyLossGradient<double>;

}  // namespace l2o
