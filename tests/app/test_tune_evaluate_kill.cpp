// `l2o tune` and `l2o evaluate` killed with SIGKILL anywhere and continued with --resume end
// bitwise identical to an uninterrupted run (wall times aside): kills land during set-up before
// any save, between and inside runs, while the progress file is being written (its temporary file
// stays behind) and while the final output is being written. No file ever carries its final name
// half-written, and every record a progress file holds is the uninterrupted run's. A stop request
// (SIGTERM; SIGUSR1 through mpirun) exits 75 after saving, and the continuation may use another
// rank count (2 -> 1, 1 -> 2). When one rank of two dies (SIGKILL, as a node failure or the OOM
// killer), mpirun ends the other and exits non-zero, and the last save resumes exactly. A progress
// file of another configuration or of other inputs is refused with one line; a fresh run starts
// over.
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "app/meta_train_runs.hpp"
#include "app/run_l2o.hpp"
#include "app/sweep_outputs.hpp"
#include "eval/run_record_io.hpp"
#include "io/hdf5_file.hpp"

namespace {

namespace fs = std::filesystem;
using l2o::test::check_absent_or_complete;
using l2o::test::check_same_record;
using l2o::test::check_same_run;
using l2o::test::files_below;
using l2o::test::is_temporary;
using l2o::test::spawn_l2o;
using l2o::test::wait_for;
using l2o::test::wait_until;

// 3 sgd + 3 adam + 1 lbfgs settings x 3 seeds = 21 runs of 40 iterations on MNIST-8 (about a
// second); sgd with learning rate 1000 diverges (a short record).
constexpr const char* kTune = R"([run]
iterations = 40
seed = 3
[task]
input_dim = 8
hidden = [8]
batch_size = 32
[tune]
optimizers = ["sgd", "adam", "lbfgs"]
learning_rates = [0.01, 0.3, 1000.0]
adam_beta1 = [0.9]
initial_steps = [1.0]
seeds = 3
record_every = 10
)";
constexpr int kTuneSettings = 7, kTuneSeeds = 3;

// 2 tasks x 4 optimizers (3 tuned in `tuned`, the committed L2L model) x 2 seeds = 16 runs.
const std::vector<std::string> kEvaluateTasks = {"mnist_8-8_b16_t30", "fer2013_8-8_b16_t30"};
const std::vector<std::string> kEvaluateOptimizers = {"sgd", "adam", "lbfgs", "l2l"};
constexpr int kEvaluateSeeds = 2;

std::string evaluate_config(const fs::path& tuned) {
  return R"([run]
seed = 5
[evaluate]
tuned = ")" +
         tuned.string() +
         R"("
optimizers = ["sgd", "adam", "lbfgs"]
learned = [")" +
         l2o::test::source_dir() + R"(/models/l2l_mnist48.h5"]
datasets = ["mnist", "fer2013"]
architectures = ["8-8"]
batch_sizes = [16]
iterations = [30]
seeds = 2
record_every = 5
)";
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A sweep in its own directory: config.toml, out.h5, out.h5.progress.h5, log.txt.
struct Sweep {
  std::string subcommand;  // "tune" or "evaluate"
  fs::path dir;

