#pragma once
// A run's internal state (LSTM memories, feature histories) as one vector of doubles, written and
// read back in the same fixed order, so a learned optimizer's run can be saved (the Python
// package's state_dict) and continued exactly. Float values round-trip exactly through double.
#include <Eigen/Core>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace l2o {

/// Appends values in order.
class StateWriter {
 public:
  void put(double value) { values_.push_back(value); }
  /// Every coefficient of `array`, column by column.
  template <class Derived>
  void put(const Eigen::DenseBase<Derived>& array) {
    for (Eigen::Index j = 0; j < array.cols(); ++j)
      for (Eigen::Index i = 0; i < array.rows(); ++i)
        values_.push_back(static_cast<double>(array.coeff(i, j)));
  }
  /// The values written.
  [[nodiscard]] Eigen::VectorXd finish() const {
    return Eigen::Map<const Eigen::VectorXd>(values_.data(),
                                             static_cast<Eigen::Index>(values_.size()));
  }

 private:
  std::vector<double> values_;
};

/// Reads values back in the order a StateWriter wrote them; the targets already have their sizes.
class StateReader {
 public:
  /// Reads from `values` (borrowed: it must outlive the reader).
  explicit StateReader(const Eigen::VectorXd& values) : values_(values) {}
  double get() {
    if (next_ >= values_.size()) throw_length();
    return values_(next_++);
  }
  /// Fills every coefficient of `array` (a matrix or a block of one), column by column.
  template <class Target>
  void get(Target&& array) {
    for (Eigen::Index j = 0; j < array.cols(); ++j)
      for (Eigen::Index i = 0; i < array.rows(); ++i)
        array.coeffRef(i, j) = static_cast<typename std::decay_t<Target>::Scalar>(get());
  }
  /// Throws std::invalid_argument unless every value was read.
  void finish() const {
    if (next_ != values_.size()) throw_length();
  }

 private:
  [[noreturn]] void throw_length() const {
    throw std::invalid_argument("run state of " + std::to_string(values_.size()) +
                                " values does not fit this run (another model or parameter "
                                "layout); save and restore with the same ones");
  }
  const Eigen::VectorXd& values_;
  Eigen::Index next_ = 0;
};

}  // namespace l2o
