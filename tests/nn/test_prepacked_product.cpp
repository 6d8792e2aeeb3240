// PrepackedProduct against Eigen's own product, bit for bit: the LSTM engine's results must not
// change when its gate products keep the weights packed (issue 17).
#include <omp.h>

#include <catch2/catch.hpp>

#include "nn/prepacked_product.hpp"

namespace {

template <class Matrix>
Matrix random_matrix(Eigen::Index rows, Eigen::Index cols, unsigned seed) {
  std::srand(seed);
  return Matrix::Random(rows, cols);
}

// dst = A B through PrepackedProduct and through Eigen, for A a block of rows `first`.. of a
// larger matrix and dst a block of a larger matrix (the engine's row blocks); bitwise equal.
template <class Scalar>
void check_bitwise(Eigen::Index rows, Eigen::Index depth, Eigen::Index cols, bool transposed,
                   bool prepared) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Matrix a_all = random_matrix<Matrix>(rows + 7, depth, 1);
  const Matrix b =
      transposed ? random_matrix<Matrix>(cols, depth, 2) : random_matrix<Matrix>(depth, cols, 2);
  Matrix mine = Matrix::Constant(rows + 5, cols, Scalar(3));
  Matrix eigen = mine;
  l2o::PrepackedProduct<Scalar> product;
  product.set_rhs(b, transposed);
  if (prepared) product.prepare(rows);
  product.multiply(a_all.middleRows(3, rows), mine.middleRows(2, rows));
  if (transposed) {
    eigen.middleRows(2, rows).noalias() = a_all.middleRows(3, rows) * b.transpose();
  } else {
    eigen.middleRows(2, rows).noalias() = a_all.middleRows(3, rows) * b;
  }
  INFO("rows " << rows << " depth " << depth << " cols " << cols << " transposed " << transposed
               << " prepared " << prepared);
  CHECK((mine.array() == eigen.array()).all());
}

// Eigen threads a large product when it may use several threads; these tests compare with its
// single-threaded product, which PrepackedProduct reproduces.
struct OneEigenThread {
  int saved = omp_get_max_threads();
  OneEigenThread() { omp_set_num_threads(1); }
  ~OneEigenThread() { omp_set_num_threads(saved); }
};

}  // namespace

TEST_CASE("prepacked product: bitwise Eigen's product for the engine's shapes and edge cases") {
  const OneEigenThread one_thread;
  // The LSTM's gate product (16-row blocks, 512-row blocks, a tail), its input-gradient product
  // (depth 4H = 512 > Eigen's depth block: several depth panels), and the fallbacks (one row, one
  // column, tiny).
  const Eigen::Index shapes[][3] = {{16, 132, 512}, {512, 132, 512}, {37, 132, 512},
                                    {16, 512, 132}, {5, 512, 132},   {700, 600, 300},
                                    {1, 132, 512},  {16, 132, 1},    {3, 4, 5}};
  for (const auto& shape : shapes) {
    for (const bool transposed : {false, true}) {
      for (const bool prepared : {true, false}) {
        check_bitwise<float>(shape[0], shape[1], shape[2], transposed, prepared);
        check_bitwise<double>(shape[0], shape[1], shape[2], transposed, prepared);
      }
    }
  }
}

TEST_CASE("prepacked product: one prepared B serves every thread of a team, bitwise") {
  using Matrix = Eigen::MatrixXf;
  const Eigen::Index rows = 16, depth = 132, cols = 512, blocks = 8;
  const Matrix a = random_matrix<Matrix>(rows * blocks, depth, 3);
  const Matrix b = random_matrix<Matrix>(depth, cols, 4);
  l2o::PrepackedProduct<float> product;
  product.set_rhs(b, false);
  product.prepare(rows);
  Matrix mine(rows * blocks, cols), eigen(rows * blocks, cols);
#pragma omp parallel for num_threads(2)
  for (Eigen::Index block = 0; block < blocks; ++block) {
    product.multiply(a.middleRows(block * rows, rows), mine.middleRows(block * rows, rows));
  }
  const OneEigenThread one_thread;
  for (Eigen::Index block = 0; block < blocks; ++block) {
    eigen.middleRows(block * rows, rows).noalias() = a.middleRows(block * rows, rows) * b;
  }
  CHECK((mine.array() == eigen.array()).all());
}
