package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.data.TaskStreams;
import dev.metaplastic.graphs.proto.DataStream;
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
              + " (class-incremental), permuted (permuted Fashion-MNIST, one shared head),"
              + " permuted-task (permuted, one head per task), generated. Default:"
              + " ${DEFAULT-VALUE}.")
  String stream;

  @Option(
      names = "--data-dir",
      description =
          "Directory of the Fashion-MNIST IDX files (gzipped or not). Default: "
              + "/usr/share/datasets/fashion-mnist")
  Path dataDir;

  @Option(
      names = "--tasks",
      description =
          "Number of tasks of the permuted, permuted-task and generated streams (the split"
              + " streams always have 5). Default: "
              + DEFAULT_TASKS
              + ".")
  Integer tasks;

  private static final int DEFAULT_TASKS = 5;

  /** A task stream and the descriptor that lets a checkpoint or manifest open it again. */
  record Opened(TaskStream stream, DataStream descriptor) {}

  /**
   * Opens the stream. Without an explicit {@code --data-dir}, a split or permuted stream falls back
   * to the generated stream when Fashion-MNIST is not installed, and says so.
   */
  Opened open(long seed, PrintWriter out) {
    InvalidInputException.check(
        tasks == null || !stream.startsWith("split"),
        "--tasks does not apply to --stream %s, which always has 5 tasks",
        stream);
    String kind = stream;
    if (dataDir == null
        && !kind.equals("generated")
        && !TaskStreams.datasetPresent(FashionMnist.DEFAULT_DIR)) {
      out.printf(
          "Fashion-MNIST was not found in %s (install the Debian package dataset-fashion-mnist or"
              + " pass --data-dir); using the generated task stream instead.%n",
          FashionMnist.DEFAULT_DIR);
      kind = "generated";
    }
    return open(kind, dataDir, tasks == null ? DEFAULT_TASKS : tasks, seed);
  }

  /** Opens a stream by kind; {@code dataDir} null means the default directory. */
  static Opened open(String kind, Path dataDir, int tasks, long seed) {
    Path dir = dataDir == null ? FashionMnist.DEFAULT_DIR : dataDir;
    TaskStream opened = TaskStreams.named(kind, dir, tasks, seed);
    DataStream.Builder d =
        DataStream.newBuilder()
            .setKind(kind)
            .setName(opened.name())
            .setSource(opened.source())
            .setTasks(opened.tasks().size())
            .setSeed(seed);
    if (!opened.fingerprint().isEmpty()) {
      d.setDirectory(dir.toAbsolutePath().normalize().toString()).setSha256(opened.fingerprint());
    }
    opened.tasks().forEach(t -> d.addTaskNames(t.name()));
    return new Opened(opened, d.build());
  }
}
