package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.savedmodel.ModelDescription;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.train.Checkpoints;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code metaplastic export CHECKPOINT DIR}: a training checkpoint as a SavedModel. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description =
        "Export a training checkpoint as a SavedModel that carries every weight, optimizer slot"
            + " and per-synapse rule state.")
final class ExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "CHECKPOINT",
      description = "A checkpoint, or a checkpoint directory (such as out/train/checkpoints).")
  Path checkpoint;

  @Parameters(index = "1", paramLabel = "DIR", description = "The SavedModel directory to create.")
  Path dir;

  @Override
  public Integer call() {
    if (Files.isRegularFile(checkpoint.resolve("saved_model.pb"))) {
      throw new InvalidInputException(
          checkpoint
              + " is already a SavedModel, not a checkpoint; copy the directory to move it, or"
              + " inspect it");
    }
    Path resolved = Checkpoints.resolve(checkpoint);
    ModelDescription exported = SavedModels.exportCheckpoint(resolved, dir);
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "exported %s to %s: %d tasks consolidated, rules %s%n",
        resolved, dir, exported.tasksConsolidated(), exported.rules());
    return 0;
  }
}
