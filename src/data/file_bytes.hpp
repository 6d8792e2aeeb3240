#pragma once
// Reads a whole data file into memory, transparently gunzipping `.gz` files (and plain files).
#include <cstdint>
#include <string>
#include <vector>

namespace l2o {

/// The decompressed bytes of `path`; throws InputError naming the file if it is missing,
/// unreadable, or a corrupt/truncated gzip stream.
std::vector<std::uint8_t> read_file_bytes(const std::string& path);

/// `bytes` as read from a data file, gunzipped if they start with the gzip magic (every member,
/// CRC checked); `origin` names the file in errors. read_file_bytes() is this on the file's bytes.
std::vector<std::uint8_t> inflate_if_gzip(std::vector<std::uint8_t> bytes,
                                          const std::string& origin);

/// `path` if it exists, else `path + ".gz"` if that exists, else throws InputError naming both.
std::string resolve_data_file(const std::string& path);

}  // namespace l2o
