package dev.metaplastic.cli;

import dev.metaplastic.experiments.EpisodeProgress;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;

/** The command line's progress over the training steps of one episode run. */
final class EpisodeBars {
  private EpisodeBars() {}

  /** A bar on {@code stream} labelled {@code label}, of {@code steps} steps. */
  static EpisodeProgress bar(String label, long steps, PrintStream stream) {
    ProgressBar bar = ProgressListener.bar(label, steps, stream);
    return new EpisodeProgress() {
      @Override
      public void step(long step, float loss) {
        bar.stepTo(step);
        bar.setExtraMessage(String.format("loss %.3f", loss));
      }

      @Override
      public void close() {
        bar.close();
      }
    };
  }

  /**
   * One line on {@code stream} when the run ends (for output that is not a terminal): the label,
   * steps, last loss and time.
   */
  static EpisodeProgress line(String label, PrintStream stream) {
    long started = System.nanoTime();
    long[] steps = {0};
    float[] loss = {Float.NaN};
    return new EpisodeProgress() {
      @Override
      public void step(long step, float value) {
        steps[0] = step;
        loss[0] = value;
      }

      @Override
      public void close() {
        stream.println(
            String.format(
                Locale.ROOT,
                "%s: %d steps, loss %.3f, %.1f s",
                label,
                steps[0],
                loss[0],
                (System.nanoTime() - started) / 1e9));
        stream.flush();
      }
    };
  }
}