  [[nodiscard]] fs::path output() const { return dir / "out.h5"; }
  [[nodiscard]] fs::path progress() const { return dir / "out.h5.progress.h5"; }
  [[nodiscard]] std::int64_t units() const {
    return subcommand == "tune"
               ? kTuneSettings * kTuneSeeds
               : static_cast<std::int64_t>(kEvaluateTasks.size() * kEvaluateOptimizers.size()) *
                     kEvaluateSeeds;
  }
  // The command line (progress lines on): --resume when a progress file exists, as
  // jobs/tune.sbatch and jobs/evaluate.sbatch do.
  [[nodiscard]] std::string arguments(const std::string& extra = "") const {
    return subcommand + " --config " + (dir / "config.toml").string() + " --data-dir " +
           l2o::test::data_dir() + " --output " + output().string() +
           (fs::exists(progress()) ? " --resume" : "") + extra;
  }
  // The group of unit u in the final output (the units' order: tune_command.cpp,
  // evaluate_command.cpp).
  [[nodiscard]] std::string unit_group(std::int64_t u) const {
    char run[16];
    if (subcommand == "tune") {
      std::snprintf(run, sizeof run, "run_%04d", static_cast<int>(u % kTuneSeeds));
      char setting[32];
      std::snprintf(setting, sizeof setting, "setting_%04d", static_cast<int>(u / kTuneSeeds));
      return std::string("settings/") + setting + "/" + run;
    }
    const auto optimizers = static_cast<std::int64_t>(kEvaluateOptimizers.size());
    std::snprintf(run, sizeof run, "run_%04d", static_cast<int>(u % kEvaluateSeeds));
    return "tasks/" + kEvaluateTasks[static_cast<std::size_t>(u / (optimizers * kEvaluateSeeds))] +
           "/" + kEvaluateOptimizers[static_cast<std::size_t>((u / kEvaluateSeeds) % optimizers)] +
           "/" + run;
  }
};

Sweep make_sweep(const std::string& subcommand, const std::string& name,
                 const std::string& config_text) {
  Sweep sweep{subcommand, l2o::test::scratch_dir(name)};
  std::ofstream(sweep.dir / "config.toml") << config_text;
  return sweep;
}

l2o::Hdf5Group open_path(const l2o::Hdf5Group& root, const std::string& path) {
  l2o::Hdf5Group group = root.open_group(path.substr(0, path.find('/')));
  for (std::size_t at = path.find('/'); at != std::string::npos;) {
    const std::size_t next = path.find('/', at + 1);
    group = group.open_group(path.substr(at + 1, next - at - 1));
    at = next;
  }
  return group;
}

// Runs the sweep to the end (a fresh run, or the continuation of its progress file); returns
// what it printed.
std::string run_to_end(const Sweep& sweep, int ranks = 0) {
  const auto outcome = ranks > 0 ? l2o::test::run_l2o_mpi(ranks, sweep.arguments())
                                 : l2o::test::run_l2o(sweep.arguments());
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  CHECK_FALSE(fs::exists(sweep.progress()));
  return outcome.output;
}

// The final outputs of two runs of one sweep agree bitwise, wall times and provenance aside.
void check_same_output(const Sweep& a, const Sweep& b) {
  const auto fa = l2o::open_hdf5_for_reading(a.output().string());
  const auto fb = l2o::open_hdf5_for_reading(b.output().string());
  for (std::int64_t u = 0; u < a.units(); ++u)
    check_same_run(open_path(fa, a.unit_group(u)), open_path(fb, b.unit_group(u)));
  if (a.subcommand != "tune") {
    // (A task whose runs were all resumed is described from its data, evaluate_command.cpp.)
    for (const std::string& task : kEvaluateTasks)
      for (const std::string attribute : {"label", "architecture"})
        CHECK(open_path(fa, "tasks/" + task).string_attribute(attribute) ==
              open_path(fb, "tasks/" + task).string_attribute(attribute));
    return;
  }
  for (std::int64_t u = 0; u < a.units(); u += kTuneSeeds) {
    const std::string setting = a.unit_group(u).substr(0, a.unit_group(u).rfind('/'));
    const auto sa = open_path(fa, setting), sb = open_path(fb, setting);
    CHECK(sa.double_attribute("score") == sb.double_attribute("score"));
    CHECK(sa.integer_attribute("diverged_runs") == sb.integer_attribute("diverged_runs"));
  }
  for (const std::string optimizer : {"sgd", "adam", "lbfgs"}) {
    const auto ca = open_path(fa, "chosen/" + optimizer), cb = open_path(fb, "chosen/" + optimizer);
    CHECK(ca.integer_attribute("setting") == cb.integer_attribute("setting"));
    CHECK(ca.double_attribute("score") == cb.double_attribute("score"));
  }
}

