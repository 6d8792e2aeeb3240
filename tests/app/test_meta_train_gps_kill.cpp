// `l2o meta-train --method gps` killed with SIGKILL inside its phases (gps-spec.md §12 step 10)
// and continued ends bitwise identical to an uninterrupted run: the kills land during the
// initial controller, in iteration 0 before any checkpoint exists (the next run starts afresh),
// in the middle of an iteration, and while a checkpoint is being written (its temporary file
// stays behind). No file ever carries its final name half-written.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "app/gps_tiny_run.hpp"
#include "app/meta_train_runs.hpp"
#include "io/hdf5_file.hpp"

namespace {

namespace fs = std::filesystem;
using l2o::test::files_below;
using l2o::test::is_temporary;
using l2o::test::wait_until;

// How far a run has come, from its progress lines: the header line ends set-up and the initial
// controller; one "[meta-train] k/n iteration i:" line follows each checkpointed iteration.
struct RunProgress {
  bool started_iterations = false;
  int iterations_checkpointed = 0;
};

std::string log_of(const fs::path& dir) {
  std::ifstream in(dir / "log.txt");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

RunProgress progress_of(const fs::path& dir) {
  const std::string text = log_of(dir);
  static const std::regex iteration_line(R"(\[meta-train\] \d+/\d+ iteration \d+:)");
  RunProgress progress;
  progress.started_iterations = text.find("[meta-train] gps on ") != std::string::npos;
  progress.iterations_checkpointed = static_cast<int>(std::distance(
      std::sregex_iterator(text.begin(), text.end(), iteration_line), std::sregex_iterator()));
  return progress;
}

// The command line of the run in `dir` with progress lines, continuing its checkpoint if any
// (as jobs/meta_train.sbatch does: --resume without a checkpoint is an error). 16 pilot rollouts
// per grid point stretch the initial controller to about a CPU second, several times the
// run-to-run jitter of set-up, so that a kill can be aimed into it.
std::string gps_run(const fs::path& dir) {
  const bool resume = fs::exists(dir / "checkpoint.h5");
  return l2o::test::meta_train_arguments(
      dir, std::string(" --set gps.initial_pilot_rollouts=16") + (resume ? " --resume" : ""),
      false);
}

// The iteration a run in `dir` starts at: the checkpoint's, 0 without one.
int first_iteration(const fs::path& dir) {
  if (!fs::exists(dir / "checkpoint.h5")) return 0;
  return static_cast<int>(l2o::open_hdf5_for_reading((dir / "checkpoint.h5").string())
                              .open_group("checkpoint")
                              .integer_attribute("iteration"));
}

// No half-written file under a final name: every .h5 file that is not a temporary one opens and
// holds /meta (checkpoint.h5 and model.h5 also their group).
void check_final_files_complete(const fs::path& dir) {
  l2o::test::check_absent_or_complete(dir / "checkpoint.h5", "checkpoint");
  l2o::test::check_absent_or_complete(dir / "model.h5", "model");
  for (const std::string& name : files_below(dir))
    if (fs::path(name).extension() == ".h5" && !is_temporary(name))
      l2o::test::check_absent_or_complete(dir / name, "meta");
}

// The previous run's log goes first: its lines must not be taken for the new run's.
pid_t spawn(const fs::path& dir) {
  fs::remove(dir / "log.txt");
  return l2o::test::spawn_l2o(gps_run(dir), dir / "log.txt");
}

// CPU seconds the process `pid` has used so far, all threads (/proc/<pid>/stat: utime and
// stime, fields 14 and 15). Kill points are placed in CPU time, which a loaded machine stretches
// far less than wall time.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto name_end = text.rfind(')');  // the command name may hold spaces
  if (name_end == std::string::npos) return 0.0;
  std::istringstream fields(text.substr(name_end + 1));
  std::string skipped;
  for (int field = 3; field <= 13; ++field) fields >> skipped;
  double user = 0.0, system = 0.0;
  fields >> user >> system;
  return (user + system) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// When the phases of the uninterrupted run ended, in CPU seconds of its process.
struct Timeline {
  double set_up = 0.0;             ///< loading and the cost set (a run with nothing left to do)
  double initial_controller = 0;   ///< end of the initial controller (the header line)
  std::vector<double> iterations;  ///< end of each iteration (its progress line)
};

Timeline reference_run(const fs::path& dir, int iterations) {
  Timeline timeline;
  const pid_t run = spawn(dir);
  wait_until(run, [&] {
    const double cpu = cpu_seconds(run);
    const RunProgress progress = progress_of(dir);
    if (progress.started_iterations && timeline.initial_controller == 0.0)
      timeline.initial_controller = cpu;
    while (static_cast<int>(timeline.iterations.size()) < progress.iterations_checkpointed)
      timeline.iterations.push_back(cpu);
    return false;
  });
  const int status = l2o::test::wait_for(run);
  INFO(log_of(dir));
  REQUIRE(status == 0);
  REQUIRE(static_cast<int>(timeline.iterations.size()) == iterations);
  // Resuming the finished run does set-up only: the part of the header time that is not the
  // initial controller.
  const pid_t again = spawn(dir);
  wait_until(again, [&] {
    timeline.set_up = std::max(timeline.set_up, cpu_seconds(again));
    return false;
  });
  REQUIRE(l2o::test::wait_for(again) == 0);
  return timeline;
}

// Where a kill is aimed: at `fraction` of the initial controller (after set-up), at `fraction` of
// iteration `iteration` (the run's first one if that is later), or when the run starts writing a
// checkpoint after `iteration` checkpointed iterations of its own.
struct KillPoint {
  enum Kind { initial_controller, mid_iteration, checkpoint_write } kind;
  int iteration;
  double fraction;
};

// Runs in `dir` until killed at `point`: returns where the kill landed (for the report), or
// "" if the run ended first.
std::string run_and_kill(const fs::path& dir, const KillPoint& point, const Timeline& reference) {
  const int first = first_iteration(dir);
  const std::set<std::string> before = files_below(dir);
  const pid_t run = spawn(dir);
  const auto progress = [&] { return progress_of(dir); };
  // Waits until the run has used `cpu` more CPU seconds than at `from` (false if it ended).
  const auto run_cpu_seconds = [&](double from, double cpu) {
    return wait_until(run, [&] { return cpu_seconds(run) >= from + cpu; });
  };
  bool alive = true;
  switch (point.kind) {
    case KillPoint::initial_controller:
      alive = run_cpu_seconds(reference.set_up,
                              point.fraction * (reference.initial_controller - reference.set_up));
      break;
    case KillPoint::mid_iteration: {
      const int target = std::max(point.iteration, first);
      alive = target < static_cast<int>(reference.iterations.size()) && wait_until(run, [&] {
                const RunProgress p = progress();
                return p.started_iterations && p.iterations_checkpointed >= target - first;
              });
      if (!alive) break;
      const double begin =
          target == 0 ? reference.initial_controller : reference.iterations[target - 1];
      alive = run_cpu_seconds(cpu_seconds(run),
                              point.fraction * (reference.iterations[target] - begin));
      break;
    }
    case KillPoint::checkpoint_write:
      alive = wait_until(run, [&] {
        if (progress().iterations_checkpointed < point.iteration) return false;
        for (const std::string& name : files_below(dir))
          if (name.starts_with("checkpoint.h5.tmp.") && before.count(name) == 0) return true;
        return false;
      });
      break;
  }
  const double killed_at = cpu_seconds(run);
  if (alive) ::kill(run, SIGKILL);
  const int status = l2o::test::wait_for(run);
  const RunProgress p = progress();
  INFO(log_of(dir));
  REQUIRE((status == -SIGKILL || status == 0));
  check_final_files_complete(dir);
  if (status == 0) return "";
  std::ostringstream where;
  where.precision(3);
  if (!p.started_iterations) {
    where << (killed_at > reference.set_up ? "the initial controller" : "set-up") << " at "
          << killed_at << " s CPU";
    return where.str();
  }
  where << "iteration " << first + p.iterations_checkpointed;
  if (first == 0 && p.iterations_checkpointed == 0) where << " before any checkpoint";
  for (const std::string& name : files_below(dir))
    if (name.starts_with("checkpoint.h5.tmp.") && before.count(name) == 0)
      where << " while writing " << name;
  return where.str();
}

}  // namespace

TEST_CASE("meta-train --method gps killed with SIGKILL and continued equals an uninterrupted run",
          "[app][gps]") {
  const int iterations = 3;  // kTinyGps
  const fs::path reference = l2o::test::tiny_dir("meta-train-gps-kill-reference");
  const Timeline timeline = reference_run(reference, iterations);

  const fs::path dir = l2o::test::tiny_dir("meta-train-gps-killed");
  // A temporary file of an earlier, killed writer (pid 1 is never l2o's) must not disturb the
  // run: its start, its checkpoint writes, its resume.
  {
    std::ifstream in(reference / "checkpoint.h5", std::ios::binary);
    std::vector<char> half(fs::file_size(reference / "checkpoint.h5") / 2);
    in.read(half.data(), static_cast<std::streamsize>(half.size()));
    std::ofstream(dir / "checkpoint.h5.tmp.1", std::ios::binary)
        .write(half.data(), static_cast<std::streamsize>(half.size()));
  }
  // Fresh starts until a checkpoint exists, then resumes; each kill point is later than the
  // last, so the run makes progress whatever the machine's load.
  const std::vector<KillPoint> points = {{KillPoint::initial_controller, 0, 0.5},
                                         {KillPoint::mid_iteration, 0, 0.5},
                                         {KillPoint::checkpoint_write, 1, 0.0},
                                         {KillPoint::mid_iteration, 2, 0.4}};
  std::ostringstream report;
  int killed = 0;
  for (const KillPoint& point : points) {
    const std::string landed = run_and_kill(dir, point, timeline);
    report << (landed.empty() ? "finished before the kill" : "killed in " + landed) << "; ";
    killed += landed.empty() ? 0 : 1;
  }
  const pid_t last = spawn(dir);
  const int status = l2o::test::wait_for(last);
  INFO(log_of(dir));
  REQUIRE(status == 0);

  // Timings vary with the load, so only the result is asserted exactly; most kills must have
  // hit a live run for the test to mean something.
  WARN("GPS kill test (reference, CPU seconds: set-up "
       << timeline.set_up << " s, initial controller until " << timeline.initial_controller
       << " s, iterations until " << timeline.iterations.back() << " s): " << report.str() << killed
       << " of " << points.size() << " kills landed in a live run");
  CHECK(killed >= 3);
  l2o::test::check_same_checkpoint(dir / "checkpoint.h5", reference / "checkpoint.h5");
  l2o::test::check_same_model(dir / "model.h5", reference / "model.h5");
  check_final_files_complete(dir);
  // The same files under final names as the uninterrupted run (its records included); only
  // temporary names of killed writers remain besides them.
  std::set<std::string> final_names;
  for (const std::string& name : files_below(dir))
    if (!is_temporary(name)) final_names.insert(name);
  CHECK(final_names == files_below(reference));
}
