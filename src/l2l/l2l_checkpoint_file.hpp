#pragma once
// L2L meta-training state in an HDF5 group (docs/hdf5-layout.md, "/checkpoint"): everything
// L2lTrainer needs to continue bitwise identically (phi, Adam's moments and step count, episode
// counter, best phi, histories). Numbers are stored exactly (doubles and int64).
#include "io/hdf5_file.hpp"
#include "l2l/l2l_training.hpp"

namespace l2o {

/// Writes @method = "l2l", the LSTM shape and the state's datasets and attributes.
void write_l2l_checkpoint(const Hdf5Group& group, const L2lTrainerState& state);

/// The state stored by write_l2l_checkpoint. Throws InputError naming the file and object if the
/// method is not "l2l", and, ending with kDamagedCheckpoint's fix, if the shape differs from
/// `shape` (l2o's L2L network is fixed) or a dataset or attribute is missing or of the wrong
/// length. (Whether it fits the schedule is L2lTrainer::import_state's check.)
L2lTrainerState read_l2l_checkpoint(const Hdf5Group& group, const LstmShape& shape);

}  // namespace l2o
