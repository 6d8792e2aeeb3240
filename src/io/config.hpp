#pragma once
// A run's configuration: the schema's defaults, overlaid by one TOML file, overlaid by command
// line `--set section.key=value` assignments. Every key is validated on the way in; errors are
// one line naming the file (or --set), line, key and what is allowed.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "io/config_schema.hpp"

namespace l2o {

/// A fully resolved, validated configuration.
class Config {
 public:
  /// Every key at its default.
  Config();
  /// Defaults overlaid by the TOML file `path`.
  static Config from_file(const std::string& path);
  /// Parses and validates TOML text; `origin` names it in errors.
  static Config from_toml(const std::string& text, const std::string& origin);

  /// Applies one "section.key=value" assignment (value in TOML syntax; bare words are strings).
  void apply_override(const std::string& assignment);

  [[nodiscard]] std::int64_t integer(const std::string& key) const;
  [[nodiscard]] double real(const std::string& key) const;
  [[nodiscard]] bool boolean(const std::string& key) const;
  [[nodiscard]] const std::string& string(const std::string& key) const;
  [[nodiscard]] const std::vector<std::int64_t>& integers(const std::string& key) const;
  [[nodiscard]] const NumberTable& numbers(const std::string& key) const;
  [[nodiscard]] const std::vector<std::string>& strings(const std::string& key) const;
  [[nodiscard]] const std::vector<double>& reals(const std::string& key) const;

  /// Overrides a value from code (e.g. a command-line flag that maps to a key).
  void set(const std::string& key, KeyValue value);

  /// The resolved configuration as TOML text, every key present, doubles round-trip exact.
  [[nodiscard]] std::string to_toml() const;

 private:
  const KeyValue& value(const std::string& key) const;
  std::map<std::string, KeyValue> values_;
};

/// The schema as commented TOML: every key with its default, meaning and allowed values.
std::string defaults_documentation();

}  // namespace l2o
