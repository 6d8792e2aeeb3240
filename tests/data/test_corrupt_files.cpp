// Truncated or corrupt copies of real files give a one-line error naming the file and the fault.
#include <zlib.h>

#include <catch2/catch.hpp>

#include "data/catalog.hpp"
#include "data/cifar_reader.hpp"
#include "data/file_bytes.hpp"
#include "data/idx_reader.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes mnist_file(const std::string& name) {
  return l2o::read_file_bytes(l2o::test::data_dir() + "/mnist/" + name + ".gz");
}

Bytes gzip_bytes(const Bytes& raw) {
  uLongf size = compressBound(raw.size()) + 64;
  Bytes out(size);
  z_stream s{};
  deflateInit2(&s, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  s.next_in = const_cast<Bytef*>(raw.data());
  s.avail_in = static_cast<uInt>(raw.size());
  s.next_out = out.data();
  s.avail_out = static_cast<uInt>(out.size());
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

// Loads an image/label pair written to a scratch directory; returns the error message.
std::string idx_error(const Bytes& images, const Bytes& labels, const std::string& dir_name) {
  const auto dir = l2o::test::scratch_dir(dir_name);
  l2o::test::write_bytes(dir / "images", images);
  l2o::test::write_bytes(dir / "labels", labels);
  try {
    l2o::load_idx_pair((dir / "images").string(), (dir / "labels").string(), 10, "x");
  } catch (const l2o::InputError& e) {
    std::string message = e.what();
    // Report relative to the scratch dir so expectations are stable.
    const auto pos = message.find(dir.string());
    if (pos != std::string::npos) message.replace(pos, dir.string().size(), "DIR");
    return message;
  }
  return "no error";
}

}  // namespace

TEST_CASE("IDX faults name the file and what is wrong", "[data]") {
  const Bytes images = mnist_file("t10k-images-idx3-ubyte");
  const Bytes labels = mnist_file("t10k-labels-idx1-ubyte");
  REQUIRE(idx_error(images, labels, "ok") == "no error");

  CHECK(idx_error(Bytes(images.begin(), images.begin() + 10), labels, "header") ==
        "DIR/images: truncated IDX header (10 bytes, need 16)");
  CHECK(idx_error(Bytes(images.begin(), images.end() - 100), labels, "body") ==
        "DIR/images: file has 7839916 bytes, header (10000 images of 28x28) implies 7840016 "
        "(truncated body)");
  Bytes wrong_magic = images;
  wrong_magic[3] = 0x01;
  CHECK(idx_error(wrong_magic, labels, "magic") ==
        "DIR/images: wrong magic 0x00000801 (expected 0x00000803 for IDX3 unsigned-byte images)");
  Bytes bad_label = labels;
  bad_label[8 + 17] = 10;
  CHECK(idx_error(images, bad_label, "label") ==
        "DIR/labels: label 10 of record 17 is out of range [0, 10)");
  CHECK(idx_error(images, Bytes(labels.begin(), labels.end() - 1), "labelcount") ==
        "DIR/labels: file has 10007 bytes, header (10000 labels) implies 10008 (truncated body)");
  Bytes huge = images;
  huge[8] = 0x7f;  // rows = 0x7f00001c
  CHECK(idx_error(huge, labels, "size").starts_with("DIR/images: implausible image size"));
}

TEST_CASE("gzip corruption and truncation are detected", "[data]") {
  const Bytes labels = mnist_file("t10k-labels-idx1-ubyte");
  const Bytes images = mnist_file("t10k-images-idx3-ubyte");
  const Bytes gz = gzip_bytes(images);
  Bytes truncated(gz.begin(), gz.begin() + static_cast<long>(gz.size() / 2));
  CHECK(idx_error(truncated, labels, "gztrunc") ==
        "DIR/images: truncated gzip stream; re-fetch the file (scripts/get-data.sh verifies "
        "sha256)");
  Bytes flipped = gz;
  for (std::size_t i = 100; i < 200; ++i) flipped[i] ^= 0x5a;
  CHECK(idx_error(flipped, labels, "gzflip") ==
        "DIR/images: corrupt gzip data; re-fetch the file (scripts/get-data.sh verifies sha256)");
  // A valid gzip of the raw file reads exactly like the raw file.
  CHECK(idx_error(gz, gzip_bytes(labels), "gzok") == "no error");
}

TEST_CASE("CIFAR faults name the file", "[data]") {
  const auto dir = l2o::test::scratch_dir("cifar");
  Bytes records(3073 * 3, 0);
  records[3073] = 11;  // second record's label
  l2o::test::write_bytes(dir / "bad_label.bin", records);
  CHECK_THROWS_WITH(
      l2o::load_cifar({(dir / "bad_label.bin").string()}, l2o::CifarKind::cifar10, "x"),
      (dir / "bad_label.bin").string() + ": label 11 of record 1 is out of range [0, 10)");
  l2o::test::write_bytes(dir / "short.bin", Bytes(3073 * 2 + 5, 0));
  CHECK_THROWS_WITH(
      l2o::load_cifar({(dir / "short.bin").string()}, l2o::CifarKind::cifar100_fine, "x"),
      (dir / "short.bin").string() +
          ": 6151 bytes is not a whole number of 3074-byte CIFAR-100 records "
          "(truncated or wrong format)");
  CHECK_THROWS_WITH(
      l2o::load_cifar({(dir / "missing.bin").string()}, l2o::CifarKind::cifar10, "x"),
      (dir / "missing.bin").string() + ": no such file (nor " + (dir / "missing.bin").string() +
          ".gz); set --data-dir, data.dir or L2O_DATA_DIR, or run scripts/get-data.sh");
}
