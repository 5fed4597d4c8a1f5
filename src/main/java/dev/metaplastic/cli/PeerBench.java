package dev.metaplastic.cli;

import dev.metaplastic.experiments.Benchmarks;
import dev.metaplastic.files.Outputs;
import dev.metaplastic.graphs.SessionOptions;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code bench --peers}: the demo's protocol run by us and, when a Python with them is at hand, by
 * TensorFlow Python and PyTorch, from the scripts in {@code bench/peers} (packed into the jar).
 * Every round runs each of them once in a fresh process, in turns (the order rotating), so a slow
 * phase of a shared machine hits all alike; each process times a first SI run (its start-up counted
 * from the moment the process was launched), one more run of each method, and training steps.
 * Medians over rounds are printed with our time ÷ theirs.
 */
final class PeerBench {
  private static final List<String> SCRIPTS = List.of("protocol.py", "tf_demo.py", "torch_demo.py");

  /** A framework running the protocol: a name, the module it needs, its script. */
  private record Peer(String name, String module, String script) {}

  private static final List<Peer> PYTHON_PEERS =
      List.of(
          new Peer("tensorflow", "tensorflow", "tf_demo.py"),
          new Peer("torch", "torch", "torch_demo.py"));

  /** One row of the table: a label, the measurement's key and whether ours ÷ theirs is shown. */
  private record Row(String label, String key, boolean ratio) {}

  private static final List<Row> ROWS =
      List.of(
          new Row("first SI run, fresh process (s)", "fresh", true),
          new Row("  runtime start + framework load (s)", "startup", true),
          new Row("  data read (s)", "data", true),
          new Row("whole plain run, repeated (s)", "run:plain", true),
          new Row("whole SI run, repeated (s)", "run:si", true),
          new Row("whole EWC run, repeated (s)", "run:ewc", true),
          new Row("Adam step (ms)", "step:plain", true),
          new Row("SI step (ms)", "step:si", true),
          new Row("EWC step (ms)", "step:ewc", true),
          new Row("SI step ÷ Adam step", "step:si/plain", false),
          new Row("EWC step ÷ Adam step", "step:ewc/plain", false),
          new Row("peak resident memory (MB)", "memory", true),
          new Row("average accuracy, plain", "accuracy:plain", false),
          new Row("average accuracy, SI", "accuracy:si", false),
          new Row("average accuracy, EWC", "accuracy:ewc", false));

  private final String python;
  private final Path dataDir;
  private final int rounds;
  private final int steps;
  private final SessionOptions options;

  /**
   * @param python the Python interpreter given with {@code --python}, or null to look for one
   * @param dataDir Fashion-MNIST's directory
   * @param rounds fresh processes per framework
   * @param steps timed training steps per method in each process
   * @param options the threads every framework is given
   */
  PeerBench(String python, Path dataDir, int rounds, int steps, SessionOptions options) {
    this.python = python;
    this.dataDir = dataDir;
    this.rounds = rounds;
    this.steps = steps;
    this.options = options;
  }

