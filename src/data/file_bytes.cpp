#include "data/file_bytes.hpp"

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "util/error.hpp"

namespace l2o {
namespace {

bool has_gzip_magic(const std::vector<std::uint8_t>& bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

// Inflates every gzip member (RFC 1952); a stream that ends early or fails its CRC is an error,
// which plain gzread() would not report for a truncated file.
std::vector<std::uint8_t> gunzip(const std::vector<std::uint8_t>& compressed,
                                 const std::string& path) {
  std::vector<std::uint8_t> out;
  out.reserve(compressed.size() * 4);
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK)
    throw SystemError(path + ": zlib inflateInit2 failed");
  stream.next_in = const_cast<Bytef*>(compressed.data());
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::vector<std::uint8_t> chunk(1 << 16);
  int rc = Z_OK;
  while (true) {
    stream.next_out = chunk.data();
    stream.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.insert(out.end(), chunk.data(), chunk.data() + (chunk.size() - stream.avail_out));
    if (rc == Z_STREAM_END) {
      if (stream.avail_in == 0) break;
      if (inflateReset(&stream) != Z_OK) break;  // next gzip member
      continue;
    }
    if (stream.avail_in == 0) {
      rc = Z_BUF_ERROR;  // input exhausted before the end of the stream: truncated
      break;
    }
  }
  inflateEnd(&stream);
  if (rc != Z_STREAM_END) {
    const char* what = rc == Z_BUF_ERROR ? "truncated gzip stream" : "corrupt gzip data";
    throw InputError(path + ": " + what +
                     "; re-fetch the file (scripts/get-data.sh verifies sha256)");
  }
  return out;
}

}  // namespace

std::vector<std::uint8_t> inflate_if_gzip(std::vector<std::uint8_t> bytes,
                                          const std::string& origin) {
  if (!has_gzip_magic(bytes)) return bytes;
  return gunzip(bytes, origin);
}

std::string resolve_data_file(const std::string& path) {
  if (std::filesystem::exists(path)) return path;
  if (std::filesystem::exists(path + ".gz")) return path + ".gz";
  throw InputError(path + ": no such file (nor " + path +
                   ".gz); set --data-dir, data.dir or L2O_DATA_DIR, or run scripts/get-data.sh");
}

std::vector<std::uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open for reading; check the path and permissions");
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError(path + ": read error");
  return inflate_if_gzip(std::move(bytes), path);
}

}  // namespace l2o
