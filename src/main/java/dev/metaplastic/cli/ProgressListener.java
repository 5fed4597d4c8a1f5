package dev.metaplastic.cli;

import dev.metaplastic.data.Task;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.TrainingListener;
import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** One progress bar per task, showing the latest loss and penalty. */
final class ProgressListener implements TrainingListener {
  private final String method;
  private final PrintStream stream;
  private ProgressBar bar;

  ProgressListener(String method, PrintStream stream) {
    this.method = method;
    this.stream = stream;
  }

  @Override
  public void taskStarted(Task task, int index, long steps) {
    bar = bar(String.format("%s task %d", method, index), steps, stream);
  }

  /** The ASCII bar every training command draws: {@code steps} steps, labelled {@code label}. */
  static ProgressBar bar(String label, long steps, PrintStream stream) {
    return new ProgressBarBuilder()
        .setTaskName(label)
        .setInitialMax(steps)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(250)
        .setConsumer(new ConsoleProgressBarConsumer(stream))
        .continuousUpdate()
        .build();
  }

  @Override
  public void stepFinished(Task task, long step, ModelSession.StepResult result) {
    bar.stepTo(step);
    bar.setExtraMessage(String.format("loss %.3f penalty %.4f", result.loss(), result.penalty()));
  }

  @Override
  public void taskFinished(Task task, int index, double[] accuracies) {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
