// PNG charts drawn by gnuplot (Debian's gnuplot-nox, pngcairo terminal): tpq writes the data and
// a script to a temp dir, runs gnuplot, and renames the finished PNG into place.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace tpq::results {

struct Series {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
  std::string style = "linespoints";  // any gnuplot "with" style: lines, linespoints, points
};

struct Panel {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<Series> series;
};

// Side-by-side panels in one PNG. UserError if gnuplot is missing or fails (its message included).
void render_panels(const std::vector<Panel>& panels, const std::filesystem::path& png, int width = 1100, int height = 420);

bool gnuplot_available();

// A matrix drawn as a colour map (gnuplot `with image`): values[row][column], NaN = blank; cells in
// `marked` ({row, column}) get an "X" on top (e.g. removed attention heads).
struct Heatmap {
  std::string title;
  std::string x_label;  // columns
  std::string y_label;  // rows
  std::vector<std::vector<double>> values;
  std::vector<std::pair<int, int>> marked;
};

void render_heatmap(const Heatmap& heatmap, const std::filesystem::path& png, int width = 800, int height = 480);

}  // namespace tpq::results
