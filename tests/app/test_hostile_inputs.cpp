// Hostile input matrix for the real `l2o` binary (issue 7 item 2): every bad config, data file,
// run setting and output path gives its exact one-line error and exit code, or -- for the run
// settings that are legitimate -- a valid result file. No case loses or overwrites anything already
// written, and none leaves a file under the final output name.
#include <sys/mount.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "app/hostile_checks.hpp"
#include "app/run_l2o.hpp"
#include "data/file_bytes.hpp"
#include "io/hdf5_file.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using l2o::test::expect_rejected;
using l2o::test::read_text;
using l2o::test::run_l2o;
using l2o::test::snapshot;

// Small enough that a whole training run takes a fraction of a second on real MNIST.
const std::string kTiny =
    " --quiet --set task.input_dim=8 --set 'task.hidden=[8]' --set run.iterations=3 --set "
    "run.seeds=1";

std::string train(const fs::path& data_dir, const fs::path& output, const std::string& extra = "") {
  return "train --data-dir " + data_dir.string() + " --output " + output.string() + kTiny + extra;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// A scratch data directory whose mnist/ files are symlinks to the real ones; a case then
// replaces one file with a hostile version.
fs::path mnist_copy(const fs::path& dir) {
  const fs::path data = dir / "data";
  fs::create_directories(data / "mnist");
  for (const std::string name : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
    const std::string real = l2o::resolve_data_file(l2o::test::data_dir() + "/mnist/" + name);
    fs::create_symlink(real, data / "mnist" / fs::path(real).filename());
  }
  return data;
}

// Replaces mnist/<name> (raw or .gz) by `bytes`, stored under mnist/<name><suffix>.
void replace_mnist_file(const fs::path& data, const std::string& name, const Bytes& bytes,
                        const std::string& suffix = "") {
  fs::remove(data / "mnist" / name);
  fs::remove(data / "mnist" / (name + ".gz"));
  l2o::test::write_bytes(data / "mnist" / (name + suffix), bytes);
}

Bytes real_mnist(const std::string& name) {
  return l2o::read_file_bytes(l2o::resolve_data_file(l2o::test::data_dir() + "/mnist/" + name));
}

Bytes real_compressed_mnist(const std::string& name) {
  const std::string path = l2o::test::data_dir() + "/mnist/" + name + ".gz";
  REQUIRE(fs::exists(path));  // the gzip'd original (get-data.sh keeps the .gz files)
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

l2o::Hdf5Group run_group(const l2o::Hdf5Group& file, const std::string& name) {
  return file.open_group("runs").open_group(name);
}

}  // namespace

// ---------------------------------------------------------------------------------- config ----

TEST_CASE("hostile config: unknown key, wrong type, out of range", "[app][hostile]") {
  const auto dir = l2o::test::scratch_dir("hostile-config");
  const auto data = l2o::test::data_dir();
  const auto config = dir / "exp.toml";
  const auto run_with = [&](const std::string& text) {
    write_text(config, text);
    return train(data, dir / "out.h5") + " --config " + config.string();
  };
  expect_rejected(
      dir, run_with("[optimiser]\nname = \"adam\"\n"),
      config.string() + ":1:2: unknown key 'optimiser'; did you mean 'optimizer.name'?");
  expect_rejected(
      dir, run_with("[run]\niterations = \"3\"\n"),
      config.string() + ":2:1: run.iterations must be an integer in [0, 100000000], got a string");
  expect_rejected(dir, run_with("[run]\nseeds = 0\n"),
                  config.string() + ":2:1: run.seeds must be an integer in [1, 100000], got 0");
  expect_rejected(dir, run_with("[task]\nhidden = [8, 0]\n"),
                  config.string() +
                      ":2:1: task.hidden must be a non-empty list of integers each in [1, 100000], "
                      "got an element 0");
}

TEST_CASE("hostile config: missing, empty, duplicated key, non-UTF-8", "[app][hostile]") {
  const auto dir = l2o::test::scratch_dir("hostile-config-file");
  const auto data = l2o::test::data_dir();
  const auto config = dir / "exp.toml";
  const auto arguments = train(data, dir / "out.h5") + " --config " + config.string();
  expect_rejected(dir, arguments, config.string() + ": cannot open config file; check the path");
  write_text(config, "\n  \n");
  expect_rejected(dir, arguments,
                  config.string() + ": config file is empty; start from `l2o config --defaults`");
  write_text(config, "[task]\nbatch_size = 10\nbatch_size = 20\n");
  expect_rejected(dir, arguments,
                  config.string() +
                      ":3:14: invalid TOML: Error while parsing key-value pair: "
                      "cannot redefine existing integer 'batch_size'");
  write_text(config, "[task]\ndataset = \"mn\xff\xfeist\"\n");
  expect_rejected(dir, arguments,
                  config.string() + ":2:13: invalid TOML: Encountered invalid utf-8 sequence");
}

// -------------------------------------------------------------------------------- datasets ----

TEST_CASE("hostile data: missing file, wrong magic, truncated header and body", "[app][hostile]") {
  const auto dir = l2o::test::scratch_dir("hostile-idx");
  const auto data = mnist_copy(dir);
  const auto mnist = (data / "mnist").string();
  const auto arguments = train(data, dir / "out.h5");
  const Bytes images = real_mnist("train-images-idx3-ubyte");

  fs::remove(data / "mnist" / "train-labels-idx1-ubyte.gz");
  fs::remove(data / "mnist" / "train-labels-idx1-ubyte");
  expect_rejected(dir, arguments,
                  mnist + "/train-labels-idx1-ubyte: no such file (nor " + mnist +
                      "/train-labels-idx1-ubyte.gz); set --data-dir, data.dir or L2O_DATA_DIR, or "
                      "run scripts/get-data.sh");
  l2o::test::write_bytes(data / "mnist" / "train-labels-idx1-ubyte",
                         real_mnist("train-labels-idx1-ubyte"));

  Bytes wrong_magic(images.begin(), images.begin() + 4096);
  wrong_magic[2] = 0x09;  // 0x00000903: not an IDX3 unsigned-byte file
  replace_mnist_file(data, "train-images-idx3-ubyte", wrong_magic);
  expect_rejected(dir, arguments,
                  mnist +
                      "/train-images-idx3-ubyte: wrong magic 0x00000903 (expected 0x00000803 "
                      "for IDX3 unsigned-byte images)");

  replace_mnist_file(data, "train-images-idx3-ubyte", Bytes(images.begin(), images.begin() + 12));
  expect_rejected(dir, arguments,
                  mnist + "/train-images-idx3-ubyte: truncated IDX header (12 bytes, need 16)");

  // The real header and its first ten images: a download cut short.
  replace_mnist_file(data, "train-images-idx3-ubyte",
                     Bytes(images.begin(), images.begin() + 16 + 10 * 784));
  expect_rejected(dir, arguments,
                  mnist +
                      "/train-images-idx3-ubyte: file has 7856 bytes, header (60000 "
                      "images of 28x28) implies 47040016 (truncated body)");
}

TEST_CASE("hostile data: label out of range, gzip corruption and truncation", "[app][hostile]") {
  const auto dir = l2o::test::scratch_dir("hostile-labels");
  const auto data = mnist_copy(dir);
  const auto mnist = (data / "mnist").string();
  const auto arguments = train(data, dir / "out.h5");

  Bytes labels = real_mnist("train-labels-idx1-ubyte");
  labels[8 + 59999] = 10;  // the last record: every label is checked
  replace_mnist_file(data, "train-labels-idx1-ubyte", labels);
  expect_rejected(
      dir, arguments,
      mnist + "/train-labels-idx1-ubyte: label 10 of record 59999 is out of range [0, 10)");

  Bytes flipped = real_compressed_mnist("train-labels-idx1-ubyte");
  for (std::size_t i = 1000; i < 1100; ++i) flipped[i] ^= 0x5a;
  replace_mnist_file(data, "train-labels-idx1-ubyte", flipped, ".gz");
  expect_rejected(dir, arguments,
                  mnist +
                      "/train-labels-idx1-ubyte.gz: corrupt gzip data; re-fetch the file "
                      "(scripts/get-data.sh verifies sha256)");

  const Bytes gz = real_compressed_mnist("train-images-idx3-ubyte");
  replace_mnist_file(data, "train-images-idx3-ubyte", Bytes(gz.begin(), gz.begin() + 100000),
                     ".gz");
  expect_rejected(dir, arguments,
                  mnist +
                      "/train-images-idx3-ubyte.gz: truncated gzip stream; re-fetch the file "
                      "(scripts/get-data.sh verifies sha256)");
}

TEST_CASE("hostile data: another data set's images (FER2013 48x48 where MNIST 28x28 belongs)",
          "[app][hostile]") {
  // Without the size check this would train happily: the projection is fitted on the training
  // split itself, so any image size "works" -- and silently defines a different task.
  const auto dir = l2o::test::scratch_dir("hostile-size");
  const auto data = mnist_copy(dir);
  const auto mnist = (data / "mnist").string();
  for (const std::string kind : {"images-idx3-ubyte", "labels-idx1-ubyte"}) {
    fs::remove(data / "mnist" / ("train-" + kind + ".gz"));
    fs::remove(data / "mnist" / ("train-" + kind));
    fs::create_symlink(l2o::resolve_data_file(l2o::test::data_dir() + "/fer2013/test-" + kind),
                       data / "mnist" / ("train-" + kind + ".gz"));
  }
  expect_rejected(dir, train(data, dir / "out.h5"),
                  mnist +
                      "/train-images-idx3-ubyte.gz: images are 48x48 but mnist images are "
                      "28x28 (a file of another data set?); re-fetch it (scripts/get-data.sh "
                      "verifies sha256)");
}

TEST_CASE("hostile data: CIFAR file size not a multiple of the record", "[app][hostile]") {
  const auto dir = l2o::test::scratch_dir("hostile-cifar");
  const auto data = dir / "data";
  fs::create_directories(data / "cifar10");
  l2o::test::write_bytes(data / "cifar10" / "data_batch_1.bin", Bytes(3073 * 2 + 5, 0));
  expect_rejected(dir, train(data, dir / "out.h5", " --set task.dataset=cifar10"),
                  (data / "cifar10" / "data_batch_1.bin").string() +
                      ": 6151 bytes is not a whole number of 3073-byte CIFAR-10 records "
                      "(truncated or wrong format)");
}

// ------------------------------------------------------------------------------------ runs ----

TEST_CASE("hostile run: NaN/Inf in the base objective is recorded as divergence",
          "[app][hostile]") {
  const auto dir = l2o::test::scratch_dir("hostile-nan");
  const auto output = dir / "out.h5";
  // SGD with step 1e300 overflows the parameters in its first step.
  const auto outcome = run_l2o(train(l2o::test::data_dir(), output,
                                     " --set 'optimizer.hyperparameters={learning_rate=1e300}'"));
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  CHECK(outcome.output.find("run 0 (seed 1): true objective ") != std::string::npos);
  CHECK(outcome.output.find("(diverged)\nfinal true objective: none, every run diverged\n") !=
        std::string::npos);
  const auto run = run_group(l2o::open_hdf5_for_reading(output.string()), "run_0000");
  CHECK(run.integer_attribute("diverged_at") == 1);
  const auto curve = run.read_doubles("true_objective");
  REQUIRE(curve.size() == 2);  // f(x0), then the non-finite value; nothing after the divergence
  CHECK(std::isfinite(curve[0]));
  CHECK_FALSE(std::isfinite(curve[1]));
  CHECK(run.read_integers("iterations") == std::vector<std::int64_t>{0, 1});
}

TEST_CASE("hostile run: zero iterations writes the initial objective only", "[app][hostile]") {
  const auto dir = l2o::test::scratch_dir("hostile-zero");
  const auto output = dir / "out.h5";
  const auto outcome = run_l2o(train(l2o::test::data_dir(), output, " --set run.iterations=0"));
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  REQUIRE(run_l2o(train(l2o::test::data_dir(), dir / "three.h5")).exit_code == 0);
  const auto file = l2o::open_hdf5_for_reading(output.string());
  const auto run = run_group(file, "run_0000");
  CHECK(run.read_integers("iterations") == std::vector<std::int64_t>{0});
  const auto curve = run.read_doubles("true_objective");
  REQUIRE(curve.size() == 1);
  // The same seeded starting point as any run of that seed: f(x0) of a 3-iteration run, bitwise.
  const auto three = l2o::open_hdf5_for_reading((dir / "three.h5").string());
  CHECK(curve[0] == run_group(three, "run_0000").read_doubles("true_objective").front());
  CHECK(run.read_doubles("minibatch_objective").empty());
  CHECK(run.integer_attribute("diverged_at") == -1);
  CHECK(file.open_group("meta").read_string("config").find("iterations = 0") != std::string::npos);
}

TEST_CASE("hostile run: more ranks than work units (np 2, one seed)", "[app][hostile][mpi]") {
  const auto dir = l2o::test::scratch_dir("hostile-ranks");
  const auto data = l2o::test::data_dir();
  const auto two = l2o::test::run_l2o_mpi(2, train(data, dir / "np2.h5"));
  INFO(two.output);
  REQUIRE(two.exit_code == 0);
  REQUIRE(run_l2o(train(data, dir / "np1.h5")).exit_code == 0);
  const auto a = l2o::open_hdf5_for_reading((dir / "np2.h5").string());
  const auto b = l2o::open_hdf5_for_reading((dir / "np1.h5").string());
  CHECK(a.open_group("meta").integer_attribute("mpi_ranks") == 2);
  CHECK_FALSE(a.open_group("runs").contains("run_0001"));
  const auto curve = run_group(a, "run_0000").read_doubles("true_objective");
  CHECK(curve.size() == 4);
  CHECK(curve == run_group(b, "run_0000").read_doubles("true_objective"));  // bitwise
}

// ------------------------------------------------------------------------------ filesystem ----

TEST_CASE("hostile filesystem: output directory cannot exist or is not writable",
          "[app][hostile]") {
  const auto dir = l2o::test::scratch_dir("hostile-fs");
  const auto data = l2o::test::data_dir();
  // Root ignores permission bits, so chmod cannot make a directory unwritable here: use a
  // regular file as the "directory", and /proc, which refuses new files even to root.
  const auto file = dir / "plain-file";
  write_text(file, "not a directory\n");
  const auto under_file = (file / "x.h5").string();
  expect_rejected(dir, train(data, under_file),
                  "run.output = \"" + under_file + "\": cannot create directory " + file.string() +
                      "; choose another path");
  const auto before = snapshot(dir);
  const auto in_proc = run_l2o(train(data, "/proc/l2o-hostile.h5"));
  CHECK(in_proc.exit_code == 2);
  CHECK(in_proc.output ==
        "l2o: error: run.output = \"/proc/l2o-hostile.h5\": directory /proc is "
        "not writable; choose another path\n");
  CHECK_FALSE(fs::exists("/proc/l2o-hostile.h5"));
  CHECK(snapshot(dir) == before);
}

TEST_CASE("hostile filesystem: an existing result survives failing runs", "[app][hostile]") {
  const auto dir = l2o::test::scratch_dir("hostile-existing");
  const auto output = dir / "out.h5";
  REQUIRE(run_l2o(train(l2o::test::data_dir(), output)).exit_code == 0);
  const std::string result = read_text(output);
  // A bad config, a bad data directory and a bad override all leave it byte for byte.
  write_text(dir / "bad.toml", "[run]\nseeds = -1\n");
  expect_rejected(
      dir, train(l2o::test::data_dir(), output) + " --config " + (dir / "bad.toml").string(),
      (dir / "bad.toml").string() + ":2:1: run.seeds must be an integer in [1, 100000], got -1");
  expect_rejected(dir, train(dir / "nodata", output),
                  (dir / "nodata").string() + "/mnist/train-images-idx3-ubyte: no such file (nor " +
                      (dir / "nodata").string() +
                      "/mnist/train-images-idx3-ubyte.gz); set --data-dir, data.dir or "
                      "L2O_DATA_DIR, or run scripts/get-data.sh");
  expect_rejected(dir, train(l2o::test::data_dir(), output, " --set optimizer.name=newton"),
                  "--set optimizer.name=newton: optimizer.name must be one of \"sgd\", "
                  "\"momentum\", \"cg\", \"lbfgs\", \"adam\", \"adagrad\", \"rmsprop\", got "
                  "\"newton\"");
  CHECK(read_text(output) == result);
}

TEST_CASE("hostile filesystem: disk full (small tmpfs) fails cleanly", "[app][hostile]") {
  const auto dir = l2o::test::scratch_dir("hostile-full");
  const auto mount_point = dir / "tmpfs";
  fs::create_directories(mount_point);
  if (::mount("l2o-test", mount_point.c_str(), "tmpfs", 0, "size=256k") != 0)
    L2O_SKIP("cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN)");
  struct Unmount {
    fs::path at;
    ~Unmount() { ::umount(at.c_str()); }
  } unmount{mount_point};

  // An earlier result lives on the full disk; a new run tries to replace it.
  const auto output = mount_point / "out.h5";
  REQUIRE(run_l2o(train(l2o::test::data_dir(), output)).exit_code == 0);
  {
    std::ofstream filler(mount_point / "filler", std::ios::binary);
    const std::string block(4096, 'x');
    while (filler.write(block.data(), block.size())) filler.flush();
  }
  const auto before = snapshot(mount_point);
  const auto outcome = run_l2o(train(l2o::test::data_dir(), output, " --set run.iterations=4"));
  INFO(outcome.output);
  CHECK(outcome.exit_code == 3);
  // The temporary name carries the pid of the l2o process, unknown here.
  CHECK_THAT(outcome.output, Catch::Matches("l2o: error \\(rank 0\\): " + output.string() +
                                            "\\.tmp\\.[0-9]+: cannot create: No space left on "
                                            "device\n"));
  CHECK(snapshot(mount_point) == before);  // the old result intact, no temporary file left
}
