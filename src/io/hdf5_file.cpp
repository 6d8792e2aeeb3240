#include "io/hdf5_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "util/error.hpp"

namespace l2o {
namespace {

// HDF5 prints its own error stack by default; we report through exceptions instead.
void silence_hdf5_errors() {
  static const bool silenced = [] { return H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0; }();
  (void)silenced;
}

hid_t checked(hid_t id, const std::string& what) {
  if (id < 0) throw SystemError("HDF5: " + what + " failed");
  return id;
}

void checked_status(herr_t status, const std::string& what) {
  if (status < 0) throw SystemError("HDF5: " + what + " failed");
}

Hdf5Handle simple_space(const Hdf5Shape& shape) {
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  return {checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                  "H5Screate_simple"),
          H5Sclose};
}

Hdf5Handle string_type() {
  Hdf5Handle type(checked(H5Tcopy(H5T_C_S1), "H5Tcopy"), H5Tclose);
  checked_status(H5Tset_size(type.id(), H5T_VARIABLE), "H5Tset_size");
  checked_status(H5Tset_cset(type.id(), H5T_CSET_UTF8), "H5Tset_cset");
  return type;
}

Hdf5Shape shape_of(hid_t dataset, const std::string& where) {
  Hdf5Handle space(checked(H5Dget_space(dataset), "H5Dget_space of " + where), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.id());
  if (rank < 0) throw SystemError("HDF5: cannot read the shape of " + where);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.id(), dims.data(), nullptr);
  return {dims.begin(), dims.end()};
}

