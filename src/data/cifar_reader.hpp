#pragma once
// CIFAR-10 / CIFAR-100 "binary version" files: header-less records of label byte(s) followed by
// 1024 red, 1024 green and 1024 blue bytes of a 32x32 image (Krizhevsky 2009).
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.hpp"

namespace l2o {

/// Which CIFAR format a file holds and, for CIFAR-100, which label to keep.
enum class CifarKind { cifar10, cifar100_fine, cifar100_coarse };

/// An empty data set named `name` with CIFAR's 32x32x3 shape and the class count of `kind`, for
/// parse_cifar() to append to.
Dataset empty_cifar_dataset(CifarKind kind, const std::string& name);

/// Appends the records in `bytes` to `dataset` (which fixes 32x32x3 and num_classes);
/// `origin` names the file in errors (size not a multiple of the record, label out of range).
void parse_cifar(const std::vector<std::uint8_t>& bytes, const std::string& origin, CifarKind kind,
                 Dataset& dataset);

/// Loads and concatenates CIFAR binary files (each raw or .gz) in the given order.
Dataset load_cifar(const std::vector<std::string>& paths, CifarKind kind, const std::string& name);

}  // namespace l2o
