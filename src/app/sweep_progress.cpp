#include "app/sweep_progress.hpp"

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "app/config_difference.hpp"
#include "app/provenance.hpp"
#include "app/stop_request.hpp"
#include "eval/run_record_io.hpp"
#include "io/hdf5_file.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

// The first line in which two "name: value" texts differ, as its name ("" if none).
std::string first_differing_input(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  std::string la, lb;
  while (true) {
    const bool more_a = static_cast<bool>(std::getline(sa, la));
    const bool more_b = static_cast<bool>(std::getline(sb, lb));
    if (!more_a && !more_b) return "";
    if (!more_a || !more_b || la != lb) {
      const std::string& line = more_b ? lb : la;
      return line.substr(0, line.find(':'));
    }
  }
}

}  // namespace

SweepProgress::SweepProgress(const std::string& output, SweepIdentity identity,
                             const Config& config, std::string command_line, int ranks, bool resume)
    : path_(output + ".progress.h5"),
      identity_(std::move(identity)),
      config_(config),
      command_line_(std::move(command_line)),
      ranks_(ranks) {
  if (!resume) return;
  const std::string fix = "; resume with its configuration (" + path_ +
                          ":/meta/config) or start afresh without --resume";
  if (!std::filesystem::exists(path_))
    throw InputError("--resume: no progress file \"" + path_ + "\" (of run.output); run without " +
                     "--resume to start the " + identity_.subcommand);
  const Hdf5Group file = [&] {
    try {
      return open_hdf5_for_reading(path_);
    } catch (const InputError& e) {
      throw InputError("--resume: " + std::string(e.what()) + "; delete it or check run.output");
    }
  }();
  if (!file.contains("progress") || !file.contains("meta") ||
      file.open_group("progress").string_attribute("subcommand") != identity_.subcommand)
    throw InputError("--resume: \"" + path_ + "\" is not a progress file of l2o " +
                     identity_.subcommand + "; check run.output or delete the file");
  const Config stored =
      Config::from_toml(file.open_group("meta").read_string("config"), path_ + ":/meta/config");
  const std::string key = first_differing_key(stored, config_, identity_.determines);
  if (!key.empty())
    throw InputError("--resume: progress file \"" + path_ + "\" was made with another " + key +
                     fix);
  const Hdf5Group progress = file.open_group("progress");
  const std::string input = first_differing_input(progress.read_string("inputs"), identity_.inputs);
  if (!input.empty())
    throw InputError("--resume: progress file \"" + path_ + "\" was made with another " + input +
                     fix);
  for (std::int64_t unit = 0; unit < identity_.units; ++unit) {
    const std::string name = indexed_name("unit", unit);
    if (progress.contains(name)) finished_[unit] = read_run_record(progress.open_group(name));
  }
  resumed_ = static_cast<std::int64_t>(finished_.size());
}

std::string SweepProgress::resume_note() const {
  if (resumed_ == 0) return "";
  return ", resuming " + std::to_string(resumed_) + " finished runs from " + path_;
}

void SweepProgress::save_after_round(const UnitRecords& finished, bool last) {
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_save_end_).count();
  if (!last && last_save_seconds_ >= 0.0 && since < 19.0 * last_save_seconds_) return;
  save(finished);
  last_save_end_ = std::chrono::steady_clock::now();
  last_save_seconds_ = std::chrono::duration<double>(last_save_end_ - now).count();
}

void SweepProgress::save(const UnitRecords& finished) const {
  AtomicHdf5File file(path_);
  write_provenance(file.root(), config_, command_line_, identity_.subcommand, ranks_);
  const Hdf5Group progress = file.root().create_group("progress");
  progress.set_attribute("subcommand", identity_.subcommand);
  progress.set_attribute("units", identity_.units);
  progress.set_attribute("finished", static_cast<std::int64_t>(finished.size()));
  progress.write_string("inputs", identity_.inputs);
  for (const auto& [unit, record] : finished)
    write_run_record(progress.create_group(indexed_name("unit", unit)), record);
  file.commit();
}

void SweepProgress::remove() const {
  std::error_code error;
  std::filesystem::remove(path_, error);
  if (error) throw SystemError("cannot delete \"" + path_ + "\": " + error.message());
}

int run_saved_sweep(SweepProgress& saved, const MpiSession& mpi, const UnitRunner& run_unit) {
  const int signal = run_sweep(
      saved.units(), saved.finished(), mpi.rank(), mpi.size(), run_unit, stop_request_signal,
      [&](const UnitRecords& finished, bool last) { saved.save_after_round(finished, last); });
  if (signal != 0 && mpi.is_root())
    std::fprintf(stderr,
                 "l2o: stop requested (signal %d): progress \"%s\" written after %zu of %lld runs; "
                 "continue with --resume (exit %d)\n",
                 signal, saved.path().c_str(), saved.finished().size(),
                 static_cast<long long>(saved.units()), kExitStopped);
  return signal;
}

}  // namespace l2o
