package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The element-wise activation of a dense layer, named as Keras names it, with the formula Keras 3
 * computes (its TensorFlow backend, checked op for op against {@code model.export}).
 *
 * <p>{@code elu} and {@code leaky_relu} take one parameter: ELU's α (Keras' {@code elu} and {@code
 * ELU()} use 1) and the leaky ReLU's negative slope (the {@code leaky_relu} activation uses 0.2,
 * the {@code LeakyReLU} layer 0.3). Their text form names it when it is not the default, such as
 * {@code leaky_relu(0.3)}. {@code softmax} normalizes over the last axis.
 *
 * @param name one of {@link #NAMES}
 * @param parameter α of {@code elu}, the negative slope of {@code leaky_relu}, 0 for the others
 */
public record Activation(String name, double parameter) {
  /** Every supported name, in the order the README's table lists them. */
  public static final List<String> NAMES =
      List.of(
          "relu",
          "gelu",
          "tanh",
          "sigmoid",
          "elu",
          "selu",
          "silu",
          "softplus",
          "leaky_relu",
          "linear",
          "softmax");

  /** max(0, x), our MLP's default between layers. */
  public static final Activation RELU = new Activation("relu", 0);

  /** The identity: a layer that outputs logits. */
  public static final Activation LINEAR = new Activation("linear", 0);

  /** exp(x) / Σ exp(x) over the last axis: class probabilities. */
  public static final Activation SOFTMAX = new Activation("softmax", 0);

  private static final double ELU_ALPHA = 1.0;
  private static final double LEAKY_RELU_SLOPE = 0.2;
  private static final Pattern TEXT = Pattern.compile("([a-z_]+)(?:\\(([-+0-9.eE]+)\\))?");

  /** Checks the name and the parameter. */
  public Activation {
    checkNotNull(name, "name");
    checkArgument(
        NAMES.contains(name), "activation '%s' is not supported; supported are %s", name, NAMES);
    boolean parameterized = name.equals("elu") || name.equals("leaky_relu");
    checkArgument(
        parameterized || parameter == 0,
        "activation '%s' takes no parameter, got %s",
        name,
        parameter);
    checkArgument(
        Double.isFinite(parameter) && parameter >= 0,
        "the parameter of activation '%s' must be finite and >= 0, got %s",
        name,
        parameter);
  }

  /**
   * Parses a Keras activation name ({@code swish} is {@code silu}) or our text form such as {@code
   * leaky_relu(0.3)}; a parameterized name without a value gets Keras' default.
   *
   * @throws IllegalArgumentException naming the supported activations, if it is none of them
   */
  public static Activation parse(String text) {
    checkNotNull(text, "text");
    Matcher m = TEXT.matcher(text.trim().toLowerCase(Locale.ROOT));
    checkArgument(m.matches(), "activation '%s' is not supported; supported are %s", text, NAMES);
    String name = m.group(1).equals("swish") ? "silu" : m.group(1);
    double parameter =
        m.group(2) != null
            ? Double.parseDouble(m.group(2))
            : switch (name) {
              case "elu" -> ELU_ALPHA;
              case "leaky_relu" -> LEAKY_RELU_SLOPE;
              default -> 0;
            };
    return new Activation(name, parameter);
  }

  /** ELU with α, as Keras' {@code ELU(alpha)} layer. */
  public static Activation elu(double alpha) {
    return new Activation("elu", alpha);
  }

  /** Leaky ReLU with a negative slope, as Keras' {@code LeakyReLU(negative_slope)} layer. */
  public static Activation leakyRelu(double slope) {
    return new Activation("leaky_relu", slope);
  }

  /** The text form: the name, and the parameter in parentheses when it is not Keras' default. */
  public String text() {
    boolean isDefault =
        switch (name) {
          case "elu" -> parameter == ELU_ALPHA;
          case "leaky_relu" -> parameter == LEAKY_RELU_SLOPE;
          default -> true;
        };
    return isDefault ? name : name + "(" + (float) parameter + ")";
  }

  /** Whether this is the identity. */
  public boolean isLinear() {
    return name.equals("linear");
  }

  /**
   * The activation of {@code x} as graph ops, in float32 with Keras 3's formulas: GELU as x/2 · (1
   * + erf(x/√2)) (Keras writes x/2 · erfc(−x/√2), which is the same function, but TensorFlow has no
   * C++ gradient of erfc), SiLU as x · sigmoid(x), ELU with α ≠ 1 as x for x > 0 and α·elu(x)
   * otherwise.
   */
  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
    return switch (name) {
      case "relu" -> tf.nn.relu(x);
      case "gelu" ->
          tf.math.mul(
              tf.math.mul(tf.constant(0.5f), x),
              tf.math.add(
                  tf.constant(1f),
                  tf.math.erf(tf.math.mul(x, tf.constant((float) Math.sqrt(0.5))))));
      case "tanh" -> tf.math.tanh(x);
      case "sigmoid" -> tf.math.sigmoid(x);
      case "elu" ->
          parameter == ELU_ALPHA
              ? tf.nn.elu(x)
              : tf.select(
                  tf.math.greater(x, tf.constant(0f)),
                  x,
                  tf.math.mul(tf.constant((float) parameter), tf.nn.elu(x)));
      case "selu" -> tf.nn.selu(x);
      case "silu" -> tf.math.mul(x, tf.math.sigmoid(x));
      case "softplus" -> tf.math.softplus(x);
      case "leaky_relu" ->
          tf.nn.leakyRelu(x, org.tensorflow.op.nn.LeakyRelu.alpha((float) parameter));
      case "linear" -> x;
      case "softmax" -> tf.nn.softmax(x);
      default -> throw new IllegalStateException("unhandled activation " + name);
    };
  }

  @Override
  public String toString() {
    return text();
  }
}
