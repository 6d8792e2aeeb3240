#pragma once
// A small RAII layer over the HDF5 C API. Every call is checked; a failure throws SystemError
// naming the file and the object (style.md: every C call checked through a tiny wrapper).
// Output files are written under a temporary name and renamed when complete (AtomicHdf5File),
// so no half-written file ever carries its final name.
#include <hdf5.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace l2o {

/// An open HDF5 identifier closed by the matching H5?close on destruction.
class Hdf5Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Hdf5Handle() = default;
  Hdf5Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Hdf5Handle(Hdf5Handle&& other) noexcept : id_(other.id_), closer_(other.closer_) {
    other.id_ = -1;
  }
  Hdf5Handle& operator=(Hdf5Handle&& other) noexcept;
  Hdf5Handle(const Hdf5Handle&) = delete;
  Hdf5Handle& operator=(const Hdf5Handle&) = delete;
  ~Hdf5Handle() { reset(); }
  /// Closes now; errors while closing are reported by the caller's next checked call.
  void reset();
  [[nodiscard]] hid_t id() const { return id_; }

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

/// Shape of a dataset: {n} for vectors, {rows, cols} for row-major matrices.
using Hdf5Shape = std::vector<std::uint64_t>;

/// What a dataset holds, for readers that check a user's file before reading it.
struct Hdf5DatasetInfo {
  Hdf5Shape shape;
  H5T_class_t type_class = H5T_NO_CLASS;  ///< H5T_INTEGER, H5T_FLOAT, H5T_STRING, ...
  std::size_t element_size = 0;           ///< bytes per stored element
  bool is_signed = false;                 ///< for integers
};

/// A group (or the file's root group) inside an open file.
class Hdf5Group {
 public:
  Hdf5Group(Hdf5Handle handle, std::string file, std::string path)
      : handle_(std::move(handle)), file_(std::move(file)), path_(std::move(path)) {}

  /// Creates a subgroup; intermediate groups must exist.
  Hdf5Group create_group(const std::string& name) const;
  /// Opens a subgroup; throws naming file and path if it is missing.
  [[nodiscard]] Hdf5Group open_group(const std::string& name) const;
  /// True if a link `name` exists in this group.
  [[nodiscard]] bool contains(const std::string& name) const;

  /// Writes doubles (row-major) with the given shape.
  void write(const std::string& name, const double* data, const Hdf5Shape& shape) const;
  void write(const std::string& name, const std::vector<double>& values) const {
    write(name, values.data(), {values.size()});
  }
  /// Writes single-precision floats (row-major) with the given shape; read_doubles reads them
  /// back exactly (HDF5 converts float to double on reading).
  void write(const std::string& name, const float* data, const Hdf5Shape& shape) const;
  /// Writes 64-bit integers with the given shape.
  void write(const std::string& name, const std::int64_t* data, const Hdf5Shape& shape) const;
  void write(const std::string& name, const std::vector<std::int64_t>& values) const {
    write(name, values.data(), {values.size()});
  }
  /// Writes a variable-length UTF-8 string scalar dataset (configs, command lines).
  void write_string(const std::string& name, const std::string& value) const;

  /// Attributes on this group.
  void set_attribute(const std::string& name, const std::string& value) const;
  void set_attribute(const std::string& name, double value) const;
  void set_attribute(const std::string& name, std::int64_t value) const;

  /// Shape and element type of dataset `name`; throws InputError if it is missing or is not a
  /// dataset (a group, say).
  [[nodiscard]] Hdf5DatasetInfo describe(const std::string& name) const;

  /// Reads a double dataset; `shape` receives its dimensions.
  [[nodiscard]] std::vector<double> read_doubles(const std::string& name,
                                                 Hdf5Shape* shape = nullptr) const;
  /// Reads an integer dataset (stored as any integer type).
  [[nodiscard]] std::vector<std::int64_t> read_integers(const std::string& name,
                                                        Hdf5Shape* shape = nullptr) const;
  /// Reads a numeric dataset as unsigned bytes / single-precision floats (HDF5 converts; callers
  /// check the stored type with describe() first).
  [[nodiscard]] std::vector<std::uint8_t> read_bytes(const std::string& name) const;
  [[nodiscard]] std::vector<float> read_floats(const std::string& name) const;
  /// Reads a variable-length string dataset as write_string stores it. Its declared length is
  /// checked against the file's size on disk first (libhdf5 would allocate it blindly), so the
  /// file must be complete on disk: read committed files, not one being written.
  [[nodiscard]] std::string read_string(const std::string& name) const;
  [[nodiscard]] std::string string_attribute(const std::string& name) const;
  [[nodiscard]] double double_attribute(const std::string& name) const;
  [[nodiscard]] std::int64_t integer_attribute(const std::string& name) const;

  [[nodiscard]] hid_t id() const { return handle_.id(); }
  [[nodiscard]] const std::string& file() const { return file_; }
  /// "file:/path/name" for error messages; "file:/path" for the group itself (empty `name`).
  [[nodiscard]] std::string where(const std::string& name) const;

 private:
  Hdf5Handle open_dataset(const std::string& name) const;
  template <class T>
  std::vector<T> read_numeric(const std::string& name, hid_t memory_type, Hdf5Shape* shape) const;
  Hdf5Handle handle_;
  std::string file_;
  std::string path_;
};

/// The fix that ends the error for a missing or malformed part of a meta-training checkpoint
/// (both methods' readers): a damaged checkpoint cannot be repaired, only replaced.
inline constexpr const char* kDamagedCheckpoint =
    "; the checkpoint is damaged: delete it and start afresh without --resume";

/// Opens an existing file read-only; throws InputError naming the file if it is not HDF5.
Hdf5Group open_hdf5_for_reading(const std::string& path);

/// A new HDF5 file written as `<final>.tmp.<pid>` and renamed to `<final>` by commit().
/// Destroyed without commit(), it deletes the temporary file and leaves `<final>` untouched.
class AtomicHdf5File {
 public:
  explicit AtomicHdf5File(std::string final_path);
  AtomicHdf5File(const AtomicHdf5File&) = delete;
  AtomicHdf5File& operator=(const AtomicHdf5File&) = delete;
  ~AtomicHdf5File();

  /// The root group, for writing.
  [[nodiscard]] const Hdf5Group& root() const { return *root_; }
  /// Flushes, closes and atomically renames the file to its final name.
  void commit();
  [[nodiscard]] const std::string& final_path() const { return final_path_; }

 private:
  std::string final_path_;
  std::string temporary_path_;
  std::unique_ptr<Hdf5Group> root_;
  bool committed_ = false;
};

}  // namespace l2o
