package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import dev.metaplastic.graphs.PlasticRnnSpec.Plasticity;
import dev.metaplastic.graphs.proto.DataStream;
import dev.metaplastic.graphs.proto.EpisodeTraining;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.graphs.proto.Model;
import dev.metaplastic.graphs.proto.Optimizer;
import dev.metaplastic.graphs.proto.Rule;
import dev.metaplastic.graphs.proto.Source;
import dev.metaplastic.graphs.proto.StateVariable;
import dev.metaplastic.ops.ConsolidationRule;
import dev.metaplastic.ops.FastWeightRuleDescriptor;
import dev.metaplastic.ops.Parameter;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.Rules;
import dev.metaplastic.ops.TraceProducts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes and reads the manifest that travels with every SavedModel and checkpoint: the model's
 * architecture, the optimizer, each rule with its hyperparameters and the parameter ↔ state
 * mapping, the number of tasks consolidated, and the data stream — or, for a plastic RNN, how it
 * was trained on episodes. Text protobuf, schema in {@code
 * graphs/src/main/proto/metaplastic/manifest.proto}.
 */
public final class Manifests {
  /** The newest schema version: this code reads it and every older one. */
  public static final int FORMAT_VERSION = 6;

  /**
   * The version MLP manifests are written with: version 1 describes them fully, so readers that
   * predate plastic RNNs and imports still read them.
   */
  public static final int MLP_FORMAT_VERSION = 1;

  /**
   * The version manifests of models imported from another SavedModel (which carry a {@code source})
   * are written with, so that an older reader says the manifest is too new instead of failing on an
   * unknown field.
   */
  public static final int SOURCE_FORMAT_VERSION = 2;

  /**
   * The version plastic RNN manifests are written with when their input has no reward channel:
   * version 2 describes them fully.
   */
  public static final int PLASTIC_RNN_FORMAT_VERSION = 2;

  /**
   * The version of plastic RNN manifests that record a reward channel (Model.reward_channel, added
   * in version 3).
   */
  public static final int REWARD_CHANNEL_FORMAT_VERSION = 3;

  /**
   * The version of manifests whose data stream records the data set's directory and fingerprint
   * (DataStream.directory and sha256, added in version 4).
   */
  public static final int DATA_FINGERPRINT_FORMAT_VERSION = 4;

  /**
   * The version from which every fast-weight rule's coefficients are named after the rule ({@code
   * oja/...}, {@code neuromodulated/...}, {@code gradient/...}); before it, some were stored under
   * {@linkplain FastWeightRuleDescriptor#formerStatePrefix() another prefix}. Plastic RNNs of those
   * rules are written with this version; older files are read through {@link #upgrade}.
   */
  public static final int RULE_NAMED_STATE_FORMAT_VERSION = 5;

  /**
   * The version of MLP manifests that record hidden activations other than ReLU, a fixed input
   * transform, folded layers or an output activation besides softmax and linear (added in version
   * 6).
   */
  public static final int ACTIVATIONS_FORMAT_VERSION = 6;

  /** Model kind of a real-valued MLP ({@link Mlp}). */
  public static final String MLP = "mlp";

  /** Model kind of a binarized MLP ({@link BinarizedMlp}). */
  public static final String BINARIZED_MLP = "binarized_mlp";

  /** Model kind of a plastic RNN ({@link PlasticRnn}). */
  public static final String PLASTIC_RNN = "plastic_rnn";

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
    if (spec.hasOtherActivations()) {
      spec.activations().forEach(a -> model.addHiddenActivations(a.text()));
    }
    Optimizer.Builder optimizer = describe(graph.optimizer(), graph.variables().keySet());
    Manifest.Builder manifest =
        Manifest.newBuilder()
            .setFormatVersion(formatVersion(spec, graph.source(), stream))
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

  /**
   * The lowest format version that describes an MLP of {@code spec} imported from {@code source}
   * (or null) and trained on {@code stream}.
   */
  private static int formatVersion(MlpSpec spec, Source source, DataStream stream) {
    if (spec.hasOtherActivations() || (source != null && needsActivationsFormat(source))) {
      return ACTIVATIONS_FORMAT_VERSION;
    }
    if (!stream.getSha256().isEmpty()) {
      return DATA_FINGERPRINT_FORMAT_VERSION;
    }
    return source == null ? MLP_FORMAT_VERSION : SOURCE_FORMAT_VERSION;
  }

