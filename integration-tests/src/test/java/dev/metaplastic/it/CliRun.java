package dev.metaplastic.it;

import dev.metaplastic.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;

/** The outcome of one command-line run in this JVM: exit status and captured output. */
record CliRun(int status, String out, String err) {
  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new CliRun(status, out.toString(), err.toString());
  }
}
