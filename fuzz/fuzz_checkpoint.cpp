// libFuzzer target: an HDF5 file through the readers `l2o meta-train --resume` applies to a
// checkpoint, and the model readers of `evaluate.learned`:
//  * /meta/config as the resume check parses it (Config::from_toml);
//  * /checkpoint as an L2L checkpoint (read_l2l_checkpoint) for an LSTM of kL2lShape, and as a
//    GPS checkpoint (read_gps_checkpoint) for horizon kGpsHorizon and kGpsGroups groups: the
//    dimensions of the seeds (fuzz/make_corpus.py), kept small so inputs stay small and fast
//    (a GPS state has 76 x 77 matrices per time step and group);
//  * load_learned_optimizer: the L2L and GPS ("psd") model readers.
// The bytes go to a file in /dev/shm: the readers take a path, as l2o does. Bad files must give
// InputError, or SystemError when libhdf5 itself fails to read an object (exit 3); anything else
// (another exception, a crash, a sanitizer report) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "eval/learned_optimizer.hpp"
#include "gps/files/gps_checkpoint_file.hpp"
#include "hdf5_fuzz_file.hpp"
#include "io/config.hpp"
#include "io/hdf5_file.hpp"
#include "l2l/l2l_checkpoint_file.hpp"
#include "util/error.hpp"

namespace {

const l2o::LstmShape kL2lShape{
    .input_size = 2, .hidden_size = 2, .num_layers = 1, .output_size = 1};
constexpr int kGpsHorizon = 2;
constexpr std::size_t kGpsGroups = 2;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = l2o::fuzz::write_input_file("checkpoint", data, size);
  l2o::fuzz::read_with([&] {
    const l2o::Hdf5Group meta = l2o::open_hdf5_for_reading(path).open_group("meta");
    (void)l2o::Config::from_toml(meta.read_string("config"), path + ":/meta/config");
  });
  l2o::fuzz::read_with([&] {
    const l2o::Hdf5Group root = l2o::open_hdf5_for_reading(path);
    (void)l2o::read_l2l_checkpoint(root.open_group("checkpoint"), kL2lShape);
  });
  l2o::fuzz::read_with([&] {
    l2o::GpsParams params;
    params.horizon = kGpsHorizon;
    const l2o::Hdf5Group root = l2o::open_hdf5_for_reading(path);
    (void)l2o::read_gps_checkpoint(root.open_group("checkpoint"), params, kGpsGroups);
  });
  l2o::fuzz::read_with([&] { (void)l2o::load_learned_optimizer(path); });
  std::remove(path.c_str());
  return 0;
}
