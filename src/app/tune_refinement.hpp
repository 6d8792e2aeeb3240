#pragma once
// The coarse result a refinement tune starts from (tune.refine, issue 19 item 5): the runs of an
// earlier `l2o tune` of the same task, seeds and grid, read back as finished units of the
// refinement's sweep. Its settings come first in the refinement's list, in the same order, so its
// unit u (setting u / seeds, seed index u mod seeds) is the refinement's unit u too.
#include <cstdint>
#include <functional>
#include <string>

#include "eval/sweep.hpp"
#include "io/config.hpp"

namespace l2o {

/// The records of the coarse output named by `config`'s tune.refine, units 0..units-1. Throws
/// InputError, one line naming tune.refine and the fix, if the file is missing or not an
/// `l2o tune` output, is itself a refinement, lacks a run, or was made with another value of a
/// key for which `determines_coarse(key)` holds (the error names that key). Read on every rank,
/// as every input (the file system is shared).
UnitRecords read_coarse_tune(const Config& config, std::int64_t units, std::int64_t seeds,
                             const std::function<bool(const std::string&)>& determines_coarse);

}  // namespace l2o
