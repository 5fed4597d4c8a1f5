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
}
