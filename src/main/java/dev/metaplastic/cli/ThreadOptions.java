package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.graphs.SessionOptions;
import picocli.CommandLine.Option;

/** The {@code --threads} option of every command that trains. */
final class ThreadOptions {
  @Option(
      names = "--threads",
      defaultValue = "0",
      description =
          "TensorFlow's intra-op and inter-op threads (0: TensorFlow's choice, one per core)."
              + " Results do not depend on it. Default: ${DEFAULT-VALUE}.")
  int threads;

  /** The sessions' options. */
  SessionOptions sessionOptions() {
    InvalidInputException.check(
        threads >= 0, "--threads must be >= 0 (0: TensorFlow's choice), got %s", threads);
    return new SessionOptions(threads);
  }
}
