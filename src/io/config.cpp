#include "io/config.hpp"

#include <toml++/toml.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "util/error.hpp"

namespace l2o {
namespace {

std::string position(const std::string& origin, const toml::source_region& source) {
  if (source.begin.line == 0) return origin;
  return origin + ":" + std::to_string(source.begin.line) + ":" +
         std::to_string(source.begin.column);
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "a list";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date/time";
  }
}

std::string format_double(double v) {
  // The shortest %g form that reads back as the same double (0.9, not 0.90000000000000002).
  char buffer[40];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, v);
    if (std::strtod(buffer, nullptr) == v) break;
  }
  std::string text = buffer;
  // Keep it a TOML float (1 -> 1.0), and spell infinities the TOML way.
  if (text == "inf") return "inf";
  if (text == "-inf") return "-inf";
  if (text.find_first_of(".en") == std::string::npos) text += ".0";
  return text;
}

// A TOML basic string: quotes, backslashes and control characters escaped (TOML 1.0 forbids
// them raw), so any accepted string value prints back as valid TOML.
std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", byte);
      out += escape;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// A TOML key: bare when it may be (letters, digits, '_' and '-'), else quoted.
std::string toml_key(const std::string& name) {
  const bool bare = !name.empty() && name.find_first_not_of(
                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789_-") == std::string::npos;
  return bare ? name : quote(name);
}

std::string format_value(const KeyValue& v) {
  struct Visitor {
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return format_double(d); }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(const std::string& s) const { return quote(s); }
    std::string operator()(const std::vector<std::int64_t>& list) const {
      std::string out = "[";
      for (std::size_t i = 0; i < list.size(); ++i)
        out += (i ? ", " : "") + std::to_string(list[i]);
      return out + "]";
    }
    std::string operator()(const std::vector<std::string>& list) const {
      std::string out = "[";
      for (std::size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + quote(list[i]);
      return out + "]";
    }
    std::string operator()(const std::vector<double>& list) const {
      std::string out = "[";
      for (std::size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + format_double(list[i]);
      return out + "]";
    }
    std::string operator()(const NumberTable& table) const {
      std::string out = "{";
      for (const auto& [name, value] : table)
        out += (out.size() > 1 ? ", " : " ") + toml_key(name) + " = " + format_double(value);
      return out + (table.empty() ? "}" : " }");
    }
  };
  return std::visit(Visitor{}, v);
}

// Converts a TOML node to the spec's type, or throws naming where, what and what is allowed.
KeyValue validated(const KeySpec& spec, const toml::node& node, const std::string& where) {
  const std::string allowed = spec.key + " must be " + describe_allowed(spec);
  auto fail = [&](const std::string& got) -> KeyValue {
    throw InputError(where + ": " + allowed + ", got " + got);
  };
  auto in_range = [&](double v) { return !spec.has_range || (v >= spec.min && v <= spec.max); };
  switch (spec.type) {
    case KeyType::integer: {
      const auto v = node.value<std::int64_t>();
      if (!node.is_integer() || !v) return fail(type_name(node));
      if (!in_range(static_cast<double>(*v))) return fail(std::to_string(*v));
      return *v;
    }
    case KeyType::real: {
      if (!node.is_number()) return fail(type_name(node));
      const double v = *node.value<double>();
      if (!in_range(v)) return fail(format_double(v));
      return v;
    }
    case KeyType::boolean:
      if (!node.is_boolean()) return fail(type_name(node));
      return *node.value<bool>();
    case KeyType::string: {
      if (!node.is_string()) return fail(type_name(node));
      std::string v = *node.value<std::string>();
      if (!is_allowed_choice(spec, v)) return fail(quote(v));
      return v;
    }
    case KeyType::integer_list: {
      const auto* array = node.as_array();
      if (array == nullptr || array->empty())
        return fail(array ? "an empty list" : type_name(node));
      std::vector<std::int64_t> list;
      for (const auto& element : *array) {
        if (!element.is_integer()) return fail("a list containing " + type_name(element));
        const auto v = *element.value<std::int64_t>();
        if (!in_range(static_cast<double>(v))) return fail("an element " + std::to_string(v));
        list.push_back(v);
      }
      return list;
    }
    case KeyType::string_list: {
      const auto* array = node.as_array();
      if (array == nullptr || (array->empty() && !spec.allow_empty))
        return fail(array ? "an empty list" : type_name(node));
      std::vector<std::string> list;
      for (const auto& element : *array) {
        if (!element.is_string()) return fail("a list containing " + type_name(element));
        std::string v = *element.value<std::string>();
        if (!is_allowed_choice(spec, v)) return fail("an element " + quote(v));
        list.push_back(std::move(v));
      }
      return list;
    }
    case KeyType::real_list: {
      const auto* array = node.as_array();
      if (array == nullptr || (array->empty() && !spec.allow_empty))
        return fail(array ? "an empty list" : type_name(node));
      std::vector<double> list;
      for (const auto& element : *array) {
        if (!element.is_number()) return fail("a list containing " + type_name(element));
        const double v = *element.value<double>();
        if (!in_range(v)) return fail("an element " + format_double(v));
        list.push_back(v);
      }
      return list;
    }
    case KeyType::number_table: {
      const auto* table = node.as_table();
      if (table == nullptr) return fail(type_name(node));
      NumberTable numbers;
      for (const auto& [name, element] : *table) {
        if (!element.is_number() && !element.is_boolean())
          return fail(std::string(name.str()) + " = " + type_name(element));
        numbers[std::string(name.str())] =
            element.is_boolean() ? (*element.value<bool>() ? 1.0 : 0.0) : *element.value<double>();
      }
      return numbers;
    }
  }
  return fail("an unsupported value");
}

bool is_section_prefix(const std::string& path) {
  for (const auto& spec : config_schema())
    if (spec.key.starts_with(path + ".")) return true;
  return false;
}

void overlay(std::map<std::string, KeyValue>& values, const toml::table& table,
             const std::string& prefix, const std::string& origin) {
  for (const auto& [name, node] : table) {
    const std::string key =
        prefix.empty() ? std::string(name.str()) : prefix + "." + std::string(name.str());
    const std::string where =
        position(origin, name.source().begin.line ? name.source() : node.source());
    const KeySpec* spec = find_key(key);
    if (const auto* sub = node.as_table();
        sub != nullptr && spec == nullptr && is_section_prefix(key)) {
      overlay(values, *sub, key, origin);
      continue;
    }
    if (spec == nullptr)
      throw InputError(where + ": unknown key '" + key + "'; did you mean '" + closest_key(key) +
                       "'?");
    values[key] = validated(*spec, node, where);
  }
}

toml::table parse_toml(const std::string& text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw InputError(position(origin, e.source()) +
                     ": invalid TOML: " + std::string(e.description()));
  }
}

}  // namespace

