#include "app/meta_train_files.hpp"

#include <filesystem>

#include "app/config_difference.hpp"
#include "app/provenance.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

// Keys that determine the numbers of a meta-training run by `method`: a checkpoint is only
// resumed under the same values. The run's length may grow (train longer); paths, data.dir and
// reporting may change, and so may the other method's section.
bool determines_training(const std::string& key, const std::string& method) {
  // Run lengths: a resumed run may be extended. The ES path's imitation schedule may change until
  // its phase starts (meta_train_es.cpp checks it after), so one psi serves several imitations.
  if (key == "l2l.episodes" || key == "gps.iterations" || key.starts_with("gps.imitation_"))
    return false;
  if (key == "gps.es_model") return false;  // an output path, like meta_train.model
  return key.starts_with("task.") || key.starts_with(method + ".") || key == "run.seed" ||
         key == "meta_train.method" || key == "meta_train.cost_examples";
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
  Hdf5Group file = [&] {
    try {
      return open_hdf5_for_reading(path);
    } catch (const InputError& e) {
      throw InputError("--resume: " + std::string(e.what()) + "; check meta_train.checkpoint");
    }
  }();
  if (!file.contains("checkpoint"))
    throw InputError("--resume: \"" + path + "\" is not a meta-training checkpoint" +
                     (file.contains("model") ? " but a model file" : "") +
                     "; check meta_train.checkpoint");
  // The method first: a checkpoint of the other method differs in many keys, this names the fix.
  const std::string method = config.string("meta_train.method");
  const std::string stored_method = file.open_group("checkpoint").string_attribute("method");
  if (stored_method != method)
    throw InputError("--resume: checkpoint \"" + path + "\" is of method " + stored_method +
                     ", this run uses " + method + "; resume it with --method " + stored_method +
                     " and its configuration (" + path + ":/meta/config)");
  const Config stored =
      Config::from_toml(file.open_group("meta").read_string("config"), path + ":/meta/config");
  const std::string key = first_differing_key(
      stored, config, [&](const std::string& k) { return determines_training(k, method); });
  if (!key.empty())
    throw InputError("--resume: checkpoint \"" + path + "\" was made with another " + key +
                     "; resume with its configuration (" + path +
                     ":/meta/config) or start afresh without --resume");
  return file;
}

}  // namespace l2o
