#include "nn/prepacked_product.hpp"

#include <omp.h>

#include <algorithm>

namespace l2o {

namespace {

namespace ei = Eigen::internal;
using Eigen::Index;

// Panels start on the alignment Eigen gives its own packing buffer.
constexpr Index kPanelAlignBytes = EIGEN_MAX_ALIGN_BYTES;

template <class Scalar>
Index aligned_size(Index elements) {
  constexpr Index per_line = std::max<Index>(1, kPanelAlignBytes / Index(sizeof(Scalar)));
  return (elements + per_line - 1) / per_line * per_line;
}

}  // namespace

template <class Scalar>
Index PrepackedProduct<Scalar>::depth() const {
  return transposed_ ? b_->cols() : b_->rows();
}

template <class Scalar>
Index PrepackedProduct<Scalar>::cols() const {
  return transposed_ ? b_->rows() : b_->cols();
}

template <class Scalar>
void PrepackedProduct<Scalar>::set_rhs(const Matrix& b, bool transposed) {
  b_ = &b;
  transposed_ = transposed;
  panels_.clear();
}

template <class Scalar>
typename PrepackedProduct<Scalar>::Blocking PrepackedProduct<Scalar>::blocking(Index rows) const {
  // gemm_blocking_space(rows, cols, depth, 1 thread, true), then run()'s clamping.
  Index kc = depth(), mc = rows, nc = cols();
  ei::computeProductBlockingSizes<Scalar, Scalar, 1, Index>(kc, mc, nc, 1);
  return {kc, std::min(rows, mc), std::min(cols(), nc)};
}

template <class Scalar>
bool PrepackedProduct<Scalar>::uses_panel_loop(Index rows) const {
  const Index d = depth(), n = cols();
  // generic_product_impl<..., GemmProduct>::evalTo and scaleAndAddTo.
  if (rows == 0 || d == 0 || n == 0) return false;
  if (d + rows + n < EIGEN_GEMM_TO_COEFFBASED_THRESHOLD) return false;
  if (rows == 1 || n == 1) return false;
  // parallelize_gemm: one thread if Eigen may use one, the product is small, or a team runs.
  using Traits = ei::gebp_traits<Scalar, Scalar>;
  const double work = static_cast<double>(rows) * static_cast<double>(n) * static_cast<double>(d);
  const Index by_work = std::max<Index>(1, static_cast<Index>(work / 50000));
  const Index max_threads = std::max<Index>(1, std::min<Index>(n / Traits::nr, by_work));
  return std::min<Index>(Eigen::nbThreads(), max_threads) == 1 || omp_get_num_threads() > 1;
}

template <class Scalar>
const typename PrepackedProduct<Scalar>::Panels* PrepackedProduct<Scalar>::find(
    const Blocking& blocking) const {
  for (const Panels& panels : panels_) {
    if (panels.kc == blocking.kc && panels.nc == blocking.nc) return &panels;
  }
  return nullptr;
}

template <class Scalar>
void PrepackedProduct<Scalar>::prepare(Index rows) {
  if (b_ == nullptr || rows < 1 || depth() == 0 || cols() == 0) return;
  const Blocking block = blocking(rows);
  if (find(block) != nullptr) return;
  Panels& panels = panels_.emplace_back();
  panels.kc = block.kc;
  panels.nc = block.nc;
  // Every panel rounded up to the alignment: at most one line of padding each.
  const Index count = (depth() + block.kc - 1) / block.kc * ((cols() + block.nc - 1) / block.nc);
  panels.packed.resize(depth() * cols() + count * aligned_size<Scalar>(1));
  Scalar* panel = panels.packed.data();
  const auto pack_all = [&](const auto& rhs, auto pack_rhs) {
    for (Index k2 = 0; k2 < depth(); k2 += block.kc) {
      const Index actual_kc = std::min(block.kc, depth() - k2);
      for (Index j2 = 0; j2 < cols(); j2 += block.nc) {
        const Index actual_nc = std::min(block.nc, cols() - j2);
        pack_rhs(panel, rhs.getSubMapper(k2, j2), actual_kc, actual_nc);
        panel += aligned_size<Scalar>(actual_kc * actual_nc);
      }
    }
  };
  using Traits = ei::gebp_traits<Scalar, Scalar>;
  if (transposed_) {  // B = b^T: b's column-major storage is B's row-major storage
    using Mapper = ei::const_blas_data_mapper<Scalar, Index, Eigen::RowMajor>;
    pack_all(Mapper(b_->data(), b_->outerStride()),
             ei::gemm_pack_rhs<Scalar, Index, Mapper, Traits::nr, Eigen::RowMajor>());
  } else {
    using Mapper = ei::const_blas_data_mapper<Scalar, Index, Eigen::ColMajor>;
    pack_all(Mapper(b_->data(), b_->outerStride()),
             ei::gemm_pack_rhs<Scalar, Index, Mapper, Traits::nr, Eigen::ColMajor>());
  }
}

template <class Scalar>
void PrepackedProduct<Scalar>::eigen_product(const Eigen::Ref<const Matrix>& lhs,
                                             Eigen::Ref<Matrix>& dst) const {
  if (transposed_) {
    dst.noalias() = lhs * b_->transpose();
  } else {
    dst.noalias() = lhs * *b_;
  }
}

template <class Scalar>
void PrepackedProduct<Scalar>::multiply(const Eigen::Ref<const Matrix>& lhs,
                                        Eigen::Ref<Matrix> dst) const {
  const Index rows = lhs.rows();
  const Blocking block = rows >= 1 ? blocking(rows) : Blocking{};
  const Panels* panels = uses_panel_loop(rows) ? find(block) : nullptr;
  if (panels == nullptr) {
    eigen_product(lhs, dst);
    return;
  }
  // general_matrix_matrix_product<..., ColMajor>::run, sequential branch, with B's packing hoisted.
  using Traits = ei::gebp_traits<Scalar, Scalar>;
  using LhsMapper = ei::const_blas_data_mapper<Scalar, Index, Eigen::ColMajor>;
  using ResMapper = ei::blas_data_mapper<Scalar, Index, Eigen::ColMajor, Eigen::Unaligned, 1>;
  const LhsMapper a(lhs.data(), lhs.outerStride());
  const ResMapper res(dst.data(), dst.outerStride(), 1);
  ei::gemm_pack_lhs<Scalar, Index, LhsMapper, Traits::mr, Traits::LhsProgress,
                    typename Traits::LhsPacket4Packing, Eigen::ColMajor>
      pack_lhs;
  ei::gebp_kernel<Scalar, Scalar, Index, ResMapper, Traits::mr, Traits::nr, false, false> gebp;
  namespace internal = Eigen::internal;  // the macro below names it unqualified
  // A's packing buffer as run() allocates it: on the stack when small, else aligned on the heap.
  ei_declare_aligned_stack_constructed_variable(Scalar, block_a, block.kc * block.mc, nullptr);
  dst.setZero();  // evalTo: the kernel accumulates into dst
  for (Index i2 = 0; i2 < rows; i2 += block.mc) {
    const Index actual_mc = std::min(block.mc, rows - i2);
    const Scalar* panel = panels->packed.data();
    for (Index k2 = 0; k2 < depth(); k2 += block.kc) {
      const Index actual_kc = std::min(block.kc, depth() - k2);
      pack_lhs(block_a, a.getSubMapper(i2, k2), actual_kc, actual_mc);
      for (Index j2 = 0; j2 < cols(); j2 += block.nc) {
        const Index actual_nc = std::min(block.nc, cols() - j2);
        gebp(res.getSubMapper(i2, j2), block_a, panel, actual_mc, actual_kc, actual_nc, Scalar(1));
        panel += aligned_size<Scalar>(actual_kc * actual_nc);
      }
    }
  }
}

template class PrepackedProduct<float>;
template class PrepackedProduct<double>;

}  // namespace l2o