// Nothing under a final name is half-written: the output, if there, is complete; the progress
// file, if there, is complete, counts its records right, and each is the reference run's.
// Returns how many records the progress file holds.
std::int64_t check_final_names(const Sweep& sweep, const Sweep& reference) {
  check_absent_or_complete(sweep.output(), sweep.subcommand == "tune" ? "chosen" : "tasks");
  if (!fs::exists(sweep.progress())) return 0;
  INFO(sweep.progress());
  const auto file = l2o::open_hdf5_for_reading(sweep.progress().string());
  REQUIRE(file.contains("meta"));
  REQUIRE(file.contains("progress"));
  const auto progress = file.open_group("progress");
  CHECK(progress.string_attribute("subcommand") == sweep.subcommand);
  CHECK(progress.integer_attribute("units") == sweep.units());
  const auto ref = l2o::open_hdf5_for_reading(reference.output().string());
  std::int64_t records = 0;
  for (std::int64_t u = 0; u < sweep.units(); ++u) {
    char name[32];
    std::snprintf(name, sizeof name, "unit_%04d", static_cast<int>(u));
    if (!progress.contains(name)) continue;
    ++records;
    check_same_record(l2o::read_run_record(progress.open_group(name)),
                      l2o::read_run_record(open_path(ref, reference.unit_group(u))));
  }
  CHECK(progress.integer_attribute("finished") == records);
  return records;
}

// Creations of files in one directory (inotify), so a kill can follow the creation of a writer's
// temporary file within a millisecond.
class CreationWatch {
 public:
  explicit CreationWatch(const fs::path& dir) : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    REQUIRE(fd_ >= 0);
    REQUIRE(inotify_add_watch(fd_, dir.c_str(), IN_CREATE) >= 0);
  }
  CreationWatch(const CreationWatch&) = delete;
  CreationWatch& operator=(const CreationWatch&) = delete;
  ~CreationWatch() { ::close(fd_); }

  // Waits until `name` has been created `times` times since the watch began, or `pid` has exited
  // (then false, the process left unreaped).
  bool wait_for(const std::string& name, int times, pid_t pid) {
    while (count_ < times) {
      pollfd ready{fd_, POLLIN, 0};
      if (::poll(&ready, 1, 5) > 0) {
        alignas(inotify_event) char buffer[4096];
        const ssize_t length = ::read(fd_, buffer, sizeof buffer);
        for (ssize_t at = 0; at < length;) {
          const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
          if (event->len > 0 && name == event->name) ++count_;
          at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
        }
        continue;
      }
      siginfo_t info{};
      if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
          info.si_pid == pid)
        return false;
    }
    return true;
  }

 private:
  int fd_;
  int count_ = 0;
};

// Runs this process finished so far: its "[tune] k/n run ..." progress lines.
int runs_in_log(const Sweep& sweep) {
  const std::string text = read_text(sweep.dir / "log.txt");
  const std::regex line("\\[" + sweep.subcommand + R"(\] \d+/\d+ run )");
  return static_cast<int>(
      std::distance(std::sregex_iterator(text.begin(), text.end(), line), std::sregex_iterator()));
}

// Where a kill is aimed: at `value` times the reference run's wall time; `value` runs into the
// run plus a random part of a run; at the `value`-th write of the progress file (as its temporary
// file appears); at the write of the final output.
struct KillPoint {
  enum Kind { at_time, after_runs, progress_write, output_write } kind;
  double value;
};

// The timings of the uninterrupted run: wall seconds in all, and of one run.
struct Timing {
  double total = 0.0;
  double per_run = 0.0;
};

