package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.NativeLog;
import dev.metaplastic.data.DataException;
import dev.metaplastic.train.TrainingDivergedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;

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
      ProtocolCommand.class,
      NeuromodCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description =
          "Show TensorFlow's native log lines, hidden by default, and on an error also the full"
              + " message and its stack trace.")
  void verbose(boolean verbose) { // the error handler reads it from the parse result
    if (verbose) {
      NativeLog.verbose();
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs the command line and returns its exit status: 0 on success, 2 for a user error (a bad
   * option, bad input or data, a file system that refuses a write, diverged training), which is
   * printed as one line {@code error: …} without a stack trace. Any other exception is a bug: it
   * keeps its stack trace, and the status is 1.
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
    cli.setParameterExceptionHandler(Main::optionError);
    cli.setExecutionExceptionHandler(Main::userError);
    return cli.execute(args);
  }

  /** A bad option: one line and where to read about the options, instead of the whole usage. */
  private static int optionError(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    PrintWriter err = command.getErr();
    err.printf(
        "error: %s (see '%s --help')%n",
        firstLine(e.getMessage()), command.getCommandSpec().qualifiedName());
    err.flush();
    return command.getCommandSpec().exitCodeOnInvalidInput();
  }

  private static int userError(Exception e, CommandLine cli, CommandLine.ParseResult parsed)
      throws Exception {
    if (!(e instanceof InvalidInputException
        || e instanceof DataException
        || e instanceof TrainingDivergedException
        || e instanceof UncheckedIOException)) {
      throw e;
    }
    PrintWriter err = cli.getErr();
    String message =
        e instanceof UncheckedIOException io
            ? io.getMessage() + ": " + reason(io.getCause())
            : e.getMessage();
    err.println("error: " + (verbose(parsed) ? message : firstLine(message)));
    if (verbose(parsed)) {
      e.printStackTrace(err);
    }
    err.flush();
    return 2;
  }

  /** Why the file system refused, in a few words naming the file. */
  private static String reason(IOException e) {
    if (e instanceof FileSystemException fs) {
      String why;
      if (fs instanceof NoSuchFileException) {
        why = "no such file or directory";
      } else if (fs instanceof AccessDeniedException) {
        why = "permission denied";
      } else if (fs instanceof FileAlreadyExistsException) {
        why = "it already exists";
      } else if (fs instanceof NotDirectoryException) {
        why = "not a directory";
      } else {
        why = fs.getReason() == null ? "failed" : fs.getReason();
      }
      return why + (fs.getFile() == null ? "" : " (" + fs.getFile() + ")");
    }
    return String.valueOf(e.getMessage());
  }

  private static boolean verbose(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The first line of a message, without TensorFlow's node annotations ({@code [[{{node …}}]]}):
   * TensorFlow appends them and its hints, which {@code --verbose} shows.
   */
  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    String stripped = message.strip();
    int end = stripped.indexOf('\n');
    String line = end < 0 ? stripped : stripped.substring(0, end);
    return line.replaceAll("\\s*\\[\\[\\{\\{node [^\\]]*\\]\\]", "").strip();
  }
}
