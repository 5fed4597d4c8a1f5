package dev.metaplastic.interop;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.train.ModelSession;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Variable;

/**
 * A plan to import the dense layers of a Keras (or plain TensorFlow) MLP saved as a SavedModel into
 * our MLP, so that continual learning continues in Java from a Python-trained model.
 *
 * <p>Dense layers are found by their variables: a {@code float32} kernel {@code <layer>/kernel}
 * {@code [in, out]} and bias {@code <layer>/bias} {@code [out]}. Optimizer slots and settings
 * ({@code Adam/...}, {@code SGD/...}, and our own {@code adam/...}) and other variables (metric
 * scalars such as {@code total} and {@code count}) are ignored. Layers are ordered by chaining
 * their shapes, the output size of one being the input size of the next; if the shapes allow more
 * than one order (several square layers), the order of the Keras layer names ({@code dense}, {@code
 * dense_1}, {@code dense_2}, ...) decides when it is one of them, otherwise the plan fails.
 *
 * <p>Layer {@code i} of {@code n} maps to our {@code dense_<i>/kernel} and {@code dense_<i>/bias},
 * and the last to {@code head_0/kernel} and {@code head_0/bias}. Our MLP applies ReLU between
 * layers and outputs logits; the source's activations are not checked (Keras MLPs such as the
 * Fashion-MNIST fixtures use ReLU). A softmax the source applies after its last layer (Keras {@code
 * activation="softmax"}) is part of the layer, not of its variables: the imported head's logits are
 * exactly the source's pre-softmax values, and our prediction applies softmax to them again, so a
 * model that outputs probabilities and one that outputs logits both import as logits.
 *
 * <p>A plan reads values from its {@link SavedModelInfo} when {@link #copyInto} runs: keep the
 * model open until then.
 */
public final class KerasImport {
  /**
   * First name segments of optimizer variables (Keras slots such as {@code Adam/dense/kernel/m}).
   */
  private static final Set<String> OPTIMIZER_SCOPES =
      Set.of(
          "adam",
          "adamw",
          "adamax",
          "nadam",
          "sgd",
          "rmsprop",
          "adagrad",
          "adadelta",
          "ftrl",
          "lion",
          "momentum",
          "optimizer");

  private static final Pattern KERAS_SUFFIX = Pattern.compile("(.*?)(?:_(\\d+))?");

  /**
   * One value to copy.
   *
   * @param source the variable in the SavedModel, such as {@code dense/kernel}
   * @param target our variable, such as {@code dense_0/kernel}
   * @param shape the shape both have
   */
  public record Mapping(String source, String target, List<Long> shape) {
    /** Copies the shape. */
    public Mapping {
      checkNotNull(source, "source");
      checkNotNull(target, "target");
      shape = List.copyOf(shape);
    }
  }

  /** A dense layer of the source: its variable prefix and sizes. */
  private record Layer(String name, long in, long out) {
    String shapes() {
      return name + " [" + in + ", " + out + "]";
    }
  }

  private final SavedModelInfo model;
  private final List<Layer> layers;
  private final boolean orderedByName;
  private final List<Mapping> mappings;