// Runs `sweep` until killed at `point`: returns where the kill landed, "" if the run ended first.
std::string run_and_kill(const Sweep& sweep, const Sweep& reference, const KillPoint& point,
                         const Timing& timing, std::mt19937& random) {
  fs::remove(sweep.dir / "log.txt");  // its lines must not be taken for the new run's
  CreationWatch watch(sweep.dir);
  const bool resumed = fs::exists(sweep.progress());
  const pid_t run = spawn_l2o(sweep.arguments(), sweep.dir / "log.txt");
  const std::string tmp = ".tmp." + std::to_string(run);
  std::uniform_real_distribution<double> part(0.0, 1.0);
  bool alive = true;
  switch (point.kind) {
    case KillPoint::at_time:
      std::this_thread::sleep_for(std::chrono::duration<double>(point.value * timing.total));
      break;
    case KillPoint::after_runs:
      alive = wait_until(run, [&] { return runs_in_log(sweep) >= static_cast<int>(point.value); });
      std::this_thread::sleep_for(std::chrono::duration<double>(part(random) * timing.per_run));
      break;
    case KillPoint::progress_write:
      alive = watch.wait_for(sweep.progress().filename().string() + tmp,
                             static_cast<int>(point.value), run);
      break;
    case KillPoint::output_write:
      alive = watch.wait_for(sweep.output().filename().string() + tmp, 1, run);
      break;
  }
  if (alive) ::kill(run, SIGKILL);
  const int status = wait_for(run);
  const std::string log = read_text(sweep.dir / "log.txt");
  INFO(log);
  REQUIRE((status == -SIGKILL || status == 0));
  const std::int64_t saved = check_final_names(sweep, reference);
  if (status == 0) return "";
  std::ostringstream where;
  where << (resumed ? "a resumed run" : "a fresh run") << " after " << runs_in_log(sweep)
        << " runs of its own (" << saved << " saved)";
  for (const std::string& name : files_below(sweep.dir))
    if (name.ends_with(tmp)) where << " while writing " << name;
  if (log.find(" runs on ") == std::string::npos) where << " in set-up";
  return where.str();
}

// The uninterrupted reference run of `subcommand` with `config_text`, timed.
Timing reference_run(const Sweep& reference) {
  const auto start = std::chrono::steady_clock::now();
  run_to_end(reference);
  Timing timing;
  timing.total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  timing.per_run = timing.total / static_cast<double>(reference.units());
  return timing;
}

// Kills `sweep` at every point in turn, continuing each time; then runs it to the end and
// compares with `reference`. Returns the kills that landed in a live run.
int kill_and_resume(const Sweep& sweep, const Sweep& reference, const Timing& timing,
                    const std::vector<KillPoint>& points, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::ostringstream report;
  int killed = 0, in_writes = 0;
  for (const KillPoint& point : points) {
    const std::string landed = run_and_kill(sweep, reference, point, timing, random);
    report << "\n  " << (landed.empty() ? "finished before the kill" : "killed in " + landed);
    killed += landed.empty() ? 0 : 1;
    in_writes += landed.find("while writing") != std::string::npos ? 1 : 0;
  }
  run_to_end(sweep);
  check_same_output(sweep, reference);
  // Only temporary files of killed writers remain besides the final names.
  std::set<std::string> final_names;
  for (const std::string& name : files_below(sweep.dir))
    if (!is_temporary(name)) final_names.insert(name);
  CHECK(final_names == std::set<std::string>{"config.toml", "log.txt", "out.h5"});
  WARN(sweep.subcommand << " kill test (uninterrupted: " << timing.total << " s, " << sweep.units()
                        << " runs): " << killed << " of " << points.size()
                        << " kills landed in a live run, " << in_writes
                        << " during a file write:" << report.str());
  CHECK(in_writes >= 1);
  return killed;
}

const std::vector<KillPoint> kKillPoints = {
    {KillPoint::at_time, 0.1},      {KillPoint::after_runs, 2},     {KillPoint::progress_write, 2},
    {KillPoint::after_runs, 3},     {KillPoint::progress_write, 1}, {KillPoint::after_runs, 1},
    {KillPoint::progress_write, 3}, {KillPoint::output_write, 1},
};

// The tune reference, also the tuned settings of the evaluate tests.
Sweep tune_reference(const std::string& name) {
  const Sweep reference = make_sweep("tune", name, kTune);
  run_to_end(reference);
  return reference;
}

