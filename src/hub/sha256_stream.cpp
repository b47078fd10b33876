// SHA-256 over OpenSSL EVP (libssl-dev), fed chunk by chunk.
#include "sha256_stream.h"

#include <openssl/evp.h>

#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "tpq/core/error.h"

namespace tpq::hub {

Sha256Stream::Sha256Stream() : context_(EVP_MD_CTX_new()) {
  if (context_ == nullptr) throw std::runtime_error("EVP_MD_CTX_new failed");
  reset();
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(context_); }

void Sha256Stream::reset() {
  if (EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) != 1) throw std::runtime_error("EVP_DigestInit_ex failed");
}

void Sha256Stream::update(const void* data, std::size_t size) {
  if (EVP_DigestUpdate(context_, data, size) != 1) throw std::runtime_error("EVP_DigestUpdate failed");
}

std::string Sha256Stream::hex_digest() const {
  // Finalise a copy: the running context keeps accepting data.
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const bool ok = copy != nullptr && EVP_MD_CTX_copy_ex(copy, context_) == 1 &&
                  EVP_DigestFinal_ex(copy, digest, &length) == 1;
  EVP_MD_CTX_free(copy);
  if (!ok) throw std::runtime_error("EVP_DigestFinal_ex failed");
  static const char* hex = "0123456789abcdef";
  std::string text;
  for (unsigned int i = 0; i < length; ++i) {
    text += hex[digest[i] >> 4];
    text += hex[digest[i] & 15];
  }
  return text;
}

void hash_file_prefix(const std::filesystem::path& path, std::uint64_t size, Sha256Stream& hash) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buffer(1 << 20);
  std::uint64_t left = size;
  while (in && left > 0) {
    const auto want = static_cast<std::streamsize>(std::min<std::uint64_t>(left, buffer.size()));
    in.read(buffer.data(), want);
    hash.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
    left -= static_cast<std::uint64_t>(in.gcount());
  }
  require(left == 0, "cannot read the partial download " + path.string() + " to resume it; delete it and retry");
}

}  // namespace tpq::hub