std::uint64_t element_count(const Hdf5Shape& shape) {
  std::uint64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

// How many times its stored bytes a dataset can hold. l2o writes no filters, but a file
// compressed afterwards (h5repack -f GZIP=9) still reads: deflate expands at most 1032-fold
// (zlib's limit), shuffle and Fletcher-32 not at all. Other filters are refused.
std::uint64_t expansion_limit(hid_t dataset, const std::string& where) {
  Hdf5Handle plist(checked(H5Dget_create_plist(dataset), "H5Dget_create_plist of " + where),
                   H5Pclose);
  const int filters = H5Pget_nfilters(plist.id());
  if (filters < 0) throw SystemError("HDF5: H5Pget_nfilters of " + where + " failed");
  std::uint64_t limit = 1;
  for (int i = 0; i < filters; ++i) {
    unsigned flags = 0;
    std::size_t parameters = 0;
    const H5Z_filter_t filter = H5Pget_filter2(plist.id(), static_cast<unsigned>(i), &flags,
                                               &parameters, nullptr, 0, nullptr, nullptr);
    if (filter == H5Z_FILTER_DEFLATE)
      limit = 1032;
    else if (filter != H5Z_FILTER_SHUFFLE && filter != H5Z_FILTER_FLETCHER32)
      throw InputError(where + ": stored with HDF5 filter " + std::to_string(filter) +
                       ", which l2o does not read; the file is damaged or not from l2o");
  }
  return limit;
}

// Elements of a dataset about to be read, checked against the bytes the file stores for it: the
// shape comes from the file, and a damaged or hostile header can declare far more than the file
// holds (8 TB of doubles in a 463-byte file), which would be allocated before HDF5 reads a byte.
std::uint64_t stored_element_count(hid_t dataset, const Hdf5Shape& shape,
                                   const std::string& where) {
  std::uint64_t n = 1;
  for (auto d : shape) {
    if (d != 0 && n > std::numeric_limits<std::uint64_t>::max() / d)
      throw InputError(where + ": dataset shape overflows; the file is damaged");
    n *= d;
  }
  if (n == 0) return 0;
  Hdf5Handle type(checked(H5Dget_type(dataset), "H5Dget_type of " + where), H5Tclose);
  const std::size_t element_size = H5Tget_size(type.id());
  const std::uint64_t stored = H5Dget_storage_size(dataset);
  if (element_size == 0 || n / expansion_limit(dataset, where) > stored / element_size)
    throw InputError(where + ": " + std::to_string(n) + " elements declared but " +
                     std::to_string(stored) + " bytes stored; the file is damaged");
  return n;
}

// Scalar reads (strings, attributes) pass the address of one value to HDF5, which writes as many
// elements as the file declares: anything but exactly one would overrun it.
void require_one_element(hid_t space_id, const std::string& where) {
  Hdf5Handle space(checked(space_id, "dataspace of " + where), H5Sclose);
  if (H5Sget_simple_extent_npoints(space.id()) != 1)
    throw InputError(where + ": expected a single value; the file is damaged or not from l2o");
}

// The unsigned little-endian number of `count` bytes at `bytes` (HDF5 file metadata).
std::uint64_t little_endian(const unsigned char* bytes, int count) {
  std::uint64_t value = 0;
  for (int i = count - 1; i >= 0; --i) value = value << 8 | bytes[i];
  return value;
}

// True if the global heap collection at byte `heap` (HDF5 file format, "Global Heap": "GCOL",
// version 1, 3 reserved bytes, its size, then objects of index (2 bytes), reference count (2),
// reserved (4), size (8) and data padded to 8 bytes; index 0 is free space, its size including
// the header) lies within the file, every object within it, and object `index` holds at least
// `length` bytes. libhdf5 1.10 walks the objects the same way before it reads one
// (H5HG__cache_heap_deserialize) and loops forever when a size does not advance the walk (0, or
// so large that the address wraps around), or copies wild lengths
// (fuzz/known-libhdf5/*global_heap*). `read_at(at, count)` gives the file's bytes, empty beyond
// its end.
template <class ReadAt>
bool global_heap_holds(const ReadAt& read_at, std::uint64_t heap, std::uint64_t index,
                       std::uint64_t length) {
  constexpr std::uint64_t kHeader = 16;  // of the collection and of each object
  const auto header = read_at(heap, kHeader);
  if (header.empty() || std::string(header.begin(), header.begin() + 4) != "GCOL") return false;
  const std::uint64_t size = little_endian(header.data() + 8, 8);
  if (size < kHeader) return false;
  const auto collection = read_at(heap, size);
  if (collection.empty()) return false;
  bool found = false;
  for (std::uint64_t at = kHeader; size - at >= kHeader;) {  // a shorter tail is free space
    const std::uint64_t object = little_endian(collection.data() + at, 2);
    const std::uint64_t object_size = little_endian(collection.data() + at + 8, 8);
    if (object_size > size) return false;
    const std::uint64_t extent = object == 0 ? object_size : kHeader + (object_size + 7) / 8 * 8;
    if (extent < kHeader || extent > size - at) return false;
    if (object == index) found = object_size >= length;
    at += extent;
  }
  return found;
}

// libhdf5 allocates (and zeroes) a variable-length string's buffer at the length the file
// declares before it reads a byte of the string, so a damaged length makes it take up to 4 GB
// (fuzz/known-libhdf5/vlen_string_dataset_2GB_18s: 1.8 GB, 18 s). The length is the first field
// of the stored element -- 4 bytes, little-endian (HDF5 file format, "Variable-Length" datatype,
// disk representation) -- and the string's bytes live in the file's global heap, so a length
// beyond the file's size is damage. The heap object it references is checked too
// (global_heap_holds). Both before H5Dread; l2o writes strings as one contiguous variable-length
// element (write_string), anything else is rejected.
void check_string_length(hid_t dataset, const std::string& where) {
  const std::string not_ours = "; the file is damaged or not from l2o";
  Hdf5Handle type(checked(H5Dget_type(dataset), "H5Dget_type of " + where), H5Tclose);
  if (H5Tget_class(type.id()) != H5T_STRING || H5Tis_variable_str(type.id()) <= 0)
    throw InputError(where + ": not a variable-length string" + not_ours);
  Hdf5Handle plist(checked(H5Dget_create_plist(dataset), "H5Dget_create_plist of " + where),
                   H5Pclose);
  if (H5Pget_layout(plist.id()) != H5D_CONTIGUOUS || H5Pget_external_count(plist.id()) != 0)
    throw InputError(where + ": string not stored contiguously in the file" + not_ours);
  const haddr_t offset = H5Dget_offset(dataset);
  if (offset == HADDR_UNDEF) return;  // never written: reads as the fill value (no length)
  // The element: length (4 bytes), the heap collection's address (8) and the object's index (4),
  // for files with 8-byte addresses and lengths (HDF5's default, all l2o writes).
  Hdf5Handle file_id(checked(H5Iget_file_id(dataset), "H5Iget_file_id of " + where), H5Fclose);
  Hdf5Handle file_plist(checked(H5Fget_create_plist(file_id.id()), "H5Fget_create_plist"),
                        H5Pclose);
  std::size_t address_size = 0, length_size = 0;
  checked_status(H5Pget_sizes(file_plist.id(), &address_size, &length_size), "H5Pget_sizes");
  hsize_t base = 0;  // heap addresses count from the end of a user block, if any
  checked_status(H5Pget_userblock(file_plist.id(), &base), "H5Pget_userblock");
  if (address_size != 8 || length_size != 8)
    throw InputError(where + ": file with " + std::to_string(address_size) + "-byte addresses" +
                     not_ours);
  const ssize_t name_length = H5Fget_name(dataset, nullptr, 0);
  if (name_length <= 0) throw SystemError("HDF5: H5Fget_name of " + where + " failed");
  std::string file(static_cast<std::size_t>(name_length), '\0');
  H5Fget_name(dataset, file.data(), file.size() + 1);
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in) throw SystemError(where + ": cannot reopen " + file + " to check the string's length");
  const auto file_size = static_cast<std::uint64_t>(in.tellg());
  // `count` bytes at byte `at` of the file, or empty if they lie beyond its end.
  const auto read_at = [&](std::uint64_t at, std::uint64_t count) {
    std::vector<unsigned char> bytes;
    if (at > file_size || count > file_size - at) return bytes;
    bytes.resize(count);
    in.seekg(static_cast<std::streamoff>(at));
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(count));
    if (!in) throw SystemError(where + ": cannot read the string's bytes from " + file);
    return bytes;
  };
  const auto element = read_at(offset, 16);
  if (element.empty())
    throw InputError(where + ": string stored at byte " + std::to_string(offset) +
                     ", beyond the end of the file; the file is damaged");
  const std::uint64_t length = little_endian(element.data(), 4);
  if (length > file_size)
    throw InputError(where + ": string of " + std::to_string(length) +
                     " bytes declared in a file of " + std::to_string(file_size) +
                     " bytes; the file is damaged");
  const std::uint64_t heap = little_endian(element.data() + 4, 8);
  if (heap == 0) return;  // a null string: libhdf5 reads no heap
  const std::uint64_t index = little_endian(element.data() + 12, 4);
  if (heap > std::numeric_limits<std::uint64_t>::max() - base ||
      !global_heap_holds(read_at, base + heap, index, length))
    throw InputError(where + ": the global heap at byte " + std::to_string(heap) +
                     " that holds the string is malformed; the file is damaged");
}

