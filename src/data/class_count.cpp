#include "data/class_count.hpp"

#include <algorithm>

#include "util/error.hpp"

namespace l2o {

int resolve_class_count(const std::vector<std::uint8_t>& labels, int num_classes,
                        const std::string& origin) {
  if (num_classes > 0) return num_classes;
  const int classes = labels.empty() ? 0 : *std::max_element(labels.begin(), labels.end()) + 1;
  std::vector<bool> seen(static_cast<std::size_t>(classes), false);
  for (const std::uint8_t label : labels) seen[label] = true;
  for (int k = 0; k < classes; ++k)
    if (!seen[static_cast<std::size_t>(k)])
      throw InputError(origin + ": class " + std::to_string(k) + " never occurs (" +
                       std::to_string(classes) +
                       " classes from the largest label); relabel to 0..K-1 or set "
                       "task.num_classes");
  if (classes < 2)
    throw InputError(origin + ": the labels hold a single class; a classifier needs two or more");
  return classes;
}

}  // namespace l2o
