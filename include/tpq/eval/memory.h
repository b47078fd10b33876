// Process memory as the kernel counts it: current and peak resident set size. The peak can be
// reset (Linux /proc/self/clear_refs) so an evaluation's peak is not the training's.
#pragma once

namespace tpq::eval {

double current_rss_mb();
double peak_rss_mb();
// Returns false where the kernel does not allow it (peak then covers the whole process lifetime).
bool reset_peak_rss();

}  // namespace tpq::eval
