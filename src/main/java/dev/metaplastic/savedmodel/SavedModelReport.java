package dev.metaplastic.savedmodel;

import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.proto.EpisodeTraining;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.graphs.proto.Model;
import dev.metaplastic.graphs.proto.Rule;
import dev.metaplastic.graphs.proto.StateVariable;
import dev.metaplastic.internal.ManifestFiles;
import dev.metaplastic.interop.SavedModelInfo;
import dev.metaplastic.interop.SignatureInfo;
import dev.metaplastic.interop.TensorInfo;
import dev.metaplastic.interop.VariableInfo;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * What a SavedModel holds, as text — its signatures with their inputs and outputs, its variables
 * with a summary of their values, whoever wrote it — and, for a SavedModel exported by Metaplastic,
 * its manifest with per-rule state summaries: the report of {@code metaplastic inspect}. What
 * {@link SavedModelValidator} finds inconsistent (variables without saved values, a manifest that
 * contradicts the graph) comes first, one {@code warning:} line each: the report shows a damaged
 * model rather than refusing it.
 */
public final class SavedModelReport {
  /** Float variables of at most this many elements are printed in full. */
  private static final int MAX_PRINTED_VALUES = 4;

  private SavedModelReport() {}

  /**
   * Prints the report of the SavedModel in {@code dir} to {@code out}.
   *
   * @throws dev.metaplastic.InvalidInputException if {@code dir} is not a SavedModel
   */
  public static void print(Path dir, PrintWriter out) {
    List<String> problems = SavedModelValidator.problems(dir);
    try (SavedModelInfo model = SavedModelInfo.open(dir)) {
      out.printf("SavedModel %s (tag %s)%n", dir, SavedModelInfo.TAG);
      problems.forEach(p -> out.println("warning: " + p));
      printSignatures(model, out);
      printVariables(model, out);
      printManifest(model, dir, out);
    }
    out.flush();
  }

  private static void printSignatures(SavedModelInfo model, PrintWriter out) {
    out.printf("signatures: %d%n", model.signatures().size());
    for (SignatureInfo s : model.signatures()) {
      out.printf("  %s%s%n", s.key(), s.methodName().isEmpty() ? "" : " (" + s.methodName() + ")");
      List<String[]> rows = new ArrayList<>();
      s.inputs().forEach(t -> rows.add(tensorRow("input", t)));
      s.outputs().forEach(t -> rows.add(tensorRow("output", t)));
      printTable(out, "    ", rows);
    }
  }

  private static String[] tensorRow(String direction, TensorInfo t) {
    return new String[] {direction, t.key(), t.dtype(), t.shapeText(), t.tensorName()};
  }

