// Sparsity schedules for gradual pruning: cubic (Zhu & Gupta 2017, "To prune, or not to prune")
// s_t = s_f + (s_i − s_f)(1 − t/n)³, or linear s_t = s_i + (s_f − s_i)·t/n, for t = 1..n.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tpq::prune {

enum class ScheduleKind { Cubic, Linear };

ScheduleKind parse_schedule(const std::string& text, const std::string& where);  // UserError: cubic | linear
std::string to_string(ScheduleKind kind);

// Target sparsity after step t of n (t = 0 gives initial, t = n gives final).
double scheduled_sparsity(double initial, double final_sparsity, int64_t t, int64_t n, ScheduleKind kind);

// The targets of steps 1..n.
std::vector<double> sparsity_schedule(double initial, double final_sparsity, int64_t n, ScheduleKind kind);

}  // namespace tpq::prune
