// Incremental SHA-256 through OpenSSL's EVP interface: a download is hashed while it streams, so an
// LFS file is verified without a second pass over it and without holding it in memory.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

struct evp_md_ctx_st;

namespace tpq::hub {

class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void update(const void* data, std::size_t size);
  void reset();                    // back to the hash of nothing
  std::string hex_digest() const;  // of everything so far (64 lowercase hex); the stream stays usable

 private:
  evp_md_ctx_st* context_;
};

// Feeds the first `size` bytes of a file into `hash` (resuming a partial download of an earlier run).
// UserError naming the file if it cannot be read.
void hash_file_prefix(const std::filesystem::path& path, std::uint64_t size, Sha256Stream& hash);

}  // namespace tpq::hub
