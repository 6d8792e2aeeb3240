#include "eval/learned_optimizer.hpp"

#include <filesystem>

#include "gps/files/gps_model_file.hpp"
#include "gps/policy/psd_optimizer.hpp"
#include "io/hdf5_file.hpp"
#include "l2l/l2l_model_file.hpp"
#include "util/error.hpp"

namespace l2o {

std::unique_ptr<Optimizer> load_learned_optimizer(const std::string& path) {
  if (!std::filesystem::is_regular_file(path))
    throw InputError(path + ": no such model file; run `l2o meta-train` first or fix the path");
  const Hdf5Group file = open_hdf5_for_reading(path);
  if (!file.contains("model")) {
    if (file.contains("checkpoint"))
      throw InputError(path +
                       ": a meta-training checkpoint, not a model; give the file of "
                       "meta_train.model instead");
    throw InputError(path + ": not an l2o learned-optimizer model (no /model group)");
  }
  const Hdf5Group model = file.open_group("model");
  const std::string method = model.string_attribute("method");
  if (method == kL2lMethod) return read_l2l_model(model);
  if (method == kPsdMethod) return std::make_unique<PsdOptimizer>(read_gps_model(model));
  throw InputError(model.where("") + "@method = \"" + method +
                   "\": unknown learned-optimizer method (known: l2l, psd)");
}

}  // namespace l2o
