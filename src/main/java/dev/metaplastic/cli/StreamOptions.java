package dev.metaplastic.cli;

import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.data.TaskStreams;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options that choose a task stream, shared by the commands that train. */
final class StreamOptions {
  @Option(
      names = "--stream",
      defaultValue = "split",
      description =
          "Task stream: split (split Fashion-MNIST, task-incremental), split-class"
              + " (class-incremental), permuted, generated. Default: ${DEFAULT-VALUE}.")
  String stream;

  @Option(
      names = "--data-dir",
      description =
          "Directory of the Fashion-MNIST IDX files (gzipped or not). Default: "
              + "/usr/share/datasets/fashion-mnist")
  Path dataDir;

  @Option(
      names = "--tasks",
      defaultValue = "5",
      description =
          "Number of tasks of the permuted and generated streams. Default: ${DEFAULT-VALUE}.")
  int tasks;

  /**
   * Opens the stream. Without an explicit {@code --data-dir}, a split or permuted stream falls back
   * to the generated stream when Fashion-MNIST is not installed, and says so.
   */
  TaskStream open(long seed, PrintWriter out) {
    Path dir = dataDir == null ? FashionMnist.DEFAULT_DIR : dataDir;
    String kind = stream;
    if (dataDir == null && !kind.equals("generated") && !TaskStreams.datasetPresent(dir)) {
      out.printf(
          "Fashion-MNIST was not found in %s (install the Debian package dataset-fashion-mnist or"
              + " pass --data-dir); using the generated task stream instead.%n",
          dir);
      kind = "generated";
    }
    return TaskStreams.named(kind, dir, tasks, seed);
  }
}
