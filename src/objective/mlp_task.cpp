#include "objective/mlp_task.hpp"

#include <omp.h>

#include "util/error.hpp"

namespace l2o {

MlpTask::MlpTask(std::shared_ptr<const ProjectedData> train, Mlp mlp, int batch_size)
    : train_(std::move(train)), mlp_(std::move(mlp)), batch_size_(batch_size) {
  if (train_->features.cols() != mlp_.input_dim())
    throw InputError("task.input_dim (" + std::to_string(mlp_.input_dim()) +
                     ") differs from the projected data's dimension (" +
                     std::to_string(train_->features.cols()) + ")");
  if (train_->num_classes != mlp_.num_classes())
    throw InputError("the net has " + std::to_string(mlp_.num_classes()) +
                     " outputs but the data set has " + std::to_string(train_->num_classes) +
                     " classes");
  if (batch_size < 1 || batch_size > train_->features.rows())
    throw InputError("task.batch_size must be in [1, " + std::to_string(train_->features.rows()) +
                     "], got " + std::to_string(batch_size));
}

double MlpTask::true_objective(const Eigen::Ref<const Eigen::VectorXd>& parameters,
                               Eigen::VectorXd* gradient) const {
  const Eigen::Index count = train_->features.rows();
  const Eigen::Index chunks = (count + kTrueObjectiveChunk - 1) / kTrueObjectiveChunk;
  const Eigen::Index d = mlp_.dimension();
  Eigen::VectorXd chunk_loss(chunks);
  Eigen::MatrixXd chunk_gradient;
  if (gradient != nullptr) chunk_gradient.setZero(d, chunks);
#pragma omp parallel
  {
    MlpWorkspace workspace;
#pragma omp for schedule(static)
    for (Eigen::Index c = 0; c < chunks; ++c) {
      const Eigen::Index start = c * kTrueObjectiveChunk;
      const Eigen::Index rows = std::min(kTrueObjectiveChunk, count - start);
      chunk_loss[c] = mlp_.sum_loss(
          parameters, train_->features.middleRows(start, rows), train_->labels.data() + start,
          gradient != nullptr ? chunk_gradient.col(c).data() : nullptr, workspace);
    }
  }
  // Fixed-order reduction over chunks (never over threads).
  double loss = 0.0;
  for (Eigen::Index c = 0; c < chunks; ++c) loss += chunk_loss[c];
  const double scale = 1.0 / static_cast<double>(count);
  if (gradient != nullptr) {
    gradient->setZero(d);
    for (Eigen::Index c = 0; c < chunks; ++c) *gradient += chunk_gradient.col(c);
    *gradient *= scale;
  }
  return loss * scale + mlp_.add_l2(parameters, gradient != nullptr ? gradient->data() : nullptr);
}

double MlpTask::batch_objective(const Eigen::Ref<const Eigen::VectorXd>& parameters,
                                const std::vector<int>& rows, double* gradient,
                                MlpWorkspace& workspace) const {
  const auto n = static_cast<Eigen::Index>(rows.size());
  workspace.gathered_inputs.resize(n, train_->features.cols());
  workspace.gathered_labels.resize(rows.size());
  for (Eigen::Index i = 0; i < n; ++i) {
    workspace.gathered_inputs.row(i) = train_->features.row(rows[i]);
    workspace.gathered_labels[i] = train_->labels[rows[i]];
  }
  if (gradient != nullptr) Eigen::Map<Eigen::VectorXd>(gradient, dimension()).setZero();
  const double sum = mlp_.sum_loss(parameters, workspace.gathered_inputs,
                                   workspace.gathered_labels.data(), gradient, workspace);
  const double scale = 1.0 / static_cast<double>(n);
  if (gradient != nullptr) Eigen::Map<Eigen::VectorXd>(gradient, dimension()) *= scale;
  return sum * scale + mlp_.add_l2(parameters, gradient);
}

double MlpMinibatchOracle::loss(const Eigen::Ref<const Eigen::VectorXd>& x) {
  ++evaluations_;
  return task_.batch_objective(x, *rows_, nullptr, workspace_);
}

double MlpMinibatchOracle::loss_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                                         Eigen::Ref<Eigen::VectorXd> gradient) {
  ++evaluations_;
  return task_.batch_objective(x, *rows_, gradient.data(), workspace_);
}

}  // namespace l2o
