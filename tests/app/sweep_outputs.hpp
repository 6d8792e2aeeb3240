#pragma once
// Comparing the run records of `l2o tune` and `l2o evaluate` outputs (and progress files):
// everything but the wall time agrees bitwise between runs of one configuration.
#include <catch2/catch.hpp>

#include "eval/run_record_io.hpp"
#include "io/hdf5_file.hpp"

namespace l2o::test {

/// Two records of the same run agree bitwise, wall time aside.
inline void check_same_record(const RunRecord& a, const RunRecord& b) {
  CHECK(a.recorded_iterations == b.recorded_iterations);
  CHECK(a.true_objective == b.true_objective);
  CHECK(a.minibatch_objective == b.minibatch_objective);
  CHECK(a.evaluations == b.evaluations);
  CHECK(a.diverged_at == b.diverged_at);
}

/// Two run groups (/.../run_NNNN) agree: the record and the seed.
inline void check_same_run(const Hdf5Group& a, const Hdf5Group& b) {
  INFO(a.where("") << " vs " << b.where(""));
  check_same_record(read_run_record(a), read_run_record(b));
  CHECK(a.integer_attribute("seed") == b.integer_attribute("seed"));
}

}  // namespace l2o::test
