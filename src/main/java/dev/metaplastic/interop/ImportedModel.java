package dev.metaplastic.interop;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.metaplastic.data.Examples;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.SessionOptions;
import dev.metaplastic.graphs.proto.Source;
import dev.metaplastic.internal.ModelSources;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.ModelSource;
import dev.metaplastic.train.VariableMapping;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A dense classifier read from a Keras file or a SavedModel by {@link KerasImport#load}: our
 * architecture, the weights under our variable names, and the {@link ModelSource} record of where
 * it came from, its serving interface, its fixed input transform and how each value was mapped. It
 * holds plain arrays; the source is closed.
 *
 * <p>{@link #open} builds a training model from it with any optimizer and rules. That model's graph
 * reproduces the source's serving interface, so {@code SavedModels.export} writes it as a drop-in
 * replacement for the source: {@code serving_default} with the source's input key, shape and output
 * key and meaning, beside our own signatures and every rule's state.
 *
 * <p>Immutable; {@link #withReferenceAccuracy} and {@link #withForwardCheck} return copies.
 */
public final class ImportedModel {
  private final MlpSpec spec;
  private final Map<String, float[]> weights;
  private final Source source;
  private final String chain;
  private final String forwardCheck;

  ImportedModel(MlpSpec spec, Map<String, float[]> weights, Source source, String chain) {
    this(spec, weights, source, chain, "");
  }

  private ImportedModel(
      MlpSpec spec,
      Map<String, float[]> weights,
      Source source,
      String chain,
      String forwardCheck) {
    this.spec = checkNotNull(spec, "spec");
    this.weights = new LinkedHashMap<>(weights);
    this.source = checkNotNull(source, "source");
    this.chain = checkNotNull(chain, "chain");
    this.forwardCheck = checkNotNull(forwardCheck, "forwardCheck");
    Manifests.checkSource(source, spec);
  }

  /** A copy that records how its forward pass was checked against the source's. */
  ImportedModel withForwardCheck(String result) {
    return new ImportedModel(spec, weights, source, chain, result);
  }

  /** The file or SavedModel directory the model was imported from. */
  public Path savedModel() {
    return Path.of(source.getKerasSavedModel());
  }

  /**
   * Our architecture of the same shape: input size the first kernel's rows, hidden widths the
   * outputs of all layers but the last, one head with the last layer's outputs as classes.
   *
   * @param seed seed of the initial weights, which {@link #open} overwrites with the imported ones
   */
  public MlpSpec spec(long seed) {
    return spec.withSeed(seed);
  }

  /** Number of classes: the outputs of the last dense layer. */
  public int classes() {
    return spec.classesPerHead();
  }

  /**
   * Where the model came from and the serving interface it keeps; {@code SavedModels.export}
   * records it in the manifest.
   */
  public ModelSource source() {
    return ModelSources.of(source);
  }

  /** Input key of the source's {@code serving_default}, such as {@code input_1}. */
  public String inputName() {
    return source.getInputName();
  }

  /** Shape of one input example, the batch dimension left out, such as {@code [28, 28]}. */
  public List<Long> inputShape() {
    return source.getInputShapeList();
  }

  /** Output key of the source's {@code serving_default}, such as {@code dense_2}. */
  public String outputName() {
    return source.getOutputName();
  }

  /**
   * The activation of the source's output: {@value Manifests#SOFTMAX} for class probabilities,
   * {@value Manifests#LINEAR} for logits, or another (as {@code Activation} text).
   */
  public String outputActivation() {
    return source.getOutputActivation();
  }

  /** The activation of each hidden layer, in order, as {@code Activation} text. */
  public List<String> hiddenActivations() {
    return source.getHiddenActivationsList();
  }

  /** Source → target of every kernel and bias, layer by layer, with the layers folded into each. */
  public List<VariableMapping> mappings() {
    return source().mappings();
  }

  /**
   * The imported value of one of our variables, such as {@code dense_0/kernel}, flat row-major.
   *
   * @throws IllegalArgumentException if no value maps to that variable
   */
  public float[] weight(String target) {
    float[] values = weights.get(target);
    checkArgument(
        values != null, "no value is imported into '%s'; targets are %s", target, weights.keySet());
    return values.clone();
  }

  /**
   * Checks that data of {@code featureSize} values per example, {@code heads} output heads of
   * {@code classes} classes fits this model.
   *
   * @param data names the data in messages, such as {@code Fashion-MNIST in /usr/share/...}
   * @throws IllegalArgumentException naming the model's and the data's sizes, if they differ
   */
  public void checkData(int featureSize, int heads, int classes, String data) {
    checkArgument(
        featureSize == spec.inputSize(),
        "%s takes input '%s' %s, %s values per example, but %s has %s values per example",
        savedModel(),
        inputName(),
        inputShape(),
        spec.inputSize(),
        data,
        featureSize);
    checkArgument(
        heads == 1,
        "%s has one output layer, but %s needs %s heads (one per task); use data with one shared"
            + " head",
        savedModel(),
        data,
        heads);
    checkArgument(
        classes == classes(),
        "%s has %s classes, but %s has %s",
        savedModel(),
        classes(),
        data,
        classes);
  }

  /** Checks that {@code stream} fits this model (see {@link #checkData}). */
  public void checkFits(TaskStream stream) {
    checkData(
        stream.featureSize(),
        stream.heads(),
        stream.classesPerHead(),
        "stream " + stream.name() + " from " + stream.source());
  }

  /**
   * The fraction of {@code examples} this model classifies correctly, as imported.
   *
   * @throws IllegalArgumentException if the examples do not have this model's input size or have
   *     labels outside its classes
   */
  public double accuracy(Examples examples) {
    checkArgument(
        examples.featureSize() == spec.inputSize(),
        "%s takes %s values per example, the examples have %s",
        savedModel(),
        spec.inputSize(),
        examples.featureSize());
    try (ModelSession model = open(new OptimizerConfig.Sgd(0.01), List.of(), 0)) {
      return model.evaluate(examples, 1000);
    }
  }

  /**
   * A copy that records the source's accuracy on reference data, such as the Fashion-MNIST test
   * set, in its {@link #source()}.
   */
  public ImportedModel withReferenceAccuracy(double accuracy, String data) {
    checkArgument(accuracy >= 0 && accuracy <= 1, "an accuracy lies in [0, 1], got %s", accuracy);
    Source recorded =
        source.toBuilder().setReferenceAccuracy(accuracy).setReferenceData(data).build();
    return new ImportedModel(spec, weights, recorded, chain, forwardCheck);
  }

  /**
   * A training model with the imported weights: our MLP of {@link #spec(long) spec(seed)} with
   * {@code optimizer} and {@code rules}, the weights written in and every rule's bookkeeping
   * restarted from them ({@link ModelSession#rebase()}), so that SI measures the next task's
   * displacement from the imported weights. Its graph reproduces the source's serving interface
   * (see the class comment). The caller closes it.
   *
   * @param seed seed of later training, recorded in the model's spec
   */
  public ModelSession open(OptimizerConfig optimizer, List<? extends RuleConfig> rules, long seed) {
    return open(optimizer, rules, seed, SessionOptions.DEFAULT);
  }

  /** As {@link #open(OptimizerConfig, List, long)}, in a session with {@code options} (threads). */
  public ModelSession open(
      OptimizerConfig optimizer,
      List<? extends RuleConfig> rules,
      long seed,
      SessionOptions options) {
    ModelSession model = new ModelSession(spec(seed), optimizer, rules, source(), options);
    try {
      weights.forEach(model::write);
      model.rebase();
      return model;
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /**
   * A printable account of the import: the layer chain, one line per value (source, shape, target,
   * and any layers folded into it), the input transform, the serving interface, the activations and
   * where they were read, the forward-pass check, and our model.
   */
  public String describe() {
    List<VariableMapping> mappings = mappings();
    int sourceWidth = mappings.stream().mapToInt(m -> m.source().length()).max().orElse(0);
    int shapeWidth =
        mappings.stream()
            .mapToInt(m -> SavedModelInfo.shapeText(m.shape()).length())
            .max()
            .orElse(0);
    StringBuilder s = new StringBuilder();
    s.append(String.format("import of %s: %s%n", savedModel(), chain));
    for (VariableMapping m : mappings) {
      s.append(
          String.format(
              "  %-" + sourceWidth + "s  %-" + shapeWidth + "s  ->  %s%s%n",
              m.source(),
              SavedModelInfo.shapeText(m.shape()),
              m.target(),
              m.folded().isEmpty()
                  ? ""
                  : "  (folded in exactly: " + String.join(", ", m.folded()) + ")"));
    }
    if (source.getInputScaleCount() > 0) {
      s.append(
          String.format(
              "input transform: x * scale + offset per input value, kept fixed before dense_0"
                  + " (from the Rescaling/Normalization layers before the first dense layer)%n"));
    }
    List<Long> input = new ArrayList<>(List.of(-1L));
    input.addAll(inputShape());
    s.append(
        String.format(
            "%s: input '%s' float32 %s -> output '%s' [-1, %d], %s%n",
            KerasImport.SERVING_DEFAULT,
            inputName(),
            input,
            outputName(),
            classes(),
            outputActivation().equals(Manifests.SOFTMAX)
                ? "probabilities (softmax)"
                : outputActivation().equals(Manifests.LINEAR)
                    ? "logits (linear)"
                    : outputActivation() + " of the logits"));
    s.append(
        String.format(
            "activations (read from %s): hidden %s, output %s%n",
            source.getActivationsFrom(),
            hiddenActivations().isEmpty() ? "none" : String.join(", ", hiddenActivations()),
            outputActivation()));
    if (!forwardCheck.isEmpty()) {
      s.append(forwardCheck).append(System.lineSeparator());
    }
    if (source.getReferenceData().length() > 0) {
      s.append(
          String.format(
              Locale.ROOT,
              "reference accuracy %.4f on %s%n",
              source.getReferenceAccuracy(),
              source.getReferenceData()));
    }
    s.append(
        String.format(
            "our model: %s, head_0 outputs logits%s; an export keeps serving_default as above and"
                + " adds predict(x)%n",
            spec.describe(),
            outputActivation().equals(Manifests.LINEAR)
                ? ""
                : " (" + outputActivation() + " applied for serving_default)"));
    return s.toString();
  }

  @Override
  public String toString() {
    return "ImportedModel[" + savedModel() + ", " + spec.describe() + "]";
  }
}