  void run(PrintWriter out) {
    out.printf(
        "peers: the demo's protocol (split Fashion-MNIST from %s, 784-256-256 with 5 heads of 2,"
            + " Adam 1e-3, batch 256, 2 epochs per task; SI c = 1, EWC lambda = 1000 from 1024"
            + " examples), %d rounds of one fresh process per framework, taking turns; %s in"
            + " every framework%n",
        dataDir, rounds, options.describe());
    Path work;
    try {
      work = Files.createTempDirectory("metaplastic-peers-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the peers", e);
    }
    try {
      Map<String, List<String>> commands = new LinkedHashMap<>();
      commands.put("metaplastic", ourCommand());
      out.printf("  %-12s %s%n", "metaplastic", "this jar, in a new JVM");
      pythonPeers(out, work).forEach(commands::put);
      out.flush();
      Map<String, List<Map<String, Double>>> results = new LinkedHashMap<>();
      List<String> names = new ArrayList<>(commands.keySet());
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < names.size(); i++) {
          String name = names.get((i + round) % names.size());
          PeerRun run = PeerRun.of(commands.get(name), work);
          if (run.exitCode() != 0 || run.all("step").size() < (steps > 0 ? 3 : 0)) {
            out.printf(
                "  %s failed in round %d (exit %d): %s%n",
                name, round + 1, run.exitCode(), String.join(" | ", run.log()));
          } else {
            results.computeIfAbsent(name, k -> new ArrayList<>()).add(measurements(run));
            describe(out, name, run);
          }
          out.flush();
        }
      }
      out.printf("after the peers: %s%n", Benchmarks.machineLoad());
      printTable(out, medians(results));
    } finally {
      try {
        Outputs.deleteTree(work);
      } catch (IOException e) {
        System.err.println("could not delete " + work + ": " + e.getMessage());
      }
    }
  }

  /** Our side: this jar's {@code protocol} command in a new JVM with this JVM's options. */
  private List<String> ourCommand() {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "protocol"));
    command.addAll(protocolArguments());
    return command;
  }

  private List<String> protocolArguments() {
    return List.of(
        "--fresh",
        "si",
        "--methods",
        "plain,si,ewc",
        "--repeats",
        "1",
        "--steps",
        String.valueOf(steps),
        "--threads",
        String.valueOf(options.threads()),
        "--data-dir",
        dataDir.toString());
  }

  /** The Python peers that can run, with their commands; says which cannot and why. */
  private Map<String, List<String>> pythonPeers(PrintWriter out, Path work) {
    Map<String, List<String>> commands = new LinkedHashMap<>();
    Optional<String> interpreter = findPython(out);
    if (interpreter.isEmpty()) {
      return commands;
    }
    List<String> probe = new ArrayList<>(List.of(interpreter.get(), "-c", PROBE));
    PYTHON_PEERS.forEach(p -> probe.add(p.module()));
    PeerRun found;
    try {
      found = PeerRun.of(probe, work);
    } catch (UncheckedIOException e) {
      out.printf(
          "  no peer: %s cannot be started (%s)%n", interpreter.get(), e.getCause().getMessage());
      return commands;
    }
    if (found.exitCode() != 0 || found.all("modules").isEmpty()) {
      out.printf(
          "  no peer: %s does not run (%s)%n", interpreter.get(), String.join(" | ", found.log()));
      return commands;
    }
    PeerRun.Event modules = found.all("modules").get(0);
    extractScripts(work);
    for (Peer peer : PYTHON_PEERS) {
      if (!modules.fields().get(peer.module()).getAsBoolean()) {
        out.printf(
            "  %-12s MISSING: %s has no module '%s' (pip install %s), so it is left out%n",
            peer.name(),
            interpreter.get(),
            peer.module(),
            peer.module().equals("tensorflow") ? "tensorflow-cpu" : "torch");
        continue;
      }
      List<String> command =
          new ArrayList<>(List.of(interpreter.get(), "-u", work.resolve(peer.script()).toString()));
      command.addAll(protocolArguments());
      commands.put(peer.name(), command);
      out.printf("  %-12s %s %s%n", peer.name(), interpreter.get(), peer.script());
    }
    return commands;
  }

  private static final String PROBE =
      "import importlib.util, json, sys; print(json.dumps(dict([('event', 'modules')] +"
          + " [(m, importlib.util.find_spec(m) is not None) for m in sys.argv[1:]])))";

  /**
   * The interpreter: {@code --python}, else {@code $METAPLASTIC_PYTHON}, else the active virtual
   * environment's ({@code $VIRTUAL_ENV}), else {@code python3} on the {@code PATH}.
   */
  private Optional<String> findPython(PrintWriter out) {
    List<String[]> candidates = new ArrayList<>();
    candidates.add(new String[] {python, "--python"});
    candidates.add(new String[] {System.getenv("METAPLASTIC_PYTHON"), "$METAPLASTIC_PYTHON"});
    String venv = System.getenv("VIRTUAL_ENV");
    candidates.add(
        new String[] {venv == null ? null : venv + "/bin/python", "$VIRTUAL_ENV (active venv)"});
    candidates.add(new String[] {onPath("python3"), "python3 on the PATH"});
    for (String[] candidate : candidates) {
      if (candidate[0] != null) {
        out.printf("  python       %s (from %s)%n", candidate[0], candidate[1]);
        return Optional.of(candidate[0]);
      }
    }
    out.println(
        "  no peer: no Python found (give --python PATH or set METAPLASTIC_PYTHON to a Python"
            + " with tensorflow-cpu and torch installed); only our own numbers follow");
    return Optional.empty();
  }

  private static String onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }

  /** Copies the peer scripts out of the jar into {@code work}. */
  private static void extractScripts(Path work) {
    for (String script : SCRIPTS) {
      try (InputStream in = PeerBench.class.getResourceAsStream("peers/" + script)) {
        if (in == null) {
          throw new IllegalStateException("the jar lacks the peer script " + script);
        }
        Files.copy(in, work.resolve(script));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the peer script " + script, e);
      }
    }
  }

  /** One process's measurements by row key. */
  private static Map<String, Double> measurements(PeerRun run) {
    Map<String, Double> m = new LinkedHashMap<>();
    run.all("import").forEach(e -> m.put("startup", e.arrivedSeconds()));
    run.all("data").forEach(e -> m.put("data", e.number("seconds")));
    for (PeerRun.Event e : run.all("run")) {
      String method = e.text("method");
      if (e.text("kind").equals("fresh")) {
        m.put("fresh", e.arrivedSeconds());
      } else {
        m.put("run:" + method, e.number("seconds"));
      }
      m.put("accuracy:" + method, e.number("accuracy"));
    }
    run.all("step").forEach(e -> m.put("step:" + e.text("method"), e.number("milliseconds")));
    run.all("memory").forEach(e -> m.put("memory", e.number("peak_mb")));
    return m;
  }

  private static void describe(PrintWriter out, String name, PeerRun run) {
    String version = run.all("peer").isEmpty() ? "?" : run.all("peer").get(0).text("version");
    Map<String, Double> m = measurements(run);
    out.printf(
        Locale.ROOT,
        "  %-12s %s: fresh SI run %.2f s, runs plain/SI/EWC %.2f/%.2f/%.2f s%n",
        name,
        version,
        m.getOrDefault("fresh", Double.NaN),
        m.getOrDefault("run:plain", Double.NaN),
        m.getOrDefault("run:si", Double.NaN),
        m.getOrDefault("run:ewc", Double.NaN));
  }

  /** The median of each measurement over rounds, with the step ratios. */
  private static Map<String, Map<String, Double>> medians(
      Map<String, List<Map<String, Double>>> results) {
    Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
    results.forEach(
        (name, runs) -> {
          Map<String, Double> m = new LinkedHashMap<>();
          for (Row row : ROWS) {
            double[] values =
                runs.stream()
                    .filter(r -> r.containsKey(row.key()))
                    .mapToDouble(r -> r.get(row.key()))
                    .toArray();
            if (values.length > 0) {
              m.put(row.key(), Benchmarks.median(values));
            }
          }
          for (String rule : List.of("si", "ewc")) {
            if (m.containsKey("step:" + rule) && m.containsKey("step:plain")) {
              m.put("step:" + rule + "/plain", m.get("step:" + rule) / m.get("step:plain"));
            }
          }
          medians.put(name, m);
        });
    return medians;
  }

  private void printTable(PrintWriter out, Map<String, Map<String, Double>> medians) {
    if (!medians.containsKey("metaplastic")) {
      out.println("no table: our own protocol run failed");
      return;
    }
    List<String> peers = new ArrayList<>(medians.keySet());
    peers.remove("metaplastic");
    StringBuilder header = new StringBuilder(String.format("%-38s %12s", "median", "metaplastic"));
    peers.forEach(p -> header.append(String.format(" %12s", p)));
    peers.forEach(p -> header.append(String.format(" %14s", "ours ÷ " + p)));
    out.println(header);
    Map<String, Double> ours = medians.get("metaplastic");
    for (Row row : ROWS) {
      StringBuilder line = new StringBuilder(String.format("%-38s", row.label()));
      line.append(cell(ours.get(row.key()), 12));
      peers.forEach(p -> line.append(cell(medians.get(p).get(row.key()), 12)));
      for (String p : peers) {
        Double theirs = medians.get(p).get(row.key());
        Double mine = ours.get(row.key());
        line.append(
            row.ratio() && theirs != null && mine != null
                ? cell(mine / theirs, 14)
                : " ".repeat(15));
      }
      out.println(line);
    }
    out.flush();
  }

  private static String cell(Double value, int width) {
    return value == null
        ? " " + " ".repeat(width - 1) + "-"
        : String.format(Locale.ROOT, " %" + width + ".3f", value);
  }
}