  private static boolean needsActivationsFormat(Source source) {
    return source.getInputScaleCount() > 0
        || source.getMappingsList().stream().anyMatch(m -> m.getFoldedCount() > 0)
        || !(source.getOutputActivation().equals(SOFTMAX)
            || source.getOutputActivation().equals(LINEAR));
  }

  /** The optimizer and its slot variables, those of {@code variables} under its name. */
  private static Optimizer.Builder describe(OptimizerConfig config, Collection<String> variables) {
    Optimizer.Builder optimizer =
        Optimizer.newBuilder()
            .setName(config.name())
            .putAllHyperparameters(config.hyperparameters());
    String slotPrefix = config.name() + "/";
    variables.stream().filter(name -> name.startsWith(slotPrefix)).forEach(optimizer::addSlots);
    return optimizer;
  }

  /**
   * Describes an episode training graph (a plastic RNN): its spec, parameters, optimizer and slots,
   * the learned plasticity coefficients as the state of a rule named after their prefix (such as
   * {@code hebbian/rnn/recurrent_kernel/alpha}: rule {@code hebbian}, parameter {@code
   * rnn/recurrent_kernel}, state {@code alpha}), and the training so far.
   *
   * @param trainingSteps optimizer steps taken so far
   * @param episodesTrained episodes seen over those steps
   * @param task the episodic task as the command line names it, such as {@code associative}
   * @param taskDescription the task in words
   */
  public static Manifest describe(
      EpisodeTrainingGraph graph,
      long trainingSteps,
      long episodesTrained,
      String task,
      String taskDescription) {
    PlasticRnnSpec spec = graph.spec();
    Model.Builder model =
        Model.newBuilder()
            .setKind(PLASTIC_RNN)
            .setInputSize(spec.inputSize())
            .addHidden(spec.hidden())
            .setOutputSize(spec.outputSize())
            .setSteps(spec.steps())
            .setPlasticity(spec.plasticity().name())
            .setSeed(spec.seed())
            .setTraceBlockSteps(spec.blockSteps())
            .setTraceProducts(spec.traceProducts().ordinal());
    spec.rewardChannel().ifPresent(model::setRewardChannel);
    Map<String, Double> constants =
        spec.plasticity().rule().map(FastWeightRuleDescriptor::constants).orElse(Map.of());
    Map<String, Rule.Builder> rules = new LinkedHashMap<>();
    String middle = "/" + PlasticRnn.RECURRENT_KERNEL + "/";
    for (Parameter p : graph.rnn().parameters()) {
      model.addParameters(p.name());
      int at = p.name().indexOf(middle);
      if (at > 0) {
        String rule = p.name().substring(0, at);
        rules
            .computeIfAbsent(
                rule, r -> Rule.newBuilder().setName(r).putAllHyperparameters(constants))
            .addState(
                StateVariable.newBuilder()
                    .setParameter(PlasticRnn.RECURRENT_KERNEL)
                    .setState(p.name().substring(at + middle.length()))
                    .setVariable(p.name()));
      }
    }
    Manifest.Builder manifest =
        Manifest.newBuilder()
            .setFormatVersion(plasticRnnVersion(spec))
            .setWrittenBy(WRITTEN_BY)
            .setModel(model)
            .setOptimizer(describe(graph.optimizer(), graph.variables().keySet()))
            .setEpisodeTraining(
                EpisodeTraining.newBuilder()
                    .setLoss(graph.loss().name().toLowerCase(Locale.ROOT))
                    .setClipNorm(graph.clipNorm())
                    .setTrainingSteps(trainingSteps)
                    .setEpisodesTrained(episodesTrained)
                    .setTask(task)
                    .setTaskDescription(taskDescription));
    rules.values().forEach(manifest::addRules);
    return manifest.build();
  }

  /**
   * The lowest version that describes a plastic RNN of {@code spec}: 2, 3 with a reward channel, 5
   * for a rule whose coefficients were named otherwise before.
   */
  private static int plasticRnnVersion(PlasticRnnSpec spec) {
    Optional<FastWeightRuleDescriptor> rule = spec.plasticity().rule();
    if (rule.flatMap(FastWeightRuleDescriptor::formerStatePrefix).isPresent()) {
      return RULE_NAMED_STATE_FORMAT_VERSION;
    }
    return spec.rewardChannel().isPresent()
        ? REWARD_CHANNEL_FORMAT_VERSION
        : PLASTIC_RNN_FORMAT_VERSION;
  }

