#pragma once
// Slow, obviously-correct twin of LstmEngine::step (style.md: a reference for every hot kernel):
// one coordinate, scalar loops straight from the cell equations of PyTorch's LSTMCell
// (gps-spec.md §8.1), double precision. For tests only.
#include <Eigen/Core>
#include <vector>

#include "nn/lstm_parameters.hpp"

namespace l2o {

/// One step of the stacked LSTM for one coordinate: updates h[l], c[l] (length H each) in place
/// and returns the read-out (length O).
Eigen::VectorXd lstm_reference_step(const LstmParameters<double>& parameters,
                                    const Eigen::VectorXd& input, std::vector<Eigen::VectorXd>& h,
                                    std::vector<Eigen::VectorXd>& c);

}  // namespace l2o
