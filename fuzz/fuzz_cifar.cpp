// libFuzzer target: a CIFAR-10/100 binary file, raw or gzip, through the reader l2o loads CIFAR
// with (inflate_if_gzip, empty_cifar_dataset, parse_cifar).
// Input layout: u8 selecting the format (mod 3: CIFAR-10, CIFAR-100 fine, CIFAR-100 coarse),
// then the file. Bad bytes must give InputError; anything else (another exception, a crash, a
// sanitizer report, a data set that breaks its own invariants) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "data/cifar_reader.hpp"
#include "data/file_bytes.hpp"
#include "dataset_invariants.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return -1;
  const l2o::CifarKind kinds[] = {l2o::CifarKind::cifar10, l2o::CifarKind::cifar100_fine,
                                  l2o::CifarKind::cifar100_coarse};
  const l2o::CifarKind kind = kinds[data[0] % 3];
  const std::vector<std::uint8_t> file(data + 1, data + size);

  l2o::Dataset dataset = l2o::empty_cifar_dataset(kind, "fuzz/cifar");
  try {
    l2o::parse_cifar(l2o::inflate_if_gzip(file, "cifar.bin"), "cifar.bin", kind, dataset);
  } catch (const l2o::InputError&) {
    return 0;
  }
  if (!(dataset.count > 0 && dataset.example_size() == 32 * 32 * 3)) std::abort();
  l2o::fuzz::require_consistent(dataset);
  return 0;
}