  /**
   * A manifest in today's names: for a plastic RNN of format 4 or older whose rule's coefficients
   * were stored under another prefix ({@code hebbian/...} for Oja's rule), every name under that
   * prefix, the optimizer's slots of them included, becomes the rule's own ({@code oja/...}) and
   * the version becomes the one this code writes. Any other manifest is returned as it is. {@link
   * #storedNames} says where the SavedModel keeps each renamed variable.
   */
  public static Manifest upgrade(Manifest stored) {
    Map<String, String> renamed = storedNames(stored);
    if (renamed.isEmpty()) {
      return stored;
    }
    Map<String, String> today = new LinkedHashMap<>();
    renamed.forEach((now, before) -> today.put(before, now));
    Manifest.Builder upgraded =
        stored.toBuilder().setFormatVersion(RULE_NAMED_STATE_FORMAT_VERSION);
    Model.Builder model = upgraded.getModelBuilder().clearParameters();
    stored
        .getModel()
        .getParametersList()
        .forEach(n -> model.addParameters(today.getOrDefault(n, n)));
    Optimizer.Builder optimizer = upgraded.getOptimizerBuilder().clearSlots();
    stored.getOptimizer().getSlotsList().forEach(n -> optimizer.addSlots(today.getOrDefault(n, n)));
    String rule = stored.getModel().getPlasticity();
    for (Rule.Builder r : upgraded.getRulesBuilderList()) {
      r.setName(rule);
      r.getStateBuilderList().forEach(v -> v.setVariable(today.get(v.getVariable())));
    }
    return upgraded.build();
  }

  /**
   * For a manifest {@link #upgrade} renames: each renamed variable's name today, mapped to the name
   * the SavedModel stores it under; empty for any other manifest.
   */
  public static Map<String, String> storedNames(Manifest stored) {
    if (!isPlasticRnn(stored) || stored.getFormatVersion() >= RULE_NAMED_STATE_FORMAT_VERSION) {
      return Map.of();
    }
    Optional<FastWeightRuleDescriptor> rule = plasticRnnSpec(stored).plasticity().rule();
    Optional<String> before = rule.flatMap(FastWeightRuleDescriptor::formerStatePrefix);
    if (before.isEmpty()) {
      return Map.of();
    }
    String old = before.get() + "/";
    String now = rule.get().name() + "/";
    String slot = stored.getOptimizer().getName() + "/";
    Map<String, String> names = new LinkedHashMap<>();
    for (String name : promisedVariables(stored)) {
      if (name.startsWith(old)) {
        names.put(now + name.substring(old.length()), name);
      } else if (name.startsWith(slot + old)) {
        names.put(slot + now + name.substring(slot.length() + old.length()), name);
      }
    }
    return names;
  }

  /** Whether a manifest describes a plastic RNN (an episode model) rather than an MLP. */
  public static boolean isPlasticRnn(Manifest manifest) {
    return manifest.getModel().getKind().equals(PLASTIC_RNN);
  }

