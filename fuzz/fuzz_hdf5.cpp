// libFuzzer target: an HDF5 file through every reader l2o opens user-supplied HDF5 files with:
//  * the tuned settings of `l2o tune` as `l2o evaluate` reads them (tuned_optimizers:
//    /chosen/<optimizer>@optimizer.<field>), each optimizer then built from them (make());
//  * a learned-optimizer model file (load_learned_optimizer: /model@method, the LSTM shape
//    attributes, /model/parameters);
//  * the generic dataset reads (read_doubles, read_integers, read_string) on /doubles, /integers
//    and /string when the file has them.
// The bytes go to a file in /dev/shm: the readers take a path, as l2o does.
// Bad files must give InputError, or SystemError when libhdf5 itself fails to read an object
// (exit 3, file and object named); anything else (another exception, a crash, a sanitizer report)
// is a finding. libhdf5 is not instrumented: its own memory errors show only when they crash
// (docs/reliability.md).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "eval/evaluate_plan.hpp"
#include "eval/learned_optimizer.hpp"
#include "hdf5_fuzz_file.hpp"
#include "io/hdf5_file.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = l2o::fuzz::write_input_file("hdf5", data, size);
  l2o::fuzz::read_with([&] {
    const std::vector<std::string> optimizers = {"sgd",  "momentum", "cg",     "lbfgs",
                                                 "adam", "adagrad",  "rmsprop"};
    for (const auto& entry : l2o::tuned_optimizers(path, optimizers)) (void)entry.make();
  });
  l2o::fuzz::read_with([&] { (void)l2o::load_learned_optimizer(path); });
  l2o::fuzz::read_with([&] {
    const l2o::Hdf5Group root = l2o::open_hdf5_for_reading(path);
    l2o::Hdf5Shape shape;
    if (root.contains("doubles")) (void)root.read_doubles("doubles", &shape);
    if (root.contains("integers")) (void)root.read_integers("integers", &shape);
    if (root.contains("string")) (void)root.read_string("string");
  });
  std::remove(path.c_str());
  return 0;
}
