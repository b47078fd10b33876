// tpq — the main command line: predict (and, as they land: train, eval, prune, quantize, bench, compare, report).
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "tpq/core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"tpq: pruning and quantization experiments for BERT text classifiers"};
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  return 0;
}