  /** The plastic RNN a manifest describes. */
  public static PlasticRnnSpec plasticRnnSpec(Manifest manifest) {
    Model m = manifest.getModel();
    checkArgument(
        isPlasticRnn(manifest),
        "manifest describes a model of kind '%s', expected %s",
        m.getKind(),
        PLASTIC_RNN);
    checkArgument(
        m.getHiddenCount() == 1,
        "manifest of a plastic RNN must give one hidden size, got %s",
        m.getHiddenList());
    Plasticity plasticity =
        Plasticity.values().stream()
            .filter(p -> p.name().equals(m.getPlasticity()))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "manifest names an unknown plasticity '"
                            + m.getPlasticity()
                            + "'; expected one of "
                            + Plasticity.values().stream()
                                .map(Plasticity::name)
                                .collect(Collectors.joining(", "))));
    try {
      return new PlasticRnnSpec(
          m.getInputSize(),
          m.getHidden(0),
          m.getOutputSize(),
          m.getSteps(),
          plasticity,
          m.getSeed(),
          m.hasRewardChannel() ? OptionalInt.of(m.getRewardChannel()) : OptionalInt.empty(),
          m.getTraceBlockSteps(),
          traceProducts(m.getTraceProducts()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("manifest of a plastic RNN: " + e.getMessage(), e);
    }
  }

  /** The manifest's {@code trace_products}: its index among {@link TraceProducts}' values. */
  private static TraceProducts traceProducts(int code) {
    TraceProducts[] all = TraceProducts.values();
    checkArgument(
        code >= 0 && code < all.length,
        "trace_products must be 0 (elementwise) to %s, got %s",
        all.length - 1,
        code);
    return all[code];
  }

  /** The per-step loss of a plastic RNN's manifest. */
  public static EpisodeTrainingGraph.Loss episodeLoss(Manifest manifest) {
    String loss = manifest.getEpisodeTraining().getLoss();
    return Arrays.stream(EpisodeTrainingGraph.Loss.values())
        .filter(l -> l.name().toLowerCase(Locale.ROOT).equals(loss))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "manifest names an unknown episode loss '"
                        + loss
                        + "'; expected classification or regression"));
  }

  /** The gradient clip norm of a plastic RNN's manifest ({@code +Infinity}: no clipping). */
  public static double clipNorm(Manifest manifest) {
    double clipNorm = manifest.getEpisodeTraining().getClipNorm();
    checkArgument(
        clipNorm > 0 && !Double.isNaN(clipNorm),
        "manifest gives clip_norm %s; expected a positive bound or inf",
        clipNorm);
    return clipNorm;
  }

  /** The architecture a manifest describes. */
  public static MlpSpec spec(Manifest manifest) {
    Model m = manifest.getModel();
    checkArgument(
        !isPlasticRnn(manifest),
        "manifest describes a plastic RNN (kind '%s'), not an MLP; load it as an episode model",
        PLASTIC_RNN);
    checkArgument(
        m.getKind().equals(MLP) || m.getKind().equals(BINARIZED_MLP),
        "manifest describes a model of kind '%s', expected %s or %s",
        m.getKind(),
        MLP,
        BINARIZED_MLP);
    List<Activation> activations = new ArrayList<>();
    if (m.getHiddenActivationsCount() == 0) {
      m.getHiddenList().forEach(h -> activations.add(Activation.RELU));
    } else {
      m.getHiddenActivationsList().forEach(a -> activations.add(Activation.parse(a)));
    }
    return new MlpSpec(
        m.getInputSize(),
        m.getHiddenList(),
        m.getHeads(),
        m.getClassesPerHead(),
        m.getSeed(),
        m.getKind().equals(BINARIZED_MLP),
        activations);
  }

  /** The source of an imported model a manifest records, or {@code null} if it records none. */
  public static Source source(Manifest manifest) {
    return manifest.hasSource() ? manifest.getSource() : null;
  }

  /**
   * Checks that a model of architecture {@code spec} can reproduce the serving interface of {@code
   * source}: a single-head real-valued MLP, input and output names given, input dimensions whose
   * product is the input size, an input transform of that size or none, and an output activation
   * that {@link Activation} supports.
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
    Activation.parse(source.getOutputActivation());
    checkArgument(
        source.getInputScaleCount() == source.getInputOffsetCount()
            && (source.getInputScaleCount() == 0 || source.getInputScaleCount() == size),
        "the input transform of %s has %s scales and %s offsets; expected none or %s of each",
        source.getKerasSavedModel(),
        source.getInputScaleCount(),
        source.getInputOffsetCount(),
        size);
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
    checkMatches(manifest, graph.variables().keySet(), graph.parameters());
  }

  /** Checks that the episode graph built from a manifest has the state the manifest promises. */
  public static void checkMatches(Manifest manifest, EpisodeTrainingGraph graph) {
    checkMatches(manifest, graph.variables().keySet(), graph.rnn().parameters());
  }

  private static void checkMatches(
      Manifest manifest, Set<String> variables, List<Parameter> modelParameters) {
    List<String> missing = new ArrayList<>();
    for (String name : promisedVariables(manifest)) {
      if (!variables.contains(name)) {
        missing.add(name);
      }
    }
    checkArgument(
        missing.isEmpty(), "the manifest names variables this model does not have: %s", missing);
    List<String> parameters = new ArrayList<>();
    modelParameters.stream().map(Parameter::name).forEach(parameters::add);
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
