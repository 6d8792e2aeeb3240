#include "nn/lstm_shape.hpp"

#include <stdexcept>
#include <string>

namespace l2o {

void LstmShape::check() const {
  const auto require_positive = [](Eigen::Index value, const char* name) {
    if (value < 1) {
      throw std::invalid_argument(std::string("LstmShape.") + name + " must be >= 1, got " +
                                  std::to_string(value));
    }
  };
  require_positive(input_size, "input_size");
  require_positive(hidden_size, "hidden_size");
  require_positive(num_layers, "num_layers");
  require_positive(output_size, "output_size");
}

Eigen::Index LstmShape::layer_offset(Eigen::Index layer) const {
  Eigen::Index offset = 0;
  for (Eigen::Index l = 0; l < layer; ++l) offset += layer_parameter_count(l);
  return offset;
}

}  // namespace l2o
