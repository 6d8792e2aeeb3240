#pragma once
// Every configuration key l2o understands, with its type, default, allowed range and meaning.
// One table for all subcommands, so `l2o config --defaults` documents everything and a typo
// anywhere gets the closest valid key.
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace l2o {

/// The value types a key may hold.
enum class KeyType {
  integer,
  real,
  boolean,
  string,
  integer_list,
  number_table,
  string_list,
  real_list
};

/// A default value of any KeyType.
using NumberTable = std::map<std::string, double>;
using KeyValue = std::variant<std::int64_t, double, bool, std::string, std::vector<std::int64_t>,
                              NumberTable, std::vector<std::string>, std::vector<double>>;

/// One documented key "section.name".
struct KeySpec {
  std::string key;
  KeyType type;
  KeyValue default_value;
  std::string meaning;
  double min = 0, max = 0;  ///< inclusive range for numbers (and list elements)
  bool has_range = false;
  /// Allowed strings (and string-list elements), if restricted; "prefix:<what>" allows
  /// "prefix:" followed by any non-empty text.
  std::vector<std::string> choices;
  bool allow_empty = false;  ///< a list key that may be [] (an optional list)
};

/// The full schema.
const std::vector<KeySpec>& config_schema();

/// True if `value` is one of `spec.choices` (any value if there are none).
bool is_allowed_choice(const KeySpec& spec, const std::string& value);

/// The spec of `key`, or nullptr.
const KeySpec* find_key(const std::string& key);

/// The valid key closest to `key` (edit distance), for "did you mean" messages.
std::string closest_key(const std::string& key);

/// "an integer in [1, 100000]" style description of what a key accepts.
std::string describe_allowed(const KeySpec& spec);

}  // namespace l2o