  private KerasImport(SavedModelInfo model, List<Layer> layers, boolean orderedByName) {
    this.model = model;
    this.layers = List.copyOf(layers);
    this.orderedByName = orderedByName;
    List<Mapping> out = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      String target = i < layers.size() - 1 ? "dense_" + i : "head_0";
      out.add(
          new Mapping(
              layer.name() + "/kernel", target + "/kernel", List.of(layer.in(), layer.out())));
      out.add(new Mapping(layer.name() + "/bias", target + "/bias", List.of(layer.out())));
    }
    this.mappings = List.copyOf(out);
  }

  /**
   * Finds the dense layers of {@code model} and orders them into a chain.
   *
   * @param model an open SavedModel; it must stay open until {@link #copyInto}
   * @return the plan
   * @throws IllegalArgumentException if the model has no dense layer, a kernel without a matching
   *     bias, or layers whose shapes do not chain in exactly one order; the message names the
   *     layers and their shapes
   */
  public static KerasImport plan(SavedModelInfo model) {
    checkNotNull(model, "model");
    List<Layer> found = new ArrayList<>();
    for (VariableInfo v : model.variables()) {
      if (!v.name().endsWith("/kernel") || isOptimizerVariable(v.name())) {
        continue;
      }
      if (!v.isFloat() || v.shape() == null || v.shape().size() != 2 || v.size() <= 0) {
        continue; // Not a dense kernel (a convolution's is rank 4).
      }
      String layer = v.name().substring(0, v.name().length() - "/kernel".length());
      long in = v.shape().get(0);
      long out = v.shape().get(1);
      VariableInfo bias = model.variable(layer + "/bias").orElse(null);
      checkArgument(
          bias != null,
          "dense layer '%s' of %s has kernel %s but no bias '%s/bias'; our layers need one",
          layer,
          model.directory(),
          v.shapeText(),
          layer);
      checkArgument(
          bias.isFloat() && List.of(out).equals(bias.shape()),
          "dense layer '%s' of %s has kernel %s %s but bias %s %s; expected a float32 bias [%s]",
          layer,
          model.directory(),
          v.dtype(),
          v.shapeText(),
          bias.dtype(),
          bias.shapeText(),
          out);
      found.add(new Layer(layer, in, out));
    }
    checkArgument(
        !found.isEmpty(),
        "%s has no dense layers: expected float32 variables <layer>/kernel [in, out] and"
            + " <layer>/bias [out]; its variables are %s",
        model.directory(),
        model.variables().stream().map(VariableInfo::name).toList());
    List<Layer> byName = new ArrayList<>(found);
    byName.sort(Comparator.comparing(Layer::name, KerasImport::compareLayerNames));
    List<List<Layer>> chains = new ArrayList<>();
    findChains(new ArrayList<>(), byName, chains);
    String layerList = String.join(", ", byName.stream().map(Layer::shapes).toList());
    checkArgument(
        !chains.isEmpty(),
        "the dense layers of %s do not form a chain in which each layer's output size is the next"
            + " one's input size: %s",
        model.directory(),
        layerList);
    if (chains.size() == 1) {
      return new KerasImport(model, chains.get(0), false);
    }
    checkArgument(
        isChain(byName),
        "the dense layers of %s chain by shape in more than one order, such as %s and %s, and"
            + " their names do not give one: %s",
        model.directory(),
        order(chains.get(0)),
        order(chains.get(1)),
        layerList);
    return new KerasImport(model, byName, true);
  }

  private static boolean isOptimizerVariable(String name) {
    int slash = name.indexOf('/');
    return slash > 0
        && OPTIMIZER_SCOPES.contains(name.substring(0, slash).toLowerCase(Locale.ROOT));
  }

  /** Keras names layers {@code dense}, {@code dense_1}, {@code dense_2}, ...: compare so. */
  private static int compareLayerNames(String a, String b) {
    Matcher ma = KERAS_SUFFIX.matcher(a);
    Matcher mb = KERAS_SUFFIX.matcher(b);
    if (ma.matches() && mb.matches() && ma.group(1).equals(mb.group(1))) {
      long na = ma.group(2) == null ? 0 : Long.parseLong(ma.group(2));
      long nb = mb.group(2) == null ? 0 : Long.parseLong(mb.group(2));
      if (na != nb) {
        return Long.compare(na, nb);
      }
    }
    return a.compareTo(b);
  }

  /** Collects up to two orders of all of {@code remaining} that chain after {@code prefix}. */
  private static void findChains(List<Layer> prefix, List<Layer> remaining, List<List<Layer>> out) {
    if (remaining.isEmpty()) {
      out.add(List.copyOf(prefix));
      return;
    }
    for (int i = 0; i < remaining.size() && out.size() < 2; i++) {
      Layer next = remaining.get(i);
      if (prefix.isEmpty() || prefix.get(prefix.size() - 1).out() == next.in()) {
        List<Layer> rest = new ArrayList<>(remaining);
        rest.remove(i);
        prefix.add(next);
        findChains(prefix, rest, out);
        prefix.remove(prefix.size() - 1);
      }
    }
  }

  private static boolean isChain(List<Layer> layers) {
    for (int i = 1; i < layers.size(); i++) {
      if (layers.get(i - 1).out() != layers.get(i).in()) {
        return false;
      }
    }
    return true;
  }

  private static String order(List<Layer> chain) {
    return String.join(" -> ", chain.stream().map(Layer::name).toList());
  }

  /**
   * Our single-head MLP of the same architecture: input size the first kernel's rows, hidden widths
   * the outputs of all layers but the last, and the last layer's outputs as classes.
   *
   * @param seed seed of the initial weights, which {@link #copyInto} overwrites
   * @throws IllegalArgumentException if a size does not fit our MLP (over {@code
   *     Integer.MAX_VALUE}, or fewer than 2 classes)
   */
  public MlpSpec spec(long seed) {
    List<Integer> hidden = new ArrayList<>();
    for (Layer layer : layers.subList(0, layers.size() - 1)) {
      hidden.add(toInt(layer.out(), layer));
    }
    Layer first = layers.get(0);
    Layer last = layers.get(layers.size() - 1);
    return new MlpSpec(toInt(first.in(), first), hidden, 1, toInt(last.out(), last), seed);
  }

  private static int toInt(long size, Layer layer) {
    checkArgument(size <= Integer.MAX_VALUE, "layer %s is too large", layer.shapes());
    return (int) size;
  }

  /** Source → target of every kernel and bias, layer by layer. */
  public List<Mapping> mappings() {
    return mappings;
  }

  /** The source layer names in chain order. */
  public List<String> layerNames() {
    return layers.stream().map(Layer::name).toList();
  }

  /**
   * Copies every mapped value from the SavedModel into {@code target}, after checking that {@code
   * target} has the same number of layers and each target variable exists with the source's shape;
   * nothing is written if a check fails. With several heads, only {@code head_0} is written.
   * Afterwards every rule restarts its bookkeeping from the imported weights ({@link
   * ModelSession#rebase()}), so that SI measures the next task's displacement from them.
   *
   * @param target our model, such as {@code new ModelSession(plan.spec(seed), optimizer, rules)}
   * @throws IllegalArgumentException on a mismatch, naming source, target and both shapes
   */
  public void copyInto(ModelSession target) {
    checkNotNull(target, "target");
    MlpSpec spec = target.spec();
    checkArgument(
        spec.hidden().size() == layers.size() - 1,
        "cannot import %s into %s: the source has %s hidden layers (%s), the target %s",
        model.directory(),
        spec.describe(),
        layers.size() - 1,
        spec(0).describe(),
        spec.hidden().size());
    Map<String, Variable<?>> variables = target.graph().variables();
    for (Mapping m : mappings) {
      Operand<?> variable = variables.get(m.target());
      checkArgument(
          variable != null,
          "cannot import %s %s: the target model %s has no variable %s",
          m.source(),
          SavedModelInfo.shapeText(m.shape()),
          spec.describe(),
          m.target());
      List<Long> shape = java.util.Arrays.stream(variable.shape().asArray()).boxed().toList();
      checkArgument(
          shape.equals(m.shape()),
          "cannot import %s %s into %s %s: shapes differ",
          m.source(),
          SavedModelInfo.shapeText(m.shape()),
          m.target(),
          SavedModelInfo.shapeText(shape));
    }
    Map<String, float[]> values = new LinkedHashMap<>();
    for (Mapping m : mappings) {
      values.put(m.target(), model.readFloat(m.source()));
    }
    values.forEach(target::write);
    target.rebase();
  }

  /** A printable table: one line per mapping, then our model's architecture. */
  public String describe() {
    int sourceWidth = mappings.stream().mapToInt(m -> m.source().length()).max().orElse(0);
    int shapeWidth =
        mappings.stream()
            .mapToInt(m -> SavedModelInfo.shapeText(m.shape()).length())
            .max()
            .orElse(0);
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            "import of %s: %d dense layers, chained %s: %s%n",
            model.directory(),
            layers.size(),
            orderedByName ? "by name (shapes allow several orders)" : "by shape",
            order(layers)));
    for (Mapping m : mappings) {
      s.append(
          String.format(
              "  %-" + sourceWidth + "s  %-" + shapeWidth + "s  ->  %s%n",
              m.source(),
              SavedModelInfo.shapeText(m.shape()),
              m.target()));
    }
    s.append(
        String.format(
            "our model: %s, ReLU between layers, head_0 outputs logits (the source's last layer"
                + " before any softmax)%n",
            spec(0).describe()));
    return s.toString();
  }

  @Override
  public String toString() {
    return "KerasImport[" + order(layers) + "]";
  }
}
