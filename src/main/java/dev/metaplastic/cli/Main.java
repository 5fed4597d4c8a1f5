package dev.metaplastic.cli;

import dev.metaplastic.data.DataException;
import dev.metaplastic.train.TrainingDivergedException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code metaplastic} command. */
@Command(
    name = "metaplastic",
    mixinStandardHelpOptions = true,
    version = "metaplastic 0.1.0",
    description = "Continual learning with synaptic consolidation on TensorFlow Java.",
    subcommands = {
      DemoCommand.class,
      CompareCommand.class,
      ContinueCommand.class,
      TrainCommand.class,
      ExportCommand.class,
      ImportCommand.class,
      BenchCommand.class,
      InspectCommand.class,
      PredictCommand.class,
      PlasticCommand.class,
      NeuromodCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs the command line and returns its exit status: 0 on success, 2 for a user error (bad
   * option, bad data, diverged training), which is printed as one line without a stack trace.
   */
  public static int run(String... args) {
    return run(
        new PrintWriter(System.out, true, java.nio.charset.StandardCharsets.UTF_8),
        new PrintWriter(System.err, true, java.nio.charset.StandardCharsets.UTF_8),
        args);
  }

  /** Runs the command line with the given output and error writers; returns its exit status. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    System.setProperty("java.awt.headless", "true");
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(Main::userError);
    return cli.execute(args);
  }

  private static int userError(Exception e, CommandLine cli, CommandLine.ParseResult parsed)
      throws Exception {
    if (e instanceof DataException
        || e instanceof TrainingDivergedException
        || e instanceof IllegalArgumentException) {
      PrintWriter err = cli.getErr();
      err.println("error: " + e.getMessage());
      err.flush();
      return 2;
    }
    throw e;
  }
}
