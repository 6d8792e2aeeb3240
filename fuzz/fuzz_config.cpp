// libFuzzer target: TOML text through the config parser with schema validation
// (Config::from_toml, as `l2o ... --config FILE` reads it).
// Bad text must give InputError. An accepted config must survive its own round trip: to_toml()
// parses back to the same config (what `l2o config --resolved` and every result's /meta/config
// rely on). Anything else (another exception, a crash, a sanitizer report, a failed round trip)
// is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "io/config.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string resolved;
  try {
    resolved = l2o::Config::from_toml(text, "fuzz.toml").to_toml();
  } catch (const l2o::InputError&) {
    return 0;
  }
  try {
    if (l2o::Config::from_toml(resolved, "resolved.toml").to_toml() != resolved) {
      std::fprintf(stderr, "round trip changed the config:\n%s", resolved.c_str());
      std::abort();
    }
  } catch (const l2o::InputError& e) {
    // An accepted config printed as TOML that the parser rejects.
    std::fprintf(stderr, "%s\nin the resolved config:\n%s", e.what(), resolved.c_str());
    std::abort();
  }
  return 0;
}