template <class T>
void write_numeric(const Hdf5Group& group, const std::string& name, const T* data,
                   const Hdf5Shape& shape, hid_t file_type, hid_t memory_type) {
  const std::string where = group.where(name);
  auto space = simple_space(shape);
  Hdf5Handle dataset(checked(H5Dcreate2(group.id(), name.c_str(), file_type, space.id(),
                                        H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                             "creating " + where),
                     H5Dclose);
  if (element_count(shape) > 0)
    checked_status(H5Dwrite(dataset.id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data),
                   "writing " + where);
}

template <class T>
void set_numeric_attribute(const Hdf5Group& group, const std::string& name, T value, hid_t type) {
  Hdf5Handle space(checked(H5Screate(H5S_SCALAR), "H5Screate"), H5Sclose);
  if (H5Aexists(group.id(), name.c_str()) > 0) H5Adelete(group.id(), name.c_str());
  Hdf5Handle attribute(
      checked(H5Acreate2(group.id(), name.c_str(), type, space.id(), H5P_DEFAULT, H5P_DEFAULT),
              "creating attribute " + group.where(name)),
      H5Aclose);
  checked_status(H5Awrite(attribute.id(), type, &value), "writing attribute " + group.where(name));
}

template <class T>
T numeric_attribute(const Hdf5Group& group, const std::string& name, hid_t type) {
  if (H5Aexists(group.id(), name.c_str()) <= 0)
    throw InputError(group.where(name) + ": attribute missing");
  Hdf5Handle attribute(checked(H5Aopen(group.id(), name.c_str(), H5P_DEFAULT),
                               "opening attribute " + group.where(name)),
                       H5Aclose);
  require_one_element(H5Aget_space(attribute.id()), group.where(name));
  T value{};
  checked_status(H5Aread(attribute.id(), type, &value), "reading attribute " + group.where(name));
  return value;
}

}  // namespace

Hdf5Handle& Hdf5Handle::operator=(Hdf5Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.id_;
    closer_ = other.closer_;
    other.id_ = -1;
  }
  return *this;
}

void Hdf5Handle::reset() {
  if (id_ >= 0 && closer_ != nullptr) closer_(id_);
  id_ = -1;
}

std::string Hdf5Group::where(const std::string& name) const {
  if (name.empty()) return file_ + ":" + path_;  // the group itself
  return file_ + ":" + (path_ == "/" ? "" : path_) + "/" + name;
}

