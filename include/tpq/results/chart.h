// PNG charts drawn by gnuplot (Debian's gnuplot-nox, pngcairo terminal): tpq writes the data and
// a script to a temp dir, runs gnuplot, and renames the finished PNG into place.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tpq::results {

struct Series {
  Series(std::string name_ = "", std::vector<double> x_ = {}, std::vector<double> y_ = {}, std::string style_ = "linespoints")
      : name(std::move(name_)), x(std::move(x_)), y(std::move(y_)), style(std::move(style_)) {}

  std::string name;
  std::vector<double> x;
  std::vector<double> y;
  std::string style;  // any gnuplot "with" style: lines, linespoints, points, boxes, yerrorbars
  // ± half-widths per point, drawn when the style takes them ("yerrorbars", "yerrorlines"); empty: none.
  std::vector<double> y_error;
};

// Standard error of an accuracy measured on `count` examples (binomial): sqrt(p (1 - p) / n); 0 if n = 0.
double accuracy_standard_error(double accuracy, int64_t count);

// Text placed at data coordinates (point names on a scatter, axis names on a radar).
struct TextLabel {
  std::string text;
  double x = 0;
  double y = 0;
};

struct Panel {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<Series> series;
};

// A panel with layout options: category tics (bar charts), text labels, fixed ranges, log x,
// or no axes at all (radar charts).
struct ChartPanel : Panel {
  ChartPanel() = default;
  ChartPanel(const Panel& panel) : Panel(panel) {}  // NOLINT: a plain panel is a chart panel without options
  ChartPanel(std::string title_, std::string x_label_, std::string y_label_, std::vector<Series> series_ = {})
      : Panel{std::move(title_), std::move(x_label_), std::move(y_label_), std::move(series_)} {}

  std::vector<std::pair<double, std::string>> x_tics;  // category names at x positions
  std::vector<TextLabel> labels;
  std::optional<std::pair<double, double>> x_range;
  std::optional<std::pair<double, double>> y_range;
  bool log_x = false;
  bool bare = false;  // no border, tics or grid, square aspect
  std::string key_position;  // gnuplot "set key" position ("bottom right"); empty: gnuplot's default
};

// Side-by-side panels in one PNG. UserError if gnuplot is missing or fails (its message included).
void render_panels(const std::vector<Panel>& panels, const std::filesystem::path& png, int width = 1100, int height = 420);

// Panels laid out in `rows` rows.
void render_chart(const std::vector<ChartPanel>& panels, const std::filesystem::path& png, int width, int height, int rows = 1);

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