// A process as /proc/<pid>/stat shows it: its state ('\0' once it is gone), its parent, its kernel
// flags and its start time (clock ticks after boot; with the pid, it names one process even when
// the pid is reused).
struct ProcessStatus {
  char state = '\0';
  pid_t parent = 0;
  unsigned long flags = 0;
  unsigned long long start = 0;
};

ProcessStatus process_status(const fs::path& stat) {
  std::ifstream in(stat);
  std::string text;
  std::getline(in, text);
  ProcessStatus status;
  const std::size_t name_end = text.rfind(')');  // the command name may hold spaces and ')'
  if (name_end == std::string::npos) return status;
  std::istringstream fields(text.substr(name_end + 1));
  std::string skip;
  fields >> status.state >> status.parent >> skip >> skip >> skip >> skip >> status.flags;
  for (int field = 10; field < 22; ++field) fields >> skip;
  fields >> status.start;
  return status;
}

ProcessStatus process_status(pid_t pid) {
  return process_status(fs::path("/proc") / std::to_string(pid) / "stat");
}

// A process of the test, named by its pid and start time.
struct Process {
  pid_t pid = 0;
  unsigned long long start = 0;
};

// Whether `process` still exists (in any state but a zombie's).
bool exists(const Process& process) {
  const ProcessStatus status = process_status(process.pid);
  return status.state != '\0' && status.state != 'Z' && status.start == process.start;
}

// Whether `process` can still run code of its own: it exists, and no thread of it has been told
// to die -- SIGKILL pending (SigPnd/ShdPnd of /proc/<pid>/task/<tid>/status) or already exiting
// (PF_EXITING in the stat flags). mpirun's teardown of a job (OpenMPI 4.1
// odls_base_default_kill_local_procs) sends the survivors SIGCONT, SIGTERM and SIGKILL a second
// apart and exits right after the SIGKILL without waiting for them, so a rank may still exist for a
// moment after mpirun: killed, not running.
bool can_run(const Process& process) {
  constexpr unsigned long kExiting = 0x4;  // PF_EXITING, include/linux/sched.h
  constexpr unsigned long long kSigkill = 1ull << (SIGKILL - 1);
  if (!exists(process)) return false;
  std::error_code gone;
  const fs::path tasks = fs::path("/proc") / std::to_string(process.pid) / "task";
  for (const auto& task : fs::directory_iterator(tasks, gone)) {
    if (process_status(task.path() / "stat").flags & kExiting) return false;
    std::istringstream lines(read_text(task.path() / "status"));
    for (std::string line; std::getline(lines, line);)
      if ((line.starts_with("SigPnd:") || line.starts_with("ShdPnd:")) &&
          std::stoull(line.substr(7), nullptr, 16) & kSigkill)
        return false;
  }
  return !gone && exists(process);
}

// The l2o processes started below `launcher` (the mpirun of spawn_l2o) by MPI rank, as
// OMPI_COMM_WORLD_RANK in their environment tells.
std::map<int, Process> rank_processes(pid_t launcher) {
  const fs::path binary = fs::weakly_canonical(l2o::test::l2o_binary());
  const std::string key = "OMPI_COMM_WORLD_RANK=";
  std::map<int, Process> ranks;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    std::error_code gone;
    if (name.find_first_not_of("0123456789") != std::string::npos ||
        fs::read_symlink(entry.path() / "exe", gone) != binary)
      continue;
    const pid_t pid = std::stoi(name);
    pid_t ancestor = process_status(pid).parent;
    while (ancestor > 1 && ancestor != launcher) ancestor = process_status(ancestor).parent;
    if (ancestor != launcher) continue;
    std::istringstream environment(read_text(entry.path() / "environ"));
    for (std::string variable; std::getline(environment, variable, '\0');)
      if (variable.starts_with(key))
        ranks[std::stoi(variable.substr(key.size()))] = {pid, process_status(pid).start};
  }
  return ranks;
}

}  // namespace