Hdf5Group Hdf5Group::create_group(const std::string& name) const {
  Hdf5Handle group(checked(H5Gcreate2(id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                           "creating group " + where(name)),
                   H5Gclose);
  return {std::move(group), file_, (path_ == "/" ? "" : path_) + "/" + name};
}

bool Hdf5Group::contains(const std::string& name) const {
  return H5Lexists(id(), name.c_str(), H5P_DEFAULT) > 0;
}

Hdf5Group Hdf5Group::open_group(const std::string& name) const {
  if (!contains(name)) throw InputError(where(name) + ": group missing");
  Hdf5Handle group(
      checked(H5Gopen2(id(), name.c_str(), H5P_DEFAULT), "opening group " + where(name)), H5Gclose);
  return {std::move(group), file_, (path_ == "/" ? "" : path_) + "/" + name};
}

void Hdf5Group::write(const std::string& name, const double* data, const Hdf5Shape& shape) const {
  write_numeric(*this, name, data, shape, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
}

void Hdf5Group::write(const std::string& name, const float* data, const Hdf5Shape& shape) const {
  write_numeric(*this, name, data, shape, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
}

void Hdf5Group::write(const std::string& name, const std::int64_t* data,
                      const Hdf5Shape& shape) const {
  write_numeric(*this, name, data, shape, H5T_STD_I64LE, H5T_NATIVE_INT64);
}

void Hdf5Group::write_string(const std::string& name, const std::string& value) const {
  auto type = string_type();
  Hdf5Handle space(checked(H5Screate(H5S_SCALAR), "H5Screate"), H5Sclose);
  Hdf5Handle dataset(checked(H5Dcreate2(id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT,
                                        H5P_DEFAULT, H5P_DEFAULT),
                             "creating " + where(name)),
                     H5Dclose);
  const char* text = value.c_str();
  checked_status(H5Dwrite(dataset.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text),
                 "writing " + where(name));
}

void Hdf5Group::set_attribute(const std::string& name, const std::string& value) const {
  auto type = string_type();
  Hdf5Handle space(checked(H5Screate(H5S_SCALAR), "H5Screate"), H5Sclose);
  if (H5Aexists(id(), name.c_str()) > 0) H5Adelete(id(), name.c_str());
  Hdf5Handle attribute(
      checked(H5Acreate2(id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT),
              "creating attribute " + where(name)),
      H5Aclose);
  const char* text = value.c_str();
  checked_status(H5Awrite(attribute.id(), type.id(), &text), "writing attribute " + where(name));
}

void Hdf5Group::set_attribute(const std::string& name, double value) const {
  set_numeric_attribute(*this, name, value, H5T_NATIVE_DOUBLE);
}

void Hdf5Group::set_attribute(const std::string& name, std::int64_t value) const {
  set_numeric_attribute(*this, name, value, H5T_NATIVE_INT64);
}

Hdf5Handle Hdf5Group::open_dataset(const std::string& name) const {
  if (!contains(name)) throw InputError(where(name) + ": dataset missing");
  return {checked(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), "opening " + where(name)), H5Dclose};
}

Hdf5DatasetInfo Hdf5Group::describe(const std::string& name) const {
  if (!contains(name)) throw InputError(where(name) + ": dataset missing");
  Hdf5Handle dataset(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), H5Dclose);
  if (dataset.id() < 0) throw InputError(where(name) + ": not a dataset");
  Hdf5DatasetInfo info;
  info.shape = shape_of(dataset.id(), where(name));
  Hdf5Handle type(checked(H5Dget_type(dataset.id()), "H5Dget_type of " + where(name)), H5Tclose);
  info.type_class = H5Tget_class(type.id());
  info.element_size = H5Tget_size(type.id());
  info.is_signed = info.type_class == H5T_INTEGER && H5Tget_sign(type.id()) == H5T_SGN_2;
  return info;
}

template <class T>
std::vector<T> Hdf5Group::read_numeric(const std::string& name, hid_t memory_type,
                                       Hdf5Shape* shape) const {
  auto dataset = open_dataset(name);
  const Hdf5Shape dims = shape_of(dataset.id(), where(name));
  std::vector<T> values(stored_element_count(dataset.id(), dims, where(name)));
  if (!values.empty())
    checked_status(H5Dread(dataset.id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
                   "reading " + where(name));
  if (shape != nullptr) *shape = dims;
  return values;
}

std::vector<double> Hdf5Group::read_doubles(const std::string& name, Hdf5Shape* shape) const {
  return read_numeric<double>(name, H5T_NATIVE_DOUBLE, shape);
}

std::vector<std::int64_t> Hdf5Group::read_integers(const std::string& name,
                                                   Hdf5Shape* shape) const {
  return read_numeric<std::int64_t>(name, H5T_NATIVE_INT64, shape);
}

std::vector<std::uint8_t> Hdf5Group::read_bytes(const std::string& name) const {
  return read_numeric<std::uint8_t>(name, H5T_NATIVE_UINT8, nullptr);
}

std::vector<float> Hdf5Group::read_floats(const std::string& name) const {
  return read_numeric<float>(name, H5T_NATIVE_FLOAT, nullptr);
}

std::string Hdf5Group::read_string(const std::string& name) const {
  auto dataset = open_dataset(name);
  require_one_element(H5Dget_space(dataset.id()), where(name));
  check_string_length(dataset.id(), where(name));
  auto type = string_type();
  char* text = nullptr;
  checked_status(H5Dread(dataset.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text),
                 "reading " + where(name));
  std::string value = text != nullptr ? text : "";
  H5free_memory(text);
  return value;
}

std::string Hdf5Group::string_attribute(const std::string& name) const {
  if (H5Aexists(id(), name.c_str()) <= 0) throw InputError(where(name) + ": attribute missing");
  Hdf5Handle attribute(
      checked(H5Aopen(id(), name.c_str(), H5P_DEFAULT), "opening attribute " + where(name)),
      H5Aclose);
  require_one_element(H5Aget_space(attribute.id()), where(name));
  auto type = string_type();
  char* text = nullptr;
  checked_status(H5Aread(attribute.id(), type.id(), &text), "reading attribute " + where(name));
  std::string value = text != nullptr ? text : "";
  H5free_memory(text);
  return value;
}

double Hdf5Group::double_attribute(const std::string& name) const {
  return numeric_attribute<double>(*this, name, H5T_NATIVE_DOUBLE);
}

std::int64_t Hdf5Group::integer_attribute(const std::string& name) const {
  return numeric_attribute<std::int64_t>(*this, name, H5T_NATIVE_INT64);
}

Hdf5Group open_hdf5_for_reading(const std::string& path) {
  silence_hdf5_errors();
  if (!std::filesystem::exists(path)) throw InputError(path + ": no such file");
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw InputError(path + ": not an HDF5 file (truncated or another format)");
  Hdf5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (file.id() < 0) throw InputError(path + ": cannot open as HDF5 (truncated or corrupt)");
  Hdf5Handle root(checked(H5Gopen2(file.id(), "/", H5P_DEFAULT), "opening / of " + path), H5Gclose);
  // The root group keeps the file open (HDF5 closes the file when its last object closes).
  return {std::move(root), path, "/"};
}

AtomicHdf5File::AtomicHdf5File(std::string final_path)
    : final_path_(std::move(final_path)),
      temporary_path_(final_path_ + ".tmp." + std::to_string(::getpid())) {
  silence_hdf5_errors();
  const auto parent = std::filesystem::path(final_path_).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent))
    throw InputError(final_path_ + ": output directory " + parent.string() +
                     " does not exist; create it or choose another output path");
  errno = 0;
  Hdf5Handle file(H5Fcreate(temporary_path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                  H5Fclose);
  if (file.id() < 0) {
    // The system's reason (a full disk, say); H5Fcreate may leave an empty file behind, and the
    // destructor does not run for a constructor that throws.
    const std::string reason = errno != 0 ? std::strerror(errno) : "HDF5 H5Fcreate failed";
    std::error_code ignored;
    std::filesystem::remove(temporary_path_, ignored);
    throw SystemError(temporary_path_ + ": cannot create: " + reason);
  }
  Hdf5Handle root(checked(H5Gopen2(file.id(), "/", H5P_DEFAULT), "opening / of " + temporary_path_),
                  H5Gclose);
  root_ = std::make_unique<Hdf5Group>(std::move(root), final_path_, "/");
}

AtomicHdf5File::~AtomicHdf5File() {
  if (committed_) return;
  root_.reset();
  std::error_code ignored;
  std::filesystem::remove(temporary_path_, ignored);
}

void AtomicHdf5File::commit() {
  checked_status(H5Fflush(root_->id(), H5F_SCOPE_GLOBAL), "flushing " + temporary_path_);
  root_.reset();  // closes the file: the root group was its last open object
  std::error_code error;
  std::filesystem::rename(temporary_path_, final_path_, error);
  if (error)
    throw SystemError(final_path_ + ": rename from temporary file failed: " + error.message());
  committed_ = true;
}

}  // namespace l2o
