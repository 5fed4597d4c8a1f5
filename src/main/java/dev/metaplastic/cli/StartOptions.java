package dev.metaplastic.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where {@code train} starts: new weights, a saved run to resume, or a SavedModel. */
final class StartOptions {
  @Option(
      names = "--resume",
      paramLabel = "DIR",
      description =
          "Resume the run saved in DIR (a checkpoint, or a checkpoint directory whose latest"
              + " checkpoint is taken); its settings replace the other options, and it refuses"
              + " data other than the run's (--data-dir points to that data if it moved).")
  Path resume;

  @Option(
      names = "--init",
      paramLabel = "DIR",
      description =
          "Start from the Metaplastic SavedModel in DIR (exported or imported) instead of new"
              + " weights; its architecture, optimizer and rules replace --hidden, --optimizer,"
              + " --lr and --rule.")
  Path init;
}
