// A local stand-in for the Hugging Face Hub's file protocol, for tests and the download benchmark:
// resolve/ HEAD and GET with the Hub's headers (X-Repo-Commit, ETag, X-Linked-Etag, X-Linked-Size),
// LFS files redirected to a second port that honours Range, the revision API, the Hub's error
// answers (X-Error-Code), and faults on demand. Both servers listen on 127.0.0.1, ephemeral ports.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace tpq::testing {

struct StandInRepoOptions {
  bool dataset = false;
  bool private_repo = false;                          // needs "Authorization: Bearer <token>"
  bool gated = false;                                 // 403 GatedRepo without the token
  std::vector<std::string> tags;                      // extra names for the commit, besides "main"
  std::vector<std::string> skip_files;                // files of the directory not served
  std::vector<std::pair<std::string, std::string>> extra_files;  // (name, content) served too
  std::uint64_t lfs_min_bytes = 10 * 1000 * 1000;     // larger files, and *.safetensors/*.bin/*.parquet, are LFS
};

// One request as the stand-in saw it.
struct StandInRequest {
  std::string server;         // "hub" or "lfs"
  std::string method;
  std::string path;
  std::string authorization;  // the Authorization header ("" if none)
  std::string range;          // the Range header ("" if none)
  int status = 0;
};

class HubStandIn {
 public:
  HubStandIn();
  ~HubStandIn();  // stops both servers
  HubStandIn(const HubStandIn&) = delete;
  HubStandIn& operator=(const HubStandIn&) = delete;

  // Serves the regular files of `dir` (top level) as repo `id` at branch "main". Returns the commit.
  std::string add_repo(const std::string& id, const std::filesystem::path& dir, const StandInRepoOptions& options = {});
  // Requests for `old_id` answer 307 with a relative Location to `new_id` (a renamed repo).
  void add_rename(const std::string& old_id, const std::string& new_id);
  void set_token(const std::string& token);

  std::string endpoint() const;    // http://127.0.0.1:PORT (the Hub)
  std::string lfs_origin() const;  // http://127.0.0.1:PORT (the LFS storage)
  void stop();

  // Faults. `file` is a file name within any repo.
  void drop_connection_once(const std::string& file, std::uint64_t after_bytes);  // next LFS GET closes early
  void corrupt(const std::string& file);                 // LFS bytes differ from the announced sha256
  void fail_next_requests(int count, int status);        // the next `count` Hub requests answer `status`
  void redirect_in_circles(const std::string& file);     // the LFS redirect leads to a redirect loop
  void ignore_range(bool ignore);                        // answer 200 with the whole file to a Range
  void throttle(std::uint64_t bytes_per_second);         // slow LFS bodies (0 = full speed)

  std::vector<StandInRequest> requests() const;
  void clear_requests();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// sha256 of a file, hex: the name of an LFS file's blob.
std::string sha256_file_hex(const std::filesystem::path& path);
// git's blob id (sha1 of "blob <size>\0" + content), hex: the Hub's ETag of a non-LFS file.
std::string git_blob_id_hex(const std::filesystem::path& path);

}  // namespace tpq::testing
