package dev.metaplastic.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;

/** A progress bar over the training steps of one episode run, or nothing. */
interface EpisodeProgress extends AutoCloseable {
  /** Draws nothing. */
  EpisodeProgress NONE =
      new EpisodeProgress() {
        @Override
        public void step(long step, float loss) {}

        @Override
        public void close() {}
      };

  /** Called after training step {@code step} (1-based) with its loss. */
  void step(long step, float loss);

  @Override
  void close();

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
}
