#include "app/config_difference.hpp"

namespace l2o {
namespace {

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

std::string first_differing_key(const Config& a, const Config& b,
                                const std::function<bool(const std::string&)>& matters) {
  for (const auto& spec : config_schema())
    if (matters(spec.key) && !same_value(a, b, spec)) return spec.key;
  return "";
}

}  // namespace l2o