Config::Config() {
  for (const auto& spec : config_schema()) values_[spec.key] = spec.default_value;
}

Config Config::from_toml(const std::string& text, const std::string& origin) {
  Config config;
  overlay(config.values_, parse_toml(text, origin), "", origin);
  return config;
}

Config Config::from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open config file; check the path");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw InputError(path + ": config file is empty; start from `l2o config --defaults`");
  return from_toml(text, path);
}

void Config::apply_override(const std::string& assignment) {
  const auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0)
    throw InputError("--set " + assignment + ": expected section.key=value");
  const std::string key = assignment.substr(0, equals);
  const std::string raw = assignment.substr(equals + 1);
  const KeySpec* spec = find_key(key);
  if (spec == nullptr)
    throw InputError("--set " + assignment + ": unknown key '" + key + "'; did you mean '" +
                     closest_key(key) + "'?");
  // The value in TOML syntax; a bare word for a string key is taken literally (--set
  // run.output=x.h5).
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + raw);
  } catch (const toml::parse_error&) {
    if (spec->type != KeyType::string)
      throw InputError("--set " + assignment + ": " + spec->key + " must be " +
                       describe_allowed(*spec) + ", got '" + raw + "'");
    parsed.insert("v", raw);
  }
  values_[key] = validated(*spec, *parsed.get("v"), "--set " + assignment);
}

const KeyValue& Config::value(const std::string& key) const {
  const auto it = values_.find(key);
  if (it == values_.end()) throw std::logic_error("config key not in schema: " + key);
  return it->second;
}

std::int64_t Config::integer(const std::string& key) const {
  return std::get<std::int64_t>(value(key));
}
double Config::real(const std::string& key) const {
  return std::get<double>(value(key));
}
bool Config::boolean(const std::string& key) const {
  return std::get<bool>(value(key));
}
const std::string& Config::string(const std::string& key) const {
  return std::get<std::string>(value(key));
}
const std::vector<std::int64_t>& Config::integers(const std::string& key) const {
  return std::get<std::vector<std::int64_t>>(value(key));
}
const NumberTable& Config::numbers(const std::string& key) const {
  return std::get<NumberTable>(value(key));
}
const std::vector<std::string>& Config::strings(const std::string& key) const {
  return std::get<std::vector<std::string>>(value(key));
}
const std::vector<double>& Config::reals(const std::string& key) const {
  return std::get<std::vector<double>>(value(key));
}

void Config::set(const std::string& key, KeyValue v) {
  (void)value(key);
  values_[key] = std::move(v);
}

std::string Config::to_toml() const {
  std::string out, section;
  for (const auto& spec : config_schema()) {
    const auto dot = spec.key.find('.');
    const std::string this_section = spec.key.substr(0, dot);
    if (this_section != section) {
      out += (out.empty() ? "[" : "\n[") + this_section + "]\n";
      section = this_section;
    }
    out += spec.key.substr(dot + 1) + " = " + format_value(values_.at(spec.key)) + "\n";
  }
  return out;
}

std::string defaults_documentation() {
  std::string out = "# l2o configuration: every key, its default and meaning.\n", section;
  for (const auto& spec : config_schema()) {
    const auto dot = spec.key.find('.');
    const std::string this_section = spec.key.substr(0, dot);
    if (this_section != section) {
      out += "\n[" + this_section + "]\n";
      section = this_section;
    }
    out += "# " + spec.meaning + " (" + describe_allowed(spec) + ")\n";
    out += spec.key.substr(dot + 1) + " = " + format_value(spec.default_value) + "\n";
  }
  return out;
}

}  // namespace l2o