  private static void printVariables(SavedModelInfo model, PrintWriter out) {
    out.printf("variables: %d%n", model.variables().size());
    if (model.variables().isEmpty()) {
      return;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"name", "kind", "dtype", "shape", "values"});
    for (VariableInfo v : model.variables()) {
      rows.add(new String[] {v.name(), v.kind(), v.dtype(), v.shapeText(), summary(model, v)});
    }
    printTable(out, "  ", rows);
  }

  /**
   * The values of a small float variable, or their mean, min and max; the value of an integer or
   * boolean scalar; empty otherwise.
   */
  private static String summary(SavedModelInfo model, VariableInfo v) {
    if (!v.isFloat()) {
      return v.isIntegerOrBooleanScalar() ? model.readScalar(v.name()) : "";
    }
    float[] values;
    try {
      values = model.readFloat(v.name());
    } catch (IllegalArgumentException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
    if (values.length == 0) {
      return "(empty)";
    }
    if (values.length <= MAX_PRINTED_VALUES) {
      return v.shape() != null && v.shape().isEmpty()
          ? Float.toString(values[0])
          : Arrays.toString(values);
    }
    Stats stats = Stats.of(values);
    return String.format("mean %.6g  min %.6g  max %.6g", stats.mean(), stats.min(), stats.max());
  }

  /** Mean, minimum and maximum of a non-empty array. */
  private record Stats(double mean, float min, float max) {
    static Stats of(float[] values) {
      double sum = 0;
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      for (float value : values) {
        sum += value;
        min = Math.min(min, value);
        max = Math.max(max, value);
      }
      return new Stats(sum / values.length, min, max);
    }
  }

  /**
   * Prints the Metaplastic manifest ({@code assets/metaplastic.pbtxt}) of a SavedModel exported by
   * this project: model, optimizer, data stream, and each rule with its hyperparameters and a
   * summary of its per-synapse importance, layer by layer.
   */
  private static void printManifest(SavedModelInfo model, Path dir, PrintWriter out) {
    if (!Files.isRegularFile(dir.resolve(SavedModels.MANIFEST))) {
      out.println("manifest: none (not written by Metaplastic)");
      return;
    }
    Manifest manifest = ManifestFiles.read(dir);
    out.printf(
        "manifest: format %d, written by %s%n",
        manifest.getFormatVersion(), manifest.getWrittenBy());
    if (Manifests.isPlasticRnn(manifest)) {
      printPlasticRnn(model, manifest, out);
      return;
    }
    Model m = manifest.getModel();
    out.printf(
        "  model %s: input %d, hidden %s, %d head(s) of %d classes, seed %d%n",
        m.getKind(),
        m.getInputSize(),
        m.getHiddenList(),
        m.getHeads(),
        m.getClassesPerHead(),
        m.getSeed());
    out.printf(
        "  optimizer %s %s, %d slots%n",
        manifest.getOptimizer().getName(),
        new TreeMap<>(manifest.getOptimizer().getHyperparametersMap()),
        manifest.getOptimizer().getSlotsCount());
    out.printf(
        "  data stream %s (%s), %d tasks; tasks consolidated: %d%n",
        manifest.getDataStream().getName(),
        manifest.getDataStream().getSource(),
        manifest.getDataStream().getTasks(),
        manifest.getTasksConsolidated());
    for (Rule rule : manifest.getRulesList()) {
      out.printf(
          "  rule %s %s, state per parameter: %s%n",
          rule.getName(),
          new TreeMap<>(rule.getHyperparametersMap()),
          rule.getStateList().stream().map(StateVariable::getState).distinct().toList());
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"parameter", "variable", "mean importance", "max importance"});
      for (StateVariable state : rule.getStateList()) {
        if (state.getState().equals("importance")) {
          Stats stats = Stats.of(model.readFloat(state.getVariable()));
          rows.add(
              new String[] {
                state.getParameter(),
                state.getVariable(),
                String.format("%.6g", stats.mean()),
                String.format("%.6g", stats.max())
              });
        }
      }
      if (rows.size() > 1) {
        printTable(out, "    ", rows);
      }
    }
  }

  /**
   * Prints a plastic RNN's manifest: architecture, episode training, optimizer, and its plastic
   * state — each learned plasticity coefficient with a summary of its values, and the shape of the
   * per-episode trace a caller carries between steps.
   */
  private static void printPlasticRnn(SavedModelInfo model, Manifest manifest, PrintWriter out) {
    Model m = manifest.getModel();
    int hidden = m.getHiddenCount() == 1 ? m.getHidden(0) : -1;
    out.printf(
        "  model %s: input %d, hidden %d, output %d, %d steps per episode, plasticity %s, seed %d%n",
        m.getKind(),
        m.getInputSize(),
        hidden,
        m.getOutputSize(),
        m.getSteps(),
        m.getPlasticity(),
        m.getSeed());
    if (m.hasRewardChannel()) {
      out.printf("  reward channel: input %d%n", m.getRewardChannel());
    }
    EpisodeTraining training = manifest.getEpisodeTraining();
    out.printf(
        "  trained %d steps on %d episodes of %s; loss %s, gradient norm clipped at %s%n",
        training.getTrainingSteps(),
        training.getEpisodesTrained(),
        training.getTaskDescription().isEmpty()
            ? training.getTask()
            : training.getTaskDescription(),
        training.getLoss(),
        training.getClipNorm());
    out.printf(
        "  optimizer %s %s, %d slots%n",
        manifest.getOptimizer().getName(),
        new TreeMap<>(manifest.getOptimizer().getHyperparametersMap()),
        manifest.getOptimizer().getSlotsCount());
    if (manifest.getRulesCount() == 0) {
      out.println("  plastic state: none (a plain RNN; serving_default carries the state only)");
      return;
    }
    out.printf(
        "  plastic state: the learned coefficients below, and a trace [-1, %d, %d] per episode"
            + " that serving_default takes and returns as 'trace'%n",
        hidden, hidden);
    for (Rule rule : manifest.getRulesList()) {
      out.printf("  rule %s %s%n", rule.getName(), new TreeMap<>(rule.getHyperparametersMap()));
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"parameter", "state", "variable", "mean", "min", "max"});
      for (StateVariable state : rule.getStateList()) {
        Stats stats = Stats.of(model.readFloat(state.getVariable()));
        rows.add(
            new String[] {
              state.getParameter(),
              state.getState(),
              state.getVariable(),
              String.format("%.6g", stats.mean()),
              String.format("%.6g", stats.min()),
              String.format("%.6g", stats.max())
            });
      }
      printTable(out, "    ", rows);
    }
  }

  /** Prints rows as left-aligned columns; trailing empty cells print nothing. */
  private static void printTable(PrintWriter out, String indent, List<String[]> rows) {
    int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder(indent);
      for (int c = 0; c < row.length; c++) {
        line.append(row[c]);
        if (c < row.length - 1) {
          line.append(" ".repeat(widths[c] - row[c].length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
