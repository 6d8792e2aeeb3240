#pragma once
// psi of the ES path in HDF5 (docs/hdf5-layout.md, "/model" with method "es"): the delivered
// controller of `l2o meta-train` with gps.local_optimizer = "es" and the centre of its checkpoint.
//   @method "es", @base_rate, @second_moment_weight, @epsilon
//   knot_times [K], log_rate [G x K], momentum [G], decay [G]
#include "gps/es/es_controller.hpp"
#include "io/hdf5_file.hpp"

namespace l2o {

/// /model@method of an ES controller.
inline constexpr const char* kEsMethod = "es";

/// Writes `psi` into `group` (method attribute included).
void write_es_controller(const Hdf5Group& group, const EsController& psi);

/// Reads a controller written by write_es_controller. Throws InputError naming the file and
/// dataset for a missing part, a wrong shape or out-of-range value.
EsController read_es_controller(const Hdf5Group& group);

}  // namespace l2o
