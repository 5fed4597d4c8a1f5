package dev.metaplastic.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One process of the benchmark protocol (ours or a peer's), run to its end: the JSON events it
 * printed, each with the seconds from the process's start to the moment its line arrived, so that a
 * fresh run's time counts the runtime's start-up, the imports and the data read.
 *
 * @param events the events in the order printed
 * @param exitCode the process's exit status
 * @param log the last lines of its standard error, for a failed run's report
 */
record PeerRun(List<Event> events, int exitCode, List<String> log) {
  /** One JSON line and when it arrived. */
  record Event(JsonObject fields, double arrivedSeconds) {
    String kind() {
      return fields.get("event").getAsString();
    }

    double number(String field) {
      return fields.get(field).getAsDouble();
    }

    String text(String field) {
      return fields.get(field).getAsString();
    }
  }

  PeerRun {
    events = List.copyOf(events);
    log = List.copyOf(log);
  }

  /** Starts {@code command} and reads its events until it exits; standard error goes to a file. */
  static PeerRun of(List<String> command, Path workDir) {
    Path errors = null;
    try {
      errors = Files.createTempFile(workDir, "peer-", ".log");
      ProcessBuilder builder =
          new ProcessBuilder(command).directory(workDir.toFile()).redirectError(errors.toFile());
      builder.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
      builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
      long start = System.nanoTime();
      Process process = builder.start();
      process.getOutputStream().close();
      List<Event> events = new ArrayList<>();
      try (BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          double arrived = (System.nanoTime() - start) / 1e9;
          parse(line).ifPresent(fields -> events.add(new Event(fields, arrived)));
        }
      }
      int exit = process.waitFor();
      List<String> log = Files.readAllLines(errors, StandardCharsets.UTF_8);
      return new PeerRun(events, exit, log.subList(Math.max(0, log.size() - 5), log.size()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command.get(0), e);
    } finally {
      if (errors != null) {
        try {
          Files.deleteIfExists(errors);
        } catch (IOException e) {
          System.err.println("could not delete " + errors + ": " + e.getMessage());
        }
      }
    }
  }

  /** A line that is a JSON object with an {@code event} field; anything else is not an event. */
  private static Optional<JsonObject> parse(String line) {
    if (!line.startsWith("{")) {
      return Optional.empty();
    }
    try {
      JsonObject fields = JsonParser.parseString(line).getAsJsonObject();
      return fields.has("event") ? Optional.of(fields) : Optional.empty();
    } catch (JsonSyntaxException | IllegalStateException e) {
      return Optional.empty();
    }
  }

  /** The events of one kind, in order. */
  List<Event> all(String kind) {
    return events.stream().filter(e -> e.kind().equals(kind)).toList();
  }
}
