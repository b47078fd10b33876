#include <unistd.h>

#include <sstream>

#include <spdlog/spdlog.h>

#include "report/report_export.h"
#include "tpq/core/error.h"
#include "tpq/core/shell.h"

namespace tpq::report {
namespace fs = std::filesystem;
namespace {

// The font list the HTML asks for: Debian's Noto CJK first, then what Windows and macOS readers have.
const char* const kChineseFonts = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif";

std::string pandoc_arguments(const std::string& format, const fs::path& markdown, const fs::path& partial) {
  // The template puts lists straight under their "实验设置：" line, as GitHub allows. The report
  // folder is the resource path, so its figures/ links resolve.
  std::string arguments = " --from markdown+lists_without_preceding_blankline --standalone --resource-path=" +
                          shell_quoted(markdown.parent_path().string()) + " --metadata lang=zh-CN --metadata pagetitle=" +
                          shell_quoted(markdown.stem().string());
  if (format == "html") {
    // Figures go into the file as data URIs: one file to hand in. (--self-contained: pandoc 2.17.)
    arguments += " --to html5 --self-contained -V mainfont=" + shell_quoted(kChineseFonts) + " -V maxwidth=60em";
  } else {
    // Word picks the East Asian font from the zh-CN language mark; figures are embedded in the .docx.
    arguments += " --to docx";
  }
  return arguments + " -o " + shell_quoted(partial.string()) + " " + shell_quoted(markdown.string());
}

// Pandoc 2.17 has no Chinese captions ("Could not load translations for zh-CN", "The term Table has
// no translation defined"): harmless, the document is written. Other messages are kept.
std::string without_translation_notes(const std::string& messages) {
  std::istringstream in(messages);
  std::string line, kept;
  while (std::getline(in, line)) {
    if (!line.empty() && line.find("translation") == std::string::npos) kept += line + "\n";
  }
  return kept;
}

}  // namespace

void require_export_format(const std::string& format) {
  if (format != "html" && format != "docx") {
    throw UserError("--format " + format + ": tpq report exports html or docx (the Markdown is always written)");
  }
}

fs::path export_with_pandoc(const fs::path& markdown, const std::string& format) {
  require_export_format(format);
  require(command_exists("pandoc"), "pandoc not found, so the report cannot be exported as " + format +
                                       ": sudo apt-get install pandoc (scripts/setup.sh does); " + markdown.string() + " is written");
  const fs::path source = fs::absolute(markdown);
  const fs::path output = source.parent_path() / (source.stem().string() + "." + format);
  // Named like AtomicFileWriter's temp files: a leftover from a killed run is recognised and removed.
  const fs::path partial = output.parent_path() / (output.filename().string() + ".tmp." + std::to_string(::getpid()) + ".0");
  const auto pandoc = run_shell("pandoc" + pandoc_arguments(format, source, partial));
  if (pandoc.exit_code != 0 || !fs::exists(partial)) {
    std::error_code ignored;
    fs::remove(partial, ignored);
    throw UserError("pandoc could not export " + markdown.string() + " as " + format + ": " + pandoc.output.substr(0, 300));
  }
  const auto warnings = without_translation_notes(pandoc.output);
  if (!warnings.empty()) spdlog::warn("pandoc: {}", warnings.substr(0, 300));
  fs::rename(partial, output);
  spdlog::info("lab report exported to {}", output.string());
  return output;
}

}  // namespace tpq::report