TEST_CASE("tune and evaluate --help document --resume and exit code 75", "[app]") {
  for (const std::string sub : {"tune", "evaluate"}) {
    const auto outcome = l2o::test::run_l2o(sub + " --help");
    INFO(outcome.output);
    CHECK(outcome.exit_code == 0);
    for (const std::string text : {"--resume", ".progress.h5", "75", "SIGUSR1"})
      CHECK(outcome.output.find(text) != std::string::npos);
  }
}

TEST_CASE("tune killed with SIGKILL anywhere and resumed equals an uninterrupted run", "[app]") {
  const Sweep reference = make_sweep("tune", "tune-kill-reference", kTune);
  const Timing timing = reference_run(reference);
  const Sweep sweep = make_sweep("tune", "tune-killed", kTune);
  CHECK(kill_and_resume(sweep, reference, timing, kKillPoints, 7) >=
        static_cast<int>(kKillPoints.size()) - 2);
}

TEST_CASE("evaluate killed with SIGKILL anywhere and resumed equals an uninterrupted run",
          "[app]") {
  const Sweep tuned = tune_reference("evaluate-kill-tuned");
  const Sweep reference =
      make_sweep("evaluate", "evaluate-kill-reference", evaluate_config(tuned.output()));
  const Timing timing = reference_run(reference);
  const Sweep sweep = make_sweep("evaluate", "evaluate-killed", evaluate_config(tuned.output()));
  CHECK(kill_and_resume(sweep, reference, timing, kKillPoints, 11) >=
        static_cast<int>(kKillPoints.size()) - 2);
}

TEST_CASE("tune stopped by SIGUSR1 on 2 ranks exits 75 and resumes on 1 rank identically",
          "[app][mpi]") {
  const Sweep reference = tune_reference("tune-stop-reference");
  const Sweep sweep = make_sweep("tune", "tune-stopped", kTune);
  const pid_t run = spawn_l2o(sweep.arguments(), sweep.dir / "log.txt", 2);
  // The first save proves the sweep runs with the handlers installed.
  REQUIRE(wait_until(run, [&] { return fs::exists(sweep.progress()); }));
  ::kill(run, SIGUSR1);  // mpirun passes it on to both ranks
  const int status = wait_for(run);
  const std::string log = read_text(sweep.dir / "log.txt");
  INFO(log);
  REQUIRE(status == 75);
  CHECK(log.find("l2o: stop requested (signal 10): progress \"" + sweep.progress().string() +
                 "\" written after ") != std::string::npos);
  const std::int64_t saved = check_final_names(sweep, reference);
  CHECK(saved < sweep.units());
  CHECK_FALSE(fs::exists(sweep.output()));

  const auto resumed = l2o::test::run_l2o(sweep.arguments());
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK(resumed.output.find("on 1 rank(s), resuming " + std::to_string(saved) +
                            " finished runs from " + sweep.progress().string()) !=
        std::string::npos);
  CHECK_FALSE(fs::exists(sweep.progress()));
  check_same_output(sweep, reference);
}

