package dev.metaplastic.cli;

import dev.metaplastic.experiments.EpisodeProgress;
import dev.metaplastic.train.TrainingListener;
import picocli.CommandLine.Option;

/**
 * The {@code --no-progress} option of the commands that train, and the progress it chooses: on
 * standard error, a bar redrawn in place when that is a terminal, otherwise one line per task.
 */
final class ProgressOptions {
  @Option(names = "--no-progress", description = "Do not show progress.")
  boolean noProgress;

  /** Progress of each task, labelled with {@code method}, unless disabled. */
  TrainingListener listener(String method) {
    if (noProgress) {
      return TrainingListener.NONE;
    }
    return Terminal.standardError()
        ? new ProgressListener(method, System.err)
        : new TaskLines(method, System.err);
  }

  /** Progress over {@code steps} episode-training steps, unless disabled. */
  EpisodeProgress episodes(String label, long steps) {
    if (noProgress) {
      return EpisodeProgress.NONE;
    }
    return Terminal.standardError()
        ? EpisodeBars.bar(label, steps, System.err)
        : EpisodeBars.line(label, System.err);
  }
}
