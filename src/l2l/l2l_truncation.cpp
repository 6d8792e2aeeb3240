#include "l2l/l2l_truncation.hpp"

#include <stdexcept>

namespace l2o {

L2lTruncation::L2lTruncation(const LstmShape& shape, const L2lNetworkParams& params)
    : network_(shape, params) {}

double L2lTruncation::run(const LstmParameters<double>& parameters, L2lEpisode& episode,
                          Eigen::Index first_step, Eigen::Index steps,
                          Eigen::Ref<Eigen::VectorXd> x, LstmState<double>& state,
                          Eigen::Ref<Eigen::VectorXd> gradient,
                          Eigen::Ref<Eigen::VectorXd> meta_gradient) {
  const Eigen::Index d = x.size();
  if (steps < 1) throw std::invalid_argument("L2lTruncation::run: steps must be >= 1");
  if (gradient.size() != d || state.batch_size() != d || episode.dimension() != d) {
    throw std::invalid_argument("L2lTruncation::run: x, gradient, state and episode sizes differ");
  }
  if (delta_.size() != d) delta_.resize(d);
  if (d_outputs_.rows() != d || d_outputs_.cols() != steps) d_outputs_.resize(d, steps);

  tape_.clear();
  double meta_loss = 0.0;
  for (Eigen::Index s = 0; s < steps; ++s) {
    network_.step(parameters, gradient, state, delta_, &tape_);
    x += delta_;
    // g_{s+1} is the next step's input and the loss term's gradient (same minibatch, §16.2).
    meta_loss += episode.oracle(first_step + s + 1).loss_gradient(x, gradient);
    d_outputs_.col(s) = gradient;
  }
  // delta_s = sum_{t > s} g_t: suffix sums, scaled because Delta x = output_scale * output.
  for (Eigen::Index s = steps - 2; s >= 0; --s) d_outputs_.col(s) += d_outputs_.col(s + 1);
  d_outputs_ *= network_.params().output_scale;
  network_.engine().backward(parameters, tape_, d_outputs_, meta_gradient);
  return meta_loss;
}

}  // namespace l2o
