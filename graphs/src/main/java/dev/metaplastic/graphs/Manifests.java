package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import dev.metaplastic.graphs.proto.DataStream;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.graphs.proto.Model;
import dev.metaplastic.graphs.proto.Optimizer;
import dev.metaplastic.graphs.proto.Rule;
import dev.metaplastic.graphs.proto.Source;
import dev.metaplastic.graphs.proto.StateVariable;
import dev.metaplastic.ops.ConsolidationRule;
import dev.metaplastic.ops.Parameter;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.Rules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes and reads the manifest that travels with every SavedModel and checkpoint: the model's
 * architecture, the optimizer, each rule with its hyperparameters and the parameter ↔ state
 * mapping, the number of tasks consolidated, and the data stream. Text protobuf, schema in {@code
 * graphs/src/main/proto/metaplastic/manifest.proto}.
 */
public final class Manifests {
  /** The schema version this code writes; it reads this version and every older one. */
  public static final int FORMAT_VERSION = 1;

  /** Model kind of a real-valued MLP ({@link Mlp}). */
  public static final String MLP = "mlp";

  /** Model kind of a binarized MLP ({@link BinarizedMlp}). */
  public static final String BINARIZED_MLP = "binarized_mlp";

  /** Written into every manifest. */
  public static final String WRITTEN_BY = "metaplastic 0.1.0";

  /** Output activation of a source whose serving output is class probabilities. */
  public static final String SOFTMAX = "softmax";

  /** Output activation of a source whose serving output is the logits themselves. */
  public static final String LINEAR = "linear";

  private Manifests() {}

  /** Describes a training graph, with {@code tasksConsolidated} boundaries done so far. */
  public static Manifest describe(TrainingGraph graph, int tasksConsolidated, DataStream stream) {
    MlpSpec spec = graph.spec();
    Model.Builder model =
        Model.newBuilder()
            .setKind(spec.binarized() ? BINARIZED_MLP : MLP)
            .setInputSize(spec.inputSize())
            .addAllHidden(spec.hidden())
            .setHeads(spec.heads())
            .setClassesPerHead(spec.classesPerHead())
            .setSeed(spec.seed());
    graph.parameters().forEach(p -> model.addParameters(p.name()));
    Optimizer.Builder optimizer =
        Optimizer.newBuilder()
            .setName(graph.optimizer().name())
            .putAllHyperparameters(graph.optimizer().hyperparameters());
    String slotPrefix = graph.optimizer().name() + "/";
    graph.variables().keySet().stream()
        .filter(name -> name.startsWith(slotPrefix))
        .forEach(optimizer::addSlots);
    Manifest.Builder manifest =
        Manifest.newBuilder()
            .setFormatVersion(FORMAT_VERSION)
            .setWrittenBy(WRITTEN_BY)
            .setModel(model)
            .setOptimizer(optimizer)
            .setTasksConsolidated(tasksConsolidated)
            .setDataStream(stream);
    if (graph.source() != null) {
      manifest.setSource(graph.source());
    }
    for (ConsolidationRule rule : graph.rules()) {
      Rule.Builder r =
          Rule.newBuilder()
              .setName(rule.config().name())
              .putAllHyperparameters(rule.config().hyperparameters());
      rule.state()
          .forEach(
              s ->
                  r.addState(
                      StateVariable.newBuilder()
                          .setParameter(s.parameter())
                          .setState(s.state())
                          .setVariable(s.name())));
      manifest.addRules(r);
    }
    return manifest.build();
  }

  /** The architecture a manifest describes. */
  public static MlpSpec spec(Manifest manifest) {
    Model m = manifest.getModel();
    checkArgument(
        m.getKind().equals(MLP) || m.getKind().equals(BINARIZED_MLP),
        "manifest describes a model of kind '%s', expected %s or %s",
        m.getKind(),
        MLP,
        BINARIZED_MLP);
    return new MlpSpec(
        m.getInputSize(),
        m.getHiddenList(),
        m.getHeads(),
        m.getClassesPerHead(),
        m.getSeed(),
        m.getKind().equals(BINARIZED_MLP));
  }

  /** The source of an imported model a manifest records, or {@code null} if it records none. */
  public static Source source(Manifest manifest) {
    return manifest.hasSource() ? manifest.getSource() : null;
  }

