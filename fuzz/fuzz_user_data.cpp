// libFuzzer target: an HDF5 file through the reader of a user's own data set
// (task.dataset = "h5:<file>", load_hdf5_dataset, docs/data.md): both splits, the class count
// taken from the labels and fixed by task.num_classes. The bytes go to a file in /dev/shm: the
// reader takes a path, as l2o does.
// Bad files must give InputError, or SystemError when libhdf5 itself fails to read an object;
// anything else (another exception, a crash, a sanitizer report, an accepted data set that breaks
// its own invariants) is a finding. libhdf5 is not instrumented (docs/reliability.md).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "data/hdf5_dataset_reader.hpp"
#include "dataset_invariants.hpp"
#include "hdf5_fuzz_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = l2o::fuzz::write_input_file("user_data", data, size);
  for (const char* split : {"train", "test"})
    for (const int num_classes : {0, 10})
      l2o::fuzz::read_with([&] {
        const l2o::Dataset dataset = l2o::load_hdf5_dataset(path, split, num_classes);
        // The reader refuses empty sets and single classes, and keeps a class count it is given.
        if (dataset.count < 1 || dataset.num_classes < 2 ||
            (num_classes > 0 && dataset.num_classes != num_classes))
          std::abort();
        l2o::fuzz::require_consistent(dataset);
      });
  std::remove(path.c_str());
  return 0;
}
