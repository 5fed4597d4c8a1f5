package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.data.DataException;
import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.data.FashionMnistCache;
import dev.metaplastic.data.StreamDescription;
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
  record Opened(TaskStream stream, StreamDescription descriptor) {}

  /**
   * Opens the stream. Without an explicit {@code --data-dir}, a split or permuted stream reads
   * Fashion-MNIST from {@link FashionMnist#DEFAULT_DIR}, or else from the user's cache, fetching
   * Debian's package into it if needed ({@link FashionMnistCache}), or else falls back to the
   * generated stream; each step says so in one line.
   */
  Opened open(long seed, PrintWriter out) {
    InvalidInputException.check(
        tasks == null || !stream.startsWith("split"),
        "--tasks does not apply to --stream %s, which always has 5 tasks",
        stream);
    String kind = stream;
    Path dir = dataDir;
    if (dataDir == null
        && !kind.equals("generated")
        && !TaskStreams.datasetPresent(FashionMnist.DEFAULT_DIR)) {
      dir = cachedFashionMnist(out);
      if (dir == null) {
        kind = "generated";
      }
    }
    return open(kind, dir, tasks == null ? DEFAULT_TASKS : tasks, seed);
  }

  /** The user's cached Fashion-MNIST, fetched first if needed; null if it cannot be had. */
  private static Path cachedFashionMnist(PrintWriter out) {
    FashionMnistCache cache = FashionMnistCache.ofUser();
    if (cache.isComplete()) {
      return cache.directory();
    }
    out.printf(
        "Fashion-MNIST is not in %s: fetching Debian's package %s (%s) without root into %s%n",
        FashionMnist.DEFAULT_DIR,
        FashionMnistCache.DEBIAN_PACKAGE,
        FashionMnistCache.DOWNLOAD_SIZE,
        cache.directory());
    out.flush();
    try {
      return cache.fetch();
    } catch (DataException e) {
      out.printf(
          "%s; using the generated task stream instead (install %s or pass --data-dir for the"
              + " real data)%n",
          e.getMessage(), FashionMnistCache.DEBIAN_PACKAGE);
      return null;
    }
  }

  /**
   * Opens again the stream a run was trained on, as its checkpoint describes it ({@code saved}):
   * from {@code --data-dir} when given, else from where the checkpoint says its data is.
   */
  Opened reopen(StreamDescription saved) {
    Path dir = dataDir != null ? dataDir : saved.dataDirectory().orElse(null);
    return open(saved.kind(), dir, saved.tasks(), saved.seed());
  }

  /** Opens a stream by kind; {@code dataDir} null means the default directory. */
  static Opened open(String kind, Path dataDir, int tasks, long seed) {
    Path dir = dataDir == null ? FashionMnist.DEFAULT_DIR : dataDir;
    TaskStream opened = TaskStreams.named(kind, dir, tasks, seed);
    return new Opened(opened, StreamDescription.named(kind, opened, dir, seed));
  }
}