  /**
   * Checks that a model of architecture {@code spec} can reproduce the serving interface of {@code
   * source}: a single-head real-valued MLP, input and output names given, input dimensions whose
   * product is the input size, and a {@value #SOFTMAX} or {@value #LINEAR} output.
   *
   * @throws IllegalArgumentException naming what does not fit
   */
  public static void checkSource(Source source, MlpSpec spec) {
    checkArgument(
        !source.getInputName().isEmpty() && !source.getOutputName().isEmpty(),
        "the source of an imported model needs an input and an output name, got '%s' and '%s'",
        source.getInputName(),
        source.getOutputName());
    checkArgument(
        !spec.multiHead() && !spec.binarized(),
        "only a single-head real-valued MLP can serve as imported model %s, not %s",
        source.getKerasSavedModel(),
        spec.describe());
    long size = 1;
    for (long d : source.getInputShapeList()) {
      checkArgument(
          d > 0,
          "input shape %s of %s has a dimension below 1",
          source.getInputShapeList(),
          source.getKerasSavedModel());
      size *= d;
    }
    checkArgument(
        size == spec.inputSize(),
        "input '%s' of %s has shape %s (%s values per example), but the model %s takes %s",
        source.getInputName(),
        source.getKerasSavedModel(),
        source.getInputShapeList(),
        size,
        spec.describe(),
        spec.inputSize());
    checkArgument(
        source.getOutputActivation().equals(SOFTMAX) || source.getOutputActivation().equals(LINEAR),
        "output activation of %s is '%s'; expected %s or %s",
        source.getKerasSavedModel(),
        source.getOutputActivation(),
        SOFTMAX,
        LINEAR);
  }

  /** The optimizer a manifest describes. */
  public static OptimizerConfig optimizer(Manifest manifest) {
    Optimizer o = manifest.getOptimizer();
    Map<String, Double> h = o.getHyperparametersMap();
    return switch (o.getName()) {
      case "sgd" -> new OptimizerConfig.Sgd(required(h, "learning_rate", "sgd"));
      case "adam" ->
          new OptimizerConfig.Adam(
              required(h, "learning_rate", "adam"),
              required(h, "beta1", "adam"),
              required(h, "beta2", "adam"),
              required(h, "epsilon", "adam"));
      default ->
          throw new IllegalArgumentException(
              "manifest names an unknown optimizer '" + o.getName() + "'; expected sgd or adam");
    };
  }

  /** The rules a manifest describes, in order. */
  public static List<RuleConfig> rules(Manifest manifest) {
    List<RuleConfig> rules = new ArrayList<>();
    for (Rule r : manifest.getRulesList()) {
      rules.add(Rules.fromHyperparameters(r.getName(), r.getHyperparametersMap()));
    }
    return rules;
  }

  /**
   * Every variable a manifest promises: parameters, optimizer slots and rule state. A SavedModel or
   * checkpoint without one of them cannot be resumed.
   */
  public static List<String> promisedVariables(Manifest manifest) {
    List<String> names = new ArrayList<>(manifest.getModel().getParametersList());
    names.addAll(manifest.getOptimizer().getSlotsList());
    manifest.getRulesList().forEach(r -> r.getStateList().forEach(s -> names.add(s.getVariable())));
    return names;
  }

  /** Checks that the training graph built from a manifest has the state the manifest promises. */
  public static void checkMatches(Manifest manifest, TrainingGraph graph) {
    List<String> missing = new ArrayList<>();
    for (String name : promisedVariables(manifest)) {
      if (!graph.variables().containsKey(name)) {
        missing.add(name);
      }
    }
    checkArgument(
        missing.isEmpty(), "the manifest names variables this model does not have: %s", missing);
    List<String> parameters = new ArrayList<>();
    graph.parameters().stream().map(Parameter::name).forEach(parameters::add);
    checkArgument(
        parameters.equals(manifest.getModel().getParametersList()),
        "the manifest's parameters %s differ from the model's %s",
        manifest.getModel().getParametersList(),
        parameters);
  }

  /** Text format of a manifest or training run. */
  public static String toText(Message message) {
    return TextFormat.printer().escapingNonAscii(false).printToString(message);
  }

  /**
   * Parses a manifest from text, refusing a newer format version.
   *
   * @param origin where the text came from, for error messages
   */
  public static Manifest parseManifest(String text, String origin) {
    Manifest.Builder builder = Manifest.newBuilder();
    parse(text, builder, origin);
    checkVersion(builder.getFormatVersion(), origin);
    return builder.build();
  }

  /** Parses text into {@code builder}; a syntax error names {@code origin}. */
  public static void parse(String text, Message.Builder builder, String origin) {
    try {
      TextFormat.Parser parser = TextFormat.Parser.newBuilder().build();
      parser.merge(text, builder);
    } catch (TextFormat.ParseException e) {
      throw new IllegalArgumentException(origin + " is not a valid manifest: " + e.getMessage(), e);
    }
  }

  /** Refuses a manifest written by a newer, unknown format. */
  public static void checkVersion(int version, String origin) {
    checkArgument(
        version >= 1 && version <= FORMAT_VERSION,
        "%s has format version %s; this version of Metaplastic reads versions 1 to %s",
        origin,
        version,
        FORMAT_VERSION);
  }

  private static double required(Map<String, Double> h, String key, String owner) {
    Double value = h.get(key);
    checkArgument(value != null, "manifest lacks hyperparameter '%s' of %s", key, owner);
    return value;
  }
}
