#include "tpq/results/chart.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"

namespace tpq::results {
namespace fs = std::filesystem;
namespace {

// gnuplot single-quoted string: a quote is written twice.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

fs::path make_temp_dir() {
  std::random_device random;
  auto dir = fs::temp_directory_path() / ("tpq-chart-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
  fs::create_directories(dir);
  return dir;
}

}  // namespace

bool gnuplot_available() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

void render_panels(const std::vector<Panel>& panels, const fs::path& png, int width, int height) {
  require(!panels.empty(), "chart " + png.string() + ": nothing to draw");
  require(gnuplot_available(), "gnuplot not found, so " + png.string() + " cannot be drawn: sudo apt-get install gnuplot-nox");
  const fs::path work = make_temp_dir();
  // Named like AtomicFileWriter's temp files, so a run killed mid-draw leaves a leftover that
  // io::clean_stale_work_files recognises and removes.
  const fs::path partial = png.parent_path() / (png.filename().string() + ".tmp." + std::to_string(::getpid()) + ".0");
  std::ostringstream script;
  script << "set terminal pngcairo size " << width << "," << height << " font 'DejaVu Sans,10'\n"
         << "set output " << quoted(partial.string()) << "\n"
         << "set grid\nset key opaque box\n"
         << "set multiplot layout 1," << panels.size() << "\n";
  int file_index = 0;
  for (const auto& panel : panels) {
    script << "set title " << quoted(panel.title) << "\nset xlabel " << quoted(panel.x_label) << "\nset ylabel "
           << quoted(panel.y_label) << "\n";
    std::string plot = "plot ";
    for (const auto& series : panel.series) {
      const fs::path data = work / ("series" + std::to_string(file_index++) + ".dat");
      std::ofstream out(data);
      for (std::size_t i = 0; i < series.x.size() && i < series.y.size(); ++i) out << series.x[i] << ' ' << series.y[i] << '\n';
      plot += (plot == "plot " ? "" : ", ") + quoted(data.string()) + " using 1:2 with " + series.style +
              " lw 2 title " + quoted(series.name);
    }
    script << (panel.series.empty() ? "plot 0 notitle" : plot) << "\n";
  }
  script << "unset multiplot\nset output\n";
  const fs::path script_path = work / "chart.gp";
  std::ofstream(script_path) << script.str();
  const fs::path log_path = work / "gnuplot.log";
  const int status = std::system(("gnuplot " + quoted(script_path.string()) + " >" + quoted(log_path.string()) + " 2>&1").c_str());
  std::string log;
  try {
    log = io::read_file(log_path);
  } catch (const UserError&) {
  }
  std::error_code ignored;
  fs::remove_all(work, ignored);
  if (status != 0 || !fs::exists(partial)) {
    fs::remove(partial, ignored);
    throw UserError("gnuplot failed to draw " + png.string() + ": " + log.substr(0, 300));
  }
  fs::rename(partial, png);
}

}  // namespace tpq::results
