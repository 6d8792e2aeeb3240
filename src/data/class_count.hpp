#pragma once
// The class count K of a user's data set (h5: and idx:, docs/data.md): task.num_classes if set,
// else the largest training label + 1.
#include <cstdint>
#include <string>
#include <vector>

namespace l2o {

/// Labels are stored in a byte per example (Dataset::labels): at most this many classes.
inline constexpr int kMaxClasses = 256;

/// `num_classes` if non-zero (the caller checked the labels against it), else the largest of
/// the training `labels` + 1, every class 0..K-1 occurring: a class that never occurs is a gap
/// in the labelling (1..K, say), an output no example would train. Throws InputError naming
/// `origin` for a gap or a single class.
int resolve_class_count(const std::vector<std::uint8_t>& labels, int num_classes,
                        const std::string& origin);

}  // namespace l2o
