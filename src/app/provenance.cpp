#include "app/provenance.hpp"

#include <fcntl.h>
#include <omp.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <filesystem>

#include "git_revision.hpp"  // generated at build time (cmake/git_revision.cmake)
#include "util/error.hpp"

namespace l2o {

void write_provenance(const Hdf5Group& root, const Config& config, const std::string& command_line,
                      const std::string& subcommand, int ranks) {
  const Hdf5Group meta = root.create_group("meta");
  meta.write_string("config", config.to_toml());
  meta.set_attribute("git_revision", std::string(L2O_GIT_REVISION));
  meta.set_attribute("command_line", command_line);
  meta.set_attribute("subcommand", subcommand);
  char host[256] = "unknown";
  gethostname(host, sizeof host - 1);
  meta.set_attribute("hostname", std::string(host));
  meta.set_attribute("mpi_ranks", std::int64_t{ranks});
  meta.set_attribute("omp_threads_per_rank", std::int64_t{omp_get_max_threads()});
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  meta.set_attribute("created_utc", std::string(stamp));
}

void prepare_output_directory(const std::string& path, const std::string& key) {
  auto parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) parent = ".";
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  if (!std::filesystem::is_directory(parent))
    throw InputError(key + " = \"" + path + "\": cannot create directory " + parent.string() +
                     "; choose another path");
  // Probe by creating a file: access(W_OK) says yes to root everywhere (even /proc), and a run
  // must not compute for hours and then fail to write its result.
  const std::string probe = path + ".probe." + std::to_string(::getpid());
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd >= 0) {
    ::close(fd);
    ::unlink(probe.c_str());
  }
  if (fd < 0 && errno != EEXIST)
    throw InputError(key + " = \"" + path + "\": directory " + parent.string() +
                     " is not writable; choose another path");
}

}  // namespace l2o
