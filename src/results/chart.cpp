#include "tpq/results/chart.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "tpq/core/error.h"
#include "tpq/core/shell.h"
#include "tpq/results/chart_text.h"

namespace tpq::results {
namespace fs = std::filesystem;
namespace {

// gnuplot single-quoted string (inside the script): a quote is written twice.
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

// Named like AtomicFileWriter's temp files, so a run killed mid-draw leaves a leftover that
// io::clean_stale_work_files recognises and removes.
fs::path partial_png(const fs::path& png) {
  return png.parent_path() / (png.filename().string() + ".tmp." + std::to_string(::getpid()) + ".0");
}

// Runs a gnuplot script that draws `partial`, removes the work dir, then renames partial -> png
// (a chart appears whole or not at all); gnuplot's own message goes into the error.
void run_gnuplot(const std::string& script, const fs::path& work, const fs::path& partial, const fs::path& png) {
  const fs::path script_path = work / "chart.gp";
  std::ofstream(script_path) << script;
  const auto gnuplot = run_shell("gnuplot " + shell_quoted(script_path.string()));
  std::error_code ignored;
  fs::remove_all(work, ignored);
  if (gnuplot.exit_code != 0 || !fs::exists(partial)) {
    fs::remove(partial, ignored);
    throw UserError("gnuplot failed to draw " + png.string() + ": " + gnuplot.output.substr(0, 300));
  }
  fs::rename(partial, png);
}

}  // namespace

double accuracy_standard_error(double accuracy, int64_t count) {
  if (count <= 0) return 0.0;
  return std::sqrt(std::max(0.0, accuracy * (1.0 - accuracy)) / static_cast<double>(count));
}

bool gnuplot_available() { return command_exists("gnuplot"); }

void render_panels(const std::vector<Panel>& panels, const fs::path& png, int width, int height) {
  render_chart(std::vector<ChartPanel>(panels.begin(), panels.end()), png, width, height, 1);
}

void render_chart(const std::vector<ChartPanel>& panels, const fs::path& png, int width, int height, int rows) {
  require(!panels.empty(), "chart " + png.string() + ": nothing to draw");
  require(gnuplot_available(), "gnuplot not found, so " + png.string() + " cannot be drawn: sudo apt-get install gnuplot-nox");
  rows = std::max(1, rows);
  const int columns = static_cast<int>((panels.size() + static_cast<std::size_t>(rows) - 1) / static_cast<std::size_t>(rows));
  const fs::path work = make_temp_dir();
  const fs::path partial = partial_png(png);
  std::ostringstream script;
  script << "set terminal pngcairo noenhanced size " << width << "," << height << " font " << quoted(chart_style().font + ",10") << "\n"
         << "set output " << quoted(partial.string()) << "\n"
         << "set key opaque box\nset style fill solid 0.6 border -1\nset boxwidth 0.7\n"
         << "set multiplot layout " << rows << "," << columns << "\n";
  int file_index = 0;
  for (const auto& panel : panels) {
    // Each panel starts from the same state: settings of the previous panel must not leak.
    script << "reset\nset key opaque box\nset style fill solid 0.6 border -1\nset boxwidth 0.7\n"
           << (panel.bare ? "unset border\nunset xtics\nunset ytics\nunset grid\nset size ratio -1\n" : "set grid\n");
    script << "set title " << quoted(panel.title) << "\nset xlabel " << quoted(panel.x_label) << "\nset ylabel "
           << quoted(panel.y_label) << "\n";
    // A key with no named series would be an empty box in the corner.
    if (std::none_of(panel.series.begin(), panel.series.end(), [](const Series& s) { return !s.name.empty(); })) {
      script << "unset key\n";
    } else if (!panel.key_position.empty()) {
      script << "set key " << panel.key_position << "\n";
    }
    if (panel.log_x) script << "set logscale x\n";
    if (panel.x_range) script << "set xrange [" << panel.x_range->first << ":" << panel.x_range->second << "]\n";
    if (panel.y_range) script << "set yrange [" << panel.y_range->first << ":" << panel.y_range->second << "]\n";
    if (!panel.x_tics.empty()) {
      script << "set xtics (";
      for (std::size_t i = 0; i < panel.x_tics.size(); ++i) {
        script << (i ? ", " : "") << quoted(panel.x_tics[i].second) << " " << panel.x_tics[i].first;
      }
      script << ") rotate by -35 left font ',8'\n";
    }
    for (const auto& label : panel.labels) {
      script << "set label " << quoted(label.text) << " at " << label.x << "," << label.y << " font ',8' front\n";
    }
    std::string plot = "plot ";
    for (const auto& series : panel.series) {
      const fs::path data = work / ("series" + std::to_string(file_index++) + ".dat");
      std::ofstream out(data);
      out.precision(10);
      const bool errors = !series.y_error.empty();
      for (std::size_t i = 0; i < series.x.size() && i < series.y.size(); ++i) {
        out << series.x[i] << ' ' << series.y[i];
        if (errors) out << ' ' << (i < series.y_error.size() ? series.y_error[i] : 0.0);
        out << '\n';
      }
      plot += (plot == "plot " ? "" : ", ") + quoted(data.string()) + (errors ? " using 1:2:3 with " : " using 1:2 with ") + series.style +
              (series.style == "boxes" || series.style.find(" lw ") != std::string::npos ? std::string() : std::string(" lw 2")) +
              (series.name.empty() ? std::string(" notitle") : " title " + quoted(series.name));
    }
    script << (panel.series.empty() ? "plot 0 notitle" : plot) << "\n";
  }
  script << "unset multiplot\nset output\n";
  run_gnuplot(script.str(), work, partial, png);
}

void render_heatmap(const Heatmap& heatmap, const fs::path& png, int width, int height) {
  require(!heatmap.values.empty() && !heatmap.values.front().empty(), "heat map " + png.string() + ": nothing to draw");
  require(gnuplot_available(), "gnuplot not found, so " + png.string() + " cannot be drawn: sudo apt-get install gnuplot-nox");
  const fs::path work = make_temp_dir();
  const fs::path partial = partial_png(png);
  const fs::path data = work / "matrix.dat";
  {
    std::ofstream out(data);  // one line per cell: column row value (NaN leaves the cell blank)
    for (std::size_t row = 0; row < heatmap.values.size(); ++row) {
      for (std::size_t column = 0; column < heatmap.values[row].size(); ++column) {
        const double value = heatmap.values[row][column];
        out << column << ' ' << row << ' ' << (std::isnan(value) ? std::string("NaN") : std::to_string(value)) << '\n';
      }
      out << '\n';
    }
  }
  const std::size_t rows = heatmap.values.size(), columns = heatmap.values.front().size();
  std::ostringstream script;
  script << "set terminal pngcairo size " << width << "," << height << " font " << quoted(chart_style().font + ",10") << "\n"
         << "set output " << quoted(partial.string()) << "\n"
         << "set title " << quoted(heatmap.title) << "\nset xlabel " << quoted(heatmap.x_label) << "\nset ylabel "
         << quoted(heatmap.y_label) << "\n"
         << "set xrange [-0.5:" << columns - 0.5 << "]\nset yrange [-0.5:" << rows - 0.5 << "]\n"
         << "set xtics 1\nset ytics 1\nset palette rgbformulae 22,13,10\nunset key\n";
  int tag = 1;
  for (const auto& [row, column] : heatmap.marked) {
    script << "set label " << tag++ << " 'X' at " << column << "," << row << " center front font ',14' tc rgb 'black'\n";
  }
  script << "plot " << quoted(data.string()) << " using 1:2:3 with image\nset output\n";
  run_gnuplot(script.str(), work, partial, png);
}

}  // namespace tpq::results
