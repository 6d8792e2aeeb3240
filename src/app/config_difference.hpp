#pragma once
// Whether a saved run state (a meta-training checkpoint, a sweep's progress file) may be continued
// under the current configuration: the values of the keys that determine its numbers must agree
// with those stored in the file's /meta/config.
#include <functional>
#include <string>

#include "io/config.hpp"

namespace l2o {

/// The first key of the schema (schema order) for which `matters(key)` holds and `a` and `b`
/// hold different values; "" if they agree on every such key.
std::string first_differing_key(const Config& a, const Config& b,
                                const std::function<bool(const std::string&)>& matters);

}  // namespace l2o
