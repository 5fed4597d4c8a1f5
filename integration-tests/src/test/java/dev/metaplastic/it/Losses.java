package dev.metaplastic.it;

import dev.metaplastic.data.Task;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;

/** Records the loss of every training step. */
final class Losses implements TrainingListener {
  final List<Float> values = new ArrayList<>();

  @Override
  public void stepFinished(Task task, long step, ModelSession.StepResult result) {
    values.add(result.loss());
  }
}
