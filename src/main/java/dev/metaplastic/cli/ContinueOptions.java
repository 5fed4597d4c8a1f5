package dev.metaplastic.cli;

import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.experiments.Continuation;
import dev.metaplastic.graphs.OptimizerConfig;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of {@code metaplastic continue} that set up its protocol ({@link Continuation}). */
final class ContinueOptions {
  @Option(
      names = "--stream",
      defaultValue = "permuted",
      description =
          "New tasks: permuted (permuted Fashion-MNIST, the same ten classes) or split-class (one"
              + " class pair per task on the same ten-class output, at most 5). Default:"
              + " ${DEFAULT-VALUE}.")
  String stream;

  @Option(
      names = "--tasks",
      defaultValue = "4",
      description = "Number of new tasks. Default: ${DEFAULT-VALUE}.")
  int tasks;

  @Option(
      names = "--epochs",
      defaultValue = "2",
      description = "Epochs per new task. Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(
      names = "--batch",
      defaultValue = "256",
      description = "Batch size. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(
      names = "--seeds",
      split = ",",
      defaultValue = "0,1,2",
      description =
          "Seeds of the minibatch order and the importance samples; the tasks are the same for"
              + " all. Default: ${DEFAULT-VALUE}.")
  List<Long> seeds;

  @Option(
      names = "--importance-samples",
      defaultValue = "1024",
      description =
          "Original-task training images the importance at the import is estimated from (later"
              + " boundaries use each rule's --samples). Default: ${DEFAULT-VALUE}.")
  int importanceSamples;

  @Option(
      names = "--train-examples",
      defaultValue = "60000",
      description =
          "Training images per task (a random subset; all if there are fewer). Default:"
              + " ${DEFAULT-VALUE}.")
  int trainExamples;

  @Option(
      names = "--data-dir",
      description =
          "Directory of the Fashion-MNIST IDX files. Default: "
              + "/usr/share/datasets/fashion-mnist")
  Path dataDir;

  /** The protocol's settings, checked. */
  Continuation.Settings settings(OptimizerConfig optimizer) {
    return new Continuation.Settings(
        stream, tasks, epochs, batch, optimizer, importanceSamples, trainExamples, seeds);
  }

  /** The Fashion-MNIST directory. */
  Path dataDir() {
    return dataDir != null ? dataDir : FashionMnist.DEFAULT_DIR;
  }
}
