// EarliestError (util/earliest_error.hpp): after a parallel loop, the exception of the lowest
// failing index is rethrown with its own type, whatever order the failures happened in.
#include <catch2/catch.hpp>
#include <stdexcept>

#include "util/earliest_error.hpp"

namespace {

struct EarlyFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace

TEST_CASE("earliest error: the lowest failing index wins, with its type", "[util]") {
  l2o::EarliestError errors(4);
  bool ran = false;
  // Index 3 fails before index 1 (as a faster thread would), index 2 succeeds.
  errors.run(3, [] { throw std::invalid_argument("index 3"); });
  errors.run(2, [&] { ran = true; });
  errors.run(1, [] { throw EarlyFailure("index 1"); });
  CHECK(ran);
  REQUIRE_THROWS_AS(errors.rethrow(), EarlyFailure);
  REQUIRE_THROWS_WITH(errors.rethrow(), "index 1");
}

TEST_CASE("earliest error: nothing to rethrow when no index failed", "[util]") {
  l2o::EarliestError errors(2);
  errors.run(0, [] {});
  CHECK_NOTHROW(errors.rethrow());
}
