#include "eval/run_record_io.hpp"

#include "util/error.hpp"

namespace l2o {
namespace {

template <class T>
void pack_vector(const std::vector<T>& values, std::vector<double>& buffer) {
  buffer.push_back(static_cast<double>(values.size()));
  for (const T& v : values) buffer.push_back(static_cast<double>(v));
}

template <class T>
std::vector<T> unpack_vector(const std::vector<double>& buffer, std::size_t& position) {
  if (position >= buffer.size()) throw SystemError("corrupt run-record buffer");
  const auto n = static_cast<std::size_t>(buffer[position++]);
  if (position + n > buffer.size()) throw SystemError("corrupt run-record buffer");
  std::vector<T> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = static_cast<T>(buffer[position + i]);
  position += n;
  return values;
}

}  // namespace

void pack_run_record(const RunRecord& record, std::vector<double>& buffer) {
  pack_vector(record.recorded_iterations, buffer);
  pack_vector(record.true_objective, buffer);
  pack_vector(record.minibatch_objective, buffer);
  pack_vector(record.evaluations, buffer);
  buffer.push_back(static_cast<double>(record.diverged_at));
  buffer.push_back(record.wall_seconds);
}

RunRecord unpack_run_record(const std::vector<double>& buffer, std::size_t& position) {
  RunRecord record;
  record.recorded_iterations = unpack_vector<std::int64_t>(buffer, position);
  record.true_objective = unpack_vector<double>(buffer, position);
  record.minibatch_objective = unpack_vector<double>(buffer, position);
  record.evaluations = unpack_vector<std::int64_t>(buffer, position);
  if (position + 2 > buffer.size()) throw SystemError("corrupt run-record buffer");
  record.diverged_at = static_cast<std::int64_t>(buffer[position++]);
  record.wall_seconds = buffer[position++];
  return record;
}

void write_run_record(const Hdf5Group& group, const RunRecord& record) {
  group.write("iterations", record.recorded_iterations);
  group.write("true_objective", record.true_objective);
  group.write("minibatch_objective", record.minibatch_objective);
  group.write("evaluations", record.evaluations);
  group.set_attribute("diverged_at", record.diverged_at);
  group.set_attribute("wall_seconds", record.wall_seconds);
}

RunRecord read_run_record(const Hdf5Group& group) {
  RunRecord record;
  record.recorded_iterations = group.read_integers("iterations");
  record.true_objective = group.read_doubles("true_objective");
  record.minibatch_objective = group.read_doubles("minibatch_objective");
  record.evaluations = group.read_integers("evaluations");
  record.diverged_at = group.integer_attribute("diverged_at");
  record.wall_seconds = group.double_attribute("wall_seconds");
  return record;
}

}  // namespace l2o
