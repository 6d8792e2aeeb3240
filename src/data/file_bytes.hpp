#pragma once
// Reads a whole data file into memory, transparently gunzipping `.gz` files (and plain files).
#include <cstdint>
#include <string>
#include <vector>

namespace l2o {

/// The decompressed bytes of `path`; throws InputError naming the file if it is missing,
/// unreadable, or a corrupt/truncated gzip stream.
std::vector<std::uint8_t> read_file_bytes(const std::string& path);

/// `path` if it exists, else `path + ".gz"` if that exists, else throws InputError naming both.
std::string resolve_data_file(const std::string& path);

}  // namespace l2o
