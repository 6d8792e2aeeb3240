#pragma once
// dst = A B for many A and one fixed B, with B packed once. Eigen 3.4's product packs B into its
// kernel's panel layout inside every call (GeneralMatrixMatrix.h, general_matrix_matrix_product::
// run); when A has few rows that copy costs as much as the arithmetic. The LSTM's policy training
// multiplies 16-row blocks by the same 132 x 512 weights at every one of 400 steps (issue 17: the
// re-packing was ~10 % of a GPS iteration). This class runs Eigen's single-threaded product loop
// with the same blocking, the same packing routines and the same kernel, keeping B's panels across
// calls, so every dst is bitwise what `dst.noalias() = A * B` gives; products that Eigen would
// run otherwise (coefficient-based, matrix-vector, or multi-threaded) are left to Eigen.
#include <Eigen/Core>
#include <vector>

namespace l2o {

template <class Scalar>
class PrepackedProduct {
 public:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

  /// Uses `b` (kept by pointer: it must outlive its use and not change until the next set_rhs)
  /// as B, or its transpose as B when `transposed`; drops the panels packed for the previous B.
  void set_rhs(const Matrix& b, bool transposed);
  /// Packs B's panels for products with `rows` rows of A (none if Eigen would not use them). Not
  /// thread-safe: call before a parallel region for every row count multiply() will see.
  void prepare(Eigen::Index rows);
  /// dst = lhs B (lhs rows x depth). Thread-safe once prepared; without prepared panels for this
  /// row count it falls back to Eigen's product (the same result, without the saving).
  void multiply(const Eigen::Ref<const Matrix>& lhs, Eigen::Ref<Matrix> dst) const;

 private:
  // B's kc x nc panels in Eigen's kernel layout, in the order the product loop visits them (depth
  // blocks, then column blocks within each), for one blocking.
  struct Panels {
    Eigen::Index kc = 0, nc = 0;
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> packed;
  };
  struct Blocking {
    Eigen::Index kc = 0, mc = 0, nc = 0;
  };

  [[nodiscard]] Eigen::Index depth() const;
  [[nodiscard]] Eigen::Index cols() const;
  // Eigen's blocking of a rows x cols x depth single-threaded product.
  [[nodiscard]] Blocking blocking(Eigen::Index rows) const;
  // Whether Eigen runs a product with `rows` rows through its single-threaded panel loop.
  [[nodiscard]] bool uses_panel_loop(Eigen::Index rows) const;
  [[nodiscard]] const Panels* find(const Blocking& blocking) const;
  void eigen_product(const Eigen::Ref<const Matrix>& lhs, Eigen::Ref<Matrix>& dst) const;

  const Matrix* b_ = nullptr;
  bool transposed_ = false;
  std::vector<Panels> panels_;  // one entry per distinct blocking prepared since set_rhs
};

extern template class PrepackedProduct<float>;
extern template class PrepackedProduct<double>;

}  // namespace l2o
