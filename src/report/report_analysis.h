// Internal to the lab report: one-sentence findings computed from the results (each says
// "未运行 …" when its experiment is missing), shared by the analysis and the summary sections.
#pragma once

#include <string>
#include <vector>

#include "report_sections.h"

namespace tpq::report {

std::string head_finding(const ReportContext& context);
std::string surviving_heads_finding(const ReportContext& context);
std::string ffn_finding(const ReportContext& context);
std::string sparsity_trend_finding(const ReportContext& context);
// The first target sparsity whose accuracy falls more than 5 points below FP32, per scope.
std::string collapse_finding(const ReportContext& context);
std::string global_local_finding(const ReportContext& context);
std::string progressive_finding(const ReportContext& context);
std::string iterations_finding(const ReportContext& context);
std::string recovery_finding(const ReportContext& context);
std::string static_dynamic_finding(const ReportContext& context);
std::string qat_finding(const ReportContext& context);
std::string qat_cost_finding(const ReportContext& context);
std::string sensitivity_finding(const ReportContext& context);
std::string mixed_finding(const ReportContext& context);
std::string order_finding(const ReportContext& context);
// How much accuracy each stage of each combined order cost, from the recorded stages.
std::string order_reason_finding(const ReportContext& context);
// The sampling error behind a difference of `difference` (fraction) between two rows of
// `subdir`, from the size of its test set; "" when that is not recorded.
std::string noise_note(const ReportContext& context, const std::string& subdir, double difference);

// 七 (problems), 八 (summary), 九 (references), 十 (appendix).
void add_closing_sections(SectionWriters& writers);

}  // namespace tpq::report
