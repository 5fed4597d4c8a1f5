package dev.metaplastic.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.metaplastic.graphs.SessionOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark protocol's JSON lines from our side, and {@code bench --peers}' table when no
 * Python peer can run, both on a tiny Fashion-MNIST-shaped data set.
 */
class ProtocolCommandTest {
  @TempDir static Path dir;
  private static Path data;

  @BeforeAll
  static void writeTinyFashionMnist() throws IOException {
    data = Files.createDirectories(dir.resolve("fashion-mnist"));
    writeSet("train", 60);
    writeSet("t10k", 20);
  }

  /** {@code count} 28×28 images of a fixed pattern with labels 0, 1, …, 9, 0, 1, …. */
  private static void writeSet(String prefix, int count) throws IOException {
    ByteBuffer images = ByteBuffer.allocate(16 + count * 784).putInt(0x803);
    images.putInt(count).putInt(28).putInt(28);
    ByteBuffer labels = ByteBuffer.allocate(8 + count).putInt(0x801).putInt(count);
    for (int i = 0; i < count; i++) {
      for (int p = 0; p < 784; p++) {
        images.put((byte) ((i * 31 + p * 7) % 256));
      }
      labels.put((byte) (i % 10));
    }
    Files.write(data.resolve(prefix + "-images-idx3-ubyte"), images.array());
    Files.write(data.resolve(prefix + "-labels-idx1-ubyte"), labels.array());
  }

  @Test
  void printsOneJsonEventPerMeasurement() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        Main.run(
            new PrintWriter(out),
            new PrintWriter(err),
            "protocol",
            "--data-dir",
            data.toString(),
            "--fresh",
            "si",
            "--methods",
            "plain,ewc",
            "--steps",
            "10",
            "--threads",
            "1");
    assertEquals(0, status, err.toString());
    List<JsonObject> events = new ArrayList<>();
    out.toString()
        .lines()
        .forEach(line -> events.add(JsonParser.parseString(line).getAsJsonObject()));
    List<String> kinds = new ArrayList<>();
    events.forEach(e -> kinds.add(e.get("event").getAsString()));
    kinds.remove("memory"); // where the system tells it
    assertEquals(
        List.of("import", "peer", "data", "run", "run", "run", "step", "step", "step"), kinds);
    assertEquals("metaplastic", events.get(1).get("peer").getAsString());
    assertEquals(1, events.get(1).get("threads").getAsInt());
    List<String> runs = new ArrayList<>();
    for (JsonObject run : events.subList(3, 6)) {
      runs.add(run.get("kind").getAsString() + " " + run.get("method").getAsString());
      assertTrue(run.get("seconds").getAsDouble() > 0);
      double accuracy = run.get("accuracy").getAsDouble();
      assertTrue(accuracy >= 0 && accuracy <= 1, "accuracy " + accuracy);
    }
    assertEquals(List.of("fresh si", "repeated plain", "repeated ewc"), runs);
    for (JsonObject step : events.subList(6, 9)) {
      assertTrue(step.get("milliseconds").getAsDouble() > 0);
    }
  }

  @Test
  void refusesAnUnknownMethod() {
    StringWriter err = new StringWriter();
    int status =
        Main.run(
            new PrintWriter(new StringWriter()),
            new PrintWriter(err),
            "protocol",
            "--data-dir",
            data.toString(),
            "--methods",
            "mas");
    assertEquals(2, status);
    assertEquals(
        "error: unknown protocol method 'mas'; known: plain, si, ewc", err.toString().strip());
  }

  /** A Python that cannot start leaves our own column, measured in a fresh JVM, and says so. */
  @Test
  void peersWithoutPythonGiveOurOwnColumn() {
    StringWriter out = new StringWriter();
    new PeerBench(dir.resolve("no-such-python").toString(), data, 1, 10, new SessionOptions(1))
        .run(new PrintWriter(out, true));
    String text = out.toString();
    assertTrue(text.contains("no peer: " + dir.resolve("no-such-python")), text);
    assertTrue(text.contains("1 intra-op and 1 inter-op threads"), text);
    String header =
        text.lines()
            .filter(l -> l.startsWith("median"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(text));
    assertEquals(List.of("median", "metaplastic"), List.of(header.trim().split("\\s+")));
    for (String row : List.of("first SI run, fresh process (s)", "whole EWC run, repeated (s)")) {
      String line = text.lines().filter(l -> l.startsWith(row)).findFirst().orElseThrow();
      double seconds = Double.parseDouble(line.substring(row.length()).trim());
      assertTrue(seconds > 0, line);
    }
  }
}
