// `tpq download`: pre-fetches a model or a dataset into the Hugging Face cache (compute nodes of a
// cluster often have no network; run it on a login node with the same HF_HOME / HF_HUB_CACHE).
#include <cstdio>
#include <memory>

#include <spdlog/spdlog.h>

#include "commands.h"
#include "tpq/core/error.h"
#include "tpq/hub/resolve.h"

namespace tpq::cli {

Command add_download_command(CLI::App& app) {
  struct Flags {
    std::string name, revision;
    bool dataset = false;
    std::vector<std::string> files;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = app.add_subcommand(
      "download", "Fetch a Hub model (or, with --dataset, a dataset) into the Hugging Face cache; prints its directory");
  command->add_option("name", flags->name, "Hub id: bert-base-uncased, org/name, org/name@revision; with --dataset "
                                           "also sst2 or ag_news")
      ->required();
  command->add_option("--revision", flags->revision, "Branch, tag or commit (default: main, or the @revision)");
  command->add_flag("--dataset", flags->dataset, "NAME is a dataset repo (datasets--org--name in the cache)");
  command->add_option("--files", flags->files, "Dataset files to fetch (default: the known ones, or every CSV/TSV/JSONL)")
      ->delimiter(',');
  command->footer("Environment: HF_HUB_CACHE / HF_HOME (cache), HF_TOKEN (private or gated repos), "
                  "HF_ENDPOINT (mirror), HF_HUB_OFFLINE=1 (cache only). See docs/使用说明.md.");

  return [command, flags]() {
    if (!command->parsed()) return -1;
    std::string name = flags->name;
    if (!flags->revision.empty()) {
      require(name.find('@') == std::string::npos,
              "give the revision once: either " + name + " or --revision " + flags->revision);
      name += "@" + flags->revision;
    }
    require(flags->dataset || flags->files.empty(), "--files applies to datasets: add --dataset");
    const auto options = hub::HubOptions::from_environment();
    const auto resolved = flags->dataset ? hub::fetch_dataset(name, flags->files, options)
                                         : hub::fetch_model(name, options);
    spdlog::info("{} {} at {} = commit {} ({} files, {})", flags->dataset ? "dataset" : "model", resolved.id,
                 resolved.revision, resolved.commit, resolved.files.size(),
                 resolved.source == hub::RepoSource::download ? "downloaded" : "already cached");
    std::printf("%s\n", resolved.dir.c_str());
    return 0;
  };
}

}  // namespace tpq::cli
