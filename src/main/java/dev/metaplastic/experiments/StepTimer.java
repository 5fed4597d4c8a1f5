package dev.metaplastic.experiments;

import dev.metaplastic.data.Task;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.TrainingListener;

/**
 * Measures the time spent in optimizer steps (from each task's start to its last step, so neither
 * evaluation nor consolidation counts) and passes every event on to another listener. The first
 * task is left out when there are later ones: it pays the JVM's and TensorFlow's warm-up.
 */
final class StepTimer implements TrainingListener {
  private final TrainingListener next;
  private long taskStart;
  private long lastStep;
  private long nanos;
  private long steps;
  private long taskSteps;

  StepTimer(TrainingListener next) {
    this.next = next;
  }

  @Override
  public void taskStarted(Task task, int index, long total) {
    next.taskStarted(task, index, total);
    taskStart = System.nanoTime();
    lastStep = taskStart;
    taskSteps = 0;
  }

  @Override
  public void stepFinished(Task task, long step, ModelSession.StepResult result) {
    lastStep = System.nanoTime();
    taskSteps++;
    next.stepFinished(task, step, result);
  }

  @Override
  public void taskFinished(Task task, int index, double[] accuracies) {
    if (index == 1) {
      nanos = 0;
      steps = 0;
    }
    nanos += lastStep - taskStart;
    steps += taskSteps;
    next.taskFinished(task, index, accuracies);
  }

  /** Mean seconds per optimizer step so far. */
  double secondsPerStep() {
    return steps == 0 ? Double.NaN : nanos / 1e9 / steps;
  }
}
