package dev.metaplastic.cli;

import dev.metaplastic.data.Task;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress where a bar cannot redraw itself (output to a file or a pipe): one line per task, when
 * it ends, with its steps, last loss and penalty, and time.
 */
final class TaskLines implements TrainingListener {
  private final String method;
  private final PrintStream stream;
  private long started;
  private long steps;
  private ModelSession.StepResult last;

  TaskLines(String method, PrintStream stream) {
    this.method = method;
    this.stream = stream;
  }

  @Override
  public void taskStarted(Task task, int index, long total) {
    started = System.nanoTime();
    steps = 0;
    last = null;
  }

  @Override
  public void stepFinished(Task task, long step, ModelSession.StepResult result) {
    steps = step;
    last = result;
  }

  @Override
  public void taskFinished(Task task, int index, double[] accuracies) {
    stream.println(
        String.format(
            Locale.ROOT,
            "%s task %d: %d steps, loss %.3f penalty %.4f, %.1f s",
            method,
            index,
            steps,
            last == null ? Double.NaN : last.loss(),
            last == null ? Double.NaN : last.penalty(),
            (System.nanoTime() - started) / 1e9));
    stream.flush();
  }
}
