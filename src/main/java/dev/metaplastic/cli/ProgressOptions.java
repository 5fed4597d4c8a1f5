package dev.metaplastic.cli;

import dev.metaplastic.train.TrainingListener;
import picocli.CommandLine.Option;

/** The {@code --no-progress} option of the commands that train, and the listener it chooses. */
final class ProgressOptions {
  @Option(names = "--no-progress", description = "Do not draw progress bars.")
  boolean noProgress;

  /** A progress bar per task on standard error, labelled with {@code method}, unless disabled. */
  TrainingListener listener(String method) {
    return noProgress ? TrainingListener.NONE : new ProgressListener(method, System.err);
  }

  /**
   * A progress bar over {@code steps} episode-training steps on standard error, unless disabled.
   */
  EpisodeProgress episodes(String label, long steps) {
    return noProgress ? EpisodeProgress.NONE : EpisodeProgress.bar(label, steps, System.err);
  }
}