TEST_CASE("tune on 2 ranks with one rank SIGKILLed exits non-zero and resumes identically",
          "[app][mpi]") {
  // The reference runs on 1 rank: the outputs agree for any rank count.
  const Sweep reference = tune_reference("rank-kill-reference");
  // The death of rank 1 (it only computes), continued on 2 ranks; of rank 0 (it also writes the
  // files), continued on 1.
  for (const auto& [victim, resume_ranks] : std::vector<std::pair<int, int>>{{1, 2}, {0, 1}}) {
    INFO("rank " << victim << " of 2 killed");
    const Sweep sweep = make_sweep("tune", "rank-killed-" + std::to_string(victim), kTune);
    const auto start = std::chrono::steady_clock::now();
    const pid_t run = spawn_l2o(sweep.arguments(), sweep.dir / "log.txt", 2);
    // The first save proves both ranks are past set-up, running units.
    REQUIRE(wait_until(run, [&] { return fs::exists(sweep.progress()); }));
    const std::map<int, Process> ranks = rank_processes(run);
    REQUIRE(ranks.size() == 2);
    REQUIRE(ranks.count(victim) == 1);
    for (const auto& [rank, process] : ranks) REQUIRE(can_run(process));  // can_run can say yes
    const auto killed_at = std::chrono::steady_clock::now();
    ::kill(ranks.at(victim).pid, SIGKILL);
    // OpenMPI must tear the other rank down and mpirun exit; a hang fails after 60 s, leaving
    // no process behind.
    const bool hung = wait_until(run, [&] {
      return std::chrono::steady_clock::now() - killed_at > std::chrono::seconds(60);
    });
    const auto ended_at = std::chrono::steady_clock::now();
    if (hung) {
      for (const auto& [rank, process] : ranks)
        if (exists(process)) ::kill(process.pid, SIGKILL);
      ::kill(run, SIGKILL);
    }
    const int status = wait_for(run);
    const std::string log = read_text(sweep.dir / "log.txt");
    INFO(log);
    REQUIRE_FALSE(hung);
    CHECK(status > 0);
    // mpirun names the rank that died ("process rank 1 with PID ... exited on signal 9").
    CHECK(log.find("process rank " + std::to_string(victim) + " with PID") != std::string::npos);
    // No rank may go on running once mpirun is gone (an orphan holding a node); a killed one may
    // still be exiting (can_run). Then none may remain: SIGKILL cannot be caught, so the wait
    // ends as soon as the kernel has torn the process down.
    int exiting = 0;  // ranks killed but not yet gone when mpirun had exited
    for (const auto& [rank, process] : ranks) {
      INFO("rank " << rank << " (pid " << process.pid << ") after mpirun's exit");
      if (exists(process)) ++exiting;
      CHECK_FALSE(can_run(process));
      if (can_run(process)) ::kill(process.pid, SIGKILL);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (exists(process) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      CHECK_FALSE(exists(process));
    }
    // The last save stays, complete; no output under its final name.
    REQUIRE(fs::exists(sweep.progress()));
    const std::int64_t saved = check_final_names(sweep, reference);
    CHECK(saved >= 1);
    CHECK(saved < sweep.units());
    CHECK_FALSE(fs::exists(sweep.output()));

    const std::string resumed = run_to_end(sweep, resume_ranks);
    CHECK(resumed.find("on " + std::to_string(resume_ranks) + " rank(s), resuming " +
                       std::to_string(saved) + " finished runs from " +
                       sweep.progress().string()) != std::string::npos);
    check_same_output(sweep, reference);
    using seconds = std::chrono::duration<double>;
    WARN("rank " << victim << " of 2 SIGKILLed " << seconds(killed_at - start).count()
                 << " s into the run (" << saved << " of " << sweep.units()
                 << " runs saved): mpirun exited " << status << " after "
                 << seconds(ended_at - killed_at).count() << " s with " << exiting
                 << " rank(s) still exiting; resumed on " << resume_ranks << " rank(s)");
  }
}

TEST_CASE("evaluate stopped by SIGTERM exits 75 and resumes on 2 ranks identically", "[app][mpi]") {
  const Sweep tuned = tune_reference("evaluate-stop-tuned");
  const Sweep reference =
      make_sweep("evaluate", "evaluate-stop-reference", evaluate_config(tuned.output()));
  run_to_end(reference);
  const Sweep sweep = make_sweep("evaluate", "evaluate-stopped", evaluate_config(tuned.output()));
  const pid_t run = spawn_l2o(sweep.arguments(), sweep.dir / "log.txt");
  REQUIRE(wait_until(run, [&] { return fs::exists(sweep.progress()); }));
  ::kill(run, SIGTERM);
  const int status = wait_for(run);
  INFO(read_text(sweep.dir / "log.txt"));
  REQUIRE(status == 75);
  CHECK(check_final_names(sweep, reference) < sweep.units());
  run_to_end(sweep, 2);
  check_same_output(sweep, reference);
  CHECK(l2o::open_hdf5_for_reading(sweep.output().string())
            .open_group("meta")
            .integer_attribute("mpi_ranks") == 2);
}

TEST_CASE("tune and evaluate refuse to resume another sweep's progress with one line", "[app]") {
  const Sweep tuned = tune_reference("resume-refused-tuned");
  const Sweep sweep = make_sweep("tune", "resume-refused", kTune);
  // --resume with nothing to resume, as meta-train.
  const auto nothing = l2o::test::run_l2o(sweep.arguments(" --quiet --resume"));
  CHECK(nothing.exit_code == 2);
  CHECK(nothing.output == "l2o: error: --resume: no progress file \"" + sweep.progress().string() +
                              "\" (of run.output); run without --resume to start the tune\n");

  // A stopped tune, then a continuation with another seed count.
  const pid_t run = spawn_l2o(sweep.arguments(), sweep.dir / "log.txt");
  REQUIRE(wait_until(run, [&] { return fs::exists(sweep.progress()); }));
  ::kill(run, SIGTERM);
  REQUIRE(wait_for(run) == 75);
  const std::string fix = "; resume with its configuration (" + sweep.progress().string() +
                          ":/meta/config) or start afresh without --resume\n";
  const auto seeds = l2o::test::run_l2o(sweep.arguments(" --quiet --set tune.seeds=2"));
  CHECK(seeds.exit_code == 2);
  CHECK(seeds.output == "l2o: error: --resume: progress file \"" + sweep.progress().string() +
                            "\" was made with another tune.seeds" + fix);
  // An evaluate output path holding tune's progress file.
  std::ofstream(sweep.dir / "evaluate.toml") << evaluate_config(tuned.output());
  const auto other = l2o::test::run_l2o(
      "evaluate --quiet --resume --config " + (sweep.dir / "evaluate.toml").string() +
      " --data-dir " + l2o::test::data_dir() + " --output " + sweep.output().string());
  CHECK(other.exit_code == 2);
  CHECK(other.output == "l2o: error: --resume: \"" + sweep.progress().string() +
                            "\" is not a progress file of l2o evaluate; check run.output or "
                            "delete the file\n");
  // A fresh run starts over: it replaces the progress file and deletes it at the end. Its grid
  // has other learning rates, so it chooses other settings than `tuned`.
  const auto fresh =
      l2o::test::run_l2o("tune --quiet --config " + (sweep.dir / "config.toml").string() +
                         " --data-dir " + l2o::test::data_dir() + " --output " +
                         sweep.output().string() + " --set tune.learning_rates=[0.05]");
  INFO(fresh.output);
  CHECK(fresh.exit_code == 0);
  CHECK_FALSE(fs::exists(sweep.progress()));

  // evaluate continued with those other tuned settings: evaluate.tuned may move, but what the
  // runs take from it may not change.
  const Sweep evaluate =
      make_sweep("evaluate", "resume-refused-evaluate", evaluate_config(tuned.output()));
  const pid_t stopped = spawn_l2o(evaluate.arguments(), evaluate.dir / "log.txt");
  REQUIRE(wait_until(stopped, [&] { return fs::exists(evaluate.progress()); }));
  ::kill(stopped, SIGTERM);
  REQUIRE(wait_for(stopped) == 75);
  const auto retuned = l2o::test::run_l2o(
      evaluate.arguments(" --quiet --set evaluate.tuned=" + sweep.output().string()));
  CHECK(retuned.exit_code == 2);
  CHECK(retuned.output == "l2o: error: --resume: progress file \"" + evaluate.progress().string() +
                              "\" was made with another setting of sgd from evaluate.tuned; "
                              "resume with its configuration (" +
                              evaluate.progress().string() +
                              ":/meta/config) or start afresh without --resume\n");
  // The same settings from a copy elsewhere are accepted.
  fs::copy_file(tuned.output(), evaluate.dir / "tuned_copy.h5");
  const auto moved = l2o::test::run_l2o(evaluate.arguments(
      " --quiet --set evaluate.tuned=" + (evaluate.dir / "tuned_copy.h5").string()));
  INFO(moved.output);
  CHECK(moved.exit_code == 0);
  CHECK_FALSE(fs::exists(evaluate.progress()));
}
