#pragma once
// Plain numeric data (doubles, integers, flags, Eigen matrices and lists of them) as a flat buffer
// of 64-bit words, the payload of the dist collectives (word_gather.hpp), bit for bit: a double
// goes through unchanged, so a value broadcast from its owner rank is the owner's value exactly.
// One field list serves both directions: a struct's `exchange(archive, value)` calls
// archive(field) for every field, with a WordWriter to pack and a WordReader to unpack.
#include <Eigen/Core>
#include <bit>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

namespace l2o {

/// Appends fields to a word buffer.
class WordWriter {
 public:
  void operator()(double value) { words_.push_back(std::bit_cast<std::uint64_t>(value)); }
  void operator()(std::int64_t value) { words_.push_back(static_cast<std::uint64_t>(value)); }
  void operator()(int value) { (*this)(static_cast<std::int64_t>(value)); }
  void operator()(bool value) { words_.push_back(value ? 1 : 0); }
  /// Rows, columns, then the coefficients in storage order.
  template <class Derived>
  void operator()(const Eigen::PlainObjectBase<Derived>& matrix) {
    (*this)(static_cast<std::int64_t>(matrix.rows()));
    (*this)(static_cast<std::int64_t>(matrix.cols()));
    for (Eigen::Index i = 0; i < matrix.size(); ++i) (*this)(double{matrix.data()[i]});
  }
  /// Length, then the elements.
  template <class T>
  void operator()(const std::vector<T>& values) {
    (*this)(static_cast<std::int64_t>(values.size()));
    for (const T& value : values) (*this)(value);
  }

  /// The buffer written so far.
  [[nodiscard]] const std::vector<std::uint64_t>& words() const { return words_; }
  /// Moves the buffer out.
  [[nodiscard]] std::vector<std::uint64_t> take() { return std::move(words_); }

 private:
  std::vector<std::uint64_t> words_;
};

/// Reads fields back in the order a WordWriter wrote them; throws std::invalid_argument when the
/// buffer ends early or holds a negative size.
class WordReader {
 public:
  explicit WordReader(std::span<const std::uint64_t> words) : words_(words) {}

  void operator()(double& value) { value = std::bit_cast<double>(next()); }
  void operator()(std::int64_t& value) { value = static_cast<std::int64_t>(next()); }
  void operator()(int& value) { value = static_cast<int>(static_cast<std::int64_t>(next())); }
  void operator()(bool& value) { value = next() != 0; }
  template <class Derived>
  void operator()(Eigen::PlainObjectBase<Derived>& matrix) {
    const Eigen::Index rows = size(), cols = size();
    matrix.resize(rows, cols);
    for (Eigen::Index i = 0; i < matrix.size(); ++i)
      matrix.data()[i] = std::bit_cast<double>(next());
  }
  template <class T>
  void operator()(std::vector<T>& values) {
    values.resize(static_cast<std::size_t>(size()));
    for (T& value : values) (*this)(value);
  }

  /// Whether every word has been read.
  [[nodiscard]] bool at_end() const { return position_ == words_.size(); }

 private:
  std::uint64_t next() {
    if (position_ >= words_.size()) throw std::invalid_argument("WordReader: buffer ends early");
    return words_[position_++];
  }
  Eigen::Index size() {
    const auto value = static_cast<std::int64_t>(next());
    if (value < 0) throw std::invalid_argument("WordReader: negative size in buffer");
    return static_cast<Eigen::Index>(value);
  }

  std::span<const std::uint64_t> words_;
  std::size_t position_ = 0;
};

}  // namespace l2o
