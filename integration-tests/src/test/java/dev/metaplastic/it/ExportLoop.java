package dev.metaplastic.it;

import dev.metaplastic.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/**
 * A child process for {@link ConcurrentRunTest}: exports checkpoint {@code args[0]} again and again
 * to {@code args[1]}/m-0, m-1, …, printing {@code exported <i>} after each, until it is killed.
 */
public final class ExportLoop {
  private ExportLoop() {}

  public static void main(String[] args) {
    for (int i = 0; ; i++) {
      StringWriter err = new StringWriter();
      int status =
          Main.run(
              new PrintWriter(new StringWriter()),
              new PrintWriter(err),
              "export",
              args[0],
              Path.of(args[1]).resolve("m-" + i).toString());
      if (status != 0) {
        System.out.println("failed " + i + ": " + err);
        return;
      }
      System.out.println("exported " + i);
    }
  }
}
