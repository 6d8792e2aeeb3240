#include "app/tune_refinement.hpp"

#include <filesystem>

#include "app/config_difference.hpp"
#include "eval/run_record_io.hpp"
#include "io/hdf5_file.hpp"
#include "util/error.hpp"

namespace l2o {

UnitRecords read_coarse_tune(const Config& config, std::int64_t units, std::int64_t seeds,
                             const std::function<bool(const std::string&)>& determines_coarse) {
  const std::string path = config.string("tune.refine");
  const std::string key = "tune.refine = \"" + path + "\": ";
  if (!std::filesystem::is_regular_file(path))
    throw InputError(key + "no such file; run the coarse `l2o tune` first (its run.output)");
  try {
    const Hdf5Group file = open_hdf5_for_reading(path);
    if (!file.contains("meta") || !file.contains("settings") ||
        file.open_group("meta").string_attribute("subcommand") != "tune")
      throw InputError(key + "not an `l2o tune` output; give the coarse tune's run.output");
    const Config coarse =
        Config::from_toml(file.open_group("meta").read_string("config"), path + ":/meta/config");
    if (!coarse.string("tune.refine").empty())
      throw InputError(key + "is itself a refinement (of \"" + coarse.string("tune.refine") +
                       "\"); give the coarse tune's run.output");
    const std::string differing = first_differing_key(coarse, config, determines_coarse);
    if (!differing.empty())
      throw InputError(key + "made with another " + differing +
                       "; refine a coarse tune of the same task, seeds and grid (compare " + path +
                       ":/meta/config)");
    UnitRecords records;
    const Hdf5Group settings = file.open_group("settings");
    for (std::int64_t unit = 0; unit < units; ++unit)
      records[unit] = read_run_record(settings.open_group(indexed_name("setting", unit / seeds))
                                          .open_group(indexed_name("run", unit % seeds)));
    return records;
  } catch (const InputError& e) {
    const std::string what = e.what();
    if (what.starts_with(key)) throw;
    throw InputError(key + what + "; give an intact coarse tune output");
  }
}

}  // namespace l2o
