#pragma once
// The files of a meta-training run and the rules shared by every method (l2l, gps): where the
// checkpoint and the model go, when a checkpoint may be continued (--resume) or must not be
// overwritten, and that a resumed run has the training configuration of its checkpoint.
#include <string>

#include "io/config.hpp"
#include "io/hdf5_file.hpp"

namespace l2o {

/// meta_train.checkpoint and meta_train.model of a run.
struct MetaTrainFiles {
  std::string checkpoint;
  std::string model;
};

/// The run's files, checked before any work: distinct paths, their directories created and
/// writable, a checkpoint present with `resume` and absent without it. Throws InputError (one
/// line naming the key and the fix) otherwise.
MetaTrainFiles prepare_meta_train_files(const Config& config, bool resume);

/// Opens the checkpoint `path` to resume it under `config`: throws InputError unless it is an
/// HDF5 file holding /checkpoint of the run's method and its stored configuration (/meta/config)
/// has the same value of every key that determines the training numbers (task, run.seed,
/// meta_train.method, meta_train.cost_examples and the method's section except its length,
/// l2l.episodes or gps.iterations, and the gps.imitation_* keys, which meta_train_es checks once
/// the imitation phase has started). Returns the root.
Hdf5Group open_checkpoint_to_resume(const std::string& path, const Config& config);

}  // namespace l2o
