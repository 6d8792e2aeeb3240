#include "app/meta_train_files.hpp"

#include <filesystem>

#include "app/provenance.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

// Keys that determine the numbers of a meta-training run by `method`: a checkpoint is only
// resumed under the same values. The run's length may grow (train longer); paths, data.dir and
// reporting may change, and so may the other method's section.
bool determines_training(const std::string& key, const std::string& method) {
  if (key == "l2l.episodes" || key == "gps.iterations") return false;
  return key.starts_with("task.") || key.starts_with(method + ".") || key == "run.seed" ||
         key == "meta_train.method" || key == "meta_train.cost_examples";
}

bool same_value(const Config& a, const Config& b, const KeySpec& spec) {
  switch (spec.type) {
    case KeyType::integer:
      return a.integer(spec.key) == b.integer(spec.key);
    case KeyType::real:
      return a.real(spec.key) == b.real(spec.key);
    case KeyType::boolean:
      return a.boolean(spec.key) == b.boolean(spec.key);
    case KeyType::string:
      return a.string(spec.key) == b.string(spec.key);
    case KeyType::integer_list:
      return a.integers(spec.key) == b.integers(spec.key);
    case KeyType::number_table:
      return a.numbers(spec.key) == b.numbers(spec.key);
    case KeyType::string_list:
      return a.strings(spec.key) == b.strings(spec.key);
    case KeyType::real_list:
      return a.reals(spec.key) == b.reals(spec.key);
  }
  return false;
}

}  // namespace

MetaTrainFiles prepare_meta_train_files(const Config& config, bool resume) {
  MetaTrainFiles files{config.string("meta_train.checkpoint"), config.string("meta_train.model")};
  if (std::filesystem::absolute(files.checkpoint) == std::filesystem::absolute(files.model))
    throw InputError("meta_train.checkpoint and meta_train.model are the same file \"" +
                     files.model + "\"; give them different paths");
  prepare_output_directory(files.checkpoint, "meta_train.checkpoint");
  prepare_output_directory(files.model, "meta_train.model");
  const bool have_checkpoint = std::filesystem::exists(files.checkpoint);
  if (resume && !have_checkpoint)
    throw InputError("--resume: no checkpoint \"" + files.checkpoint +
                     "\" (meta_train.checkpoint); run without --resume to start training");
  if (!resume && have_checkpoint)
    throw InputError("meta_train.checkpoint = \"" + files.checkpoint +
                     "\" exists; continue it with --resume, or delete it to start afresh");
  return files;
}

Hdf5Group open_checkpoint_to_resume(const std::string& path, const Config& config) {
  Hdf5Group file = open_hdf5_for_reading(path);
  if (!file.contains("checkpoint"))
    throw InputError("--resume: \"" + path + "\" is not a meta-training checkpoint" +
                     (file.contains("model") ? " but a model file" : "") +
                     "; check meta_train.checkpoint");
  const Config stored =
      Config::from_toml(file.open_group("meta").read_string("config"), path + ":/meta/config");
  const std::string method = config.string("meta_train.method");
  for (const auto& spec : config_schema())
    if (determines_training(spec.key, method) && !same_value(stored, config, spec))
      throw InputError("--resume: checkpoint \"" + path + "\" was made with another " + spec.key +
                       "; resume with its configuration (" + path +
                       ":/meta/config) or start afresh without --resume");
  return file;
}

}  // namespace l2o
