package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.files.Outputs;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where {@code train} writes: plots and checkpoints, and the exported final model. */
final class TrainOutputOptions {
  @Option(
      names = "--out",
      defaultValue = "out/train",
      description =
          "Output directory: plots, and checkpoints in OUT/checkpoints. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(
      names = "--checkpoint-every",
      defaultValue = "200",
      description =
          "Save a checkpoint every N steps (0: only at task boundaries). Default: ${DEFAULT-VALUE}.")
  int checkpointEvery;

  @Option(
      names = "--export",
      paramLabel = "DIR",
      description = "Export the final model as a SavedModel in DIR (must not exist).")
  Path export;

  /**
   * Checks, before any training, that every output can be written: {@code --out} is a directory or
   * can become one, {@code --export} does not exist yet, and both file systems take a write.
   */
  void check() {
    Outputs.checkWritable(out, "--out");
    InvalidInputException.check(
        !Files.exists(out) || Files.isDirectory(out), "--out %s is a file; give a directory", out);
    if (export != null) {
      InvalidInputException.check(
          !Files.exists(export, LinkOption.NOFOLLOW_LINKS),
          "--export %s already exists; export into a new directory",
          export);
      Outputs.checkWritable(export, "--export");
    }
  }
}
