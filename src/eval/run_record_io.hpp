#pragma once
// Moving RunRecords between ranks (as flat doubles) and into HDF5 groups.
#include <vector>

#include "eval/run_optimizer.hpp"
#include "io/hdf5_file.hpp"

namespace l2o {

/// Appends `record` to `buffer` in a self-delimiting flat form (exact: integers < 2^53).
void pack_run_record(const RunRecord& record, std::vector<double>& buffer);

/// Reads one record packed by pack_run_record starting at `position`, advancing it.
RunRecord unpack_run_record(const std::vector<double>& buffer, std::size_t& position);

/// Writes the record's datasets and attributes into `group` (layout: docs/hdf5-layout.md).
void write_run_record(const Hdf5Group& group, const RunRecord& record);

/// Reads a record written by write_run_record.
RunRecord read_run_record(const Hdf5Group& group);

}  // namespace l2o
