package dev.metaplastic.cli;

import dev.metaplastic.savedmodel.SavedModelReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code metaplastic inspect DIR}: the {@link SavedModelReport} of any SavedModel. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = "Show the signatures and variables of a SavedModel (tag serve).")
final class InspectCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DIR", description = "The SavedModel directory.")
  Path dir;

  @Override
  public Integer call() {
    SavedModelReport.print(dir, spec.commandLine().getOut());
    return 0;
  }
}
