package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;

/**
 * Architecture of a dense MLP with one or more output heads.
 *
 * <p>With one head the model is shared by every task (class- or domain-incremental learning); with
 * several, each task has its own head, selected per example by the {@code task} input
 * (task-incremental learning).
 *
 * @param inputSize number of input features, such as 784 for 28×28 images
 * @param hidden widths of the hidden layers, in order
 * @param heads number of output heads (1 for a shared head)
 * @param classesPerHead number of logits of each head
 * @param seed seed of the deterministic (stateless) weight initialisation
 * @param binarized whether the network is binarized (binary weights and activations with batch
 *     normalization, see {@link BinarizedMlp}) instead of a real-valued MLP
 * @param activations the activation of each hidden layer, in order (ReLU unless a model imported
 *     from Keras says otherwise); a binarized network's are its sign functions, given as ReLU
 */
public record MlpSpec(
    int inputSize,
    List<Integer> hidden,
    int heads,
    int classesPerHead,
    long seed,
    boolean binarized,
    List<Activation> activations) {
  /** A real-valued ReLU MLP. */
  public MlpSpec(int inputSize, List<Integer> hidden, int heads, int classesPerHead, long seed) {
    this(inputSize, hidden, heads, classesPerHead, seed, false);
  }

  /** A real-valued or binarized MLP with ReLU between layers (sign functions when binarized). */
  public MlpSpec(
      int inputSize,
      List<Integer> hidden,
      int heads,
      int classesPerHead,
      long seed,
      boolean binarized) {
    this(
        inputSize,
        hidden,
        heads,
        classesPerHead,
        seed,
        binarized,
        java.util.Collections.nCopies(hidden.size(), Activation.RELU));
  }

  public MlpSpec {
    checkArgument(inputSize > 0, "input size must be positive, got %s", inputSize);
    hidden = List.copyOf(hidden);
    for (int width : hidden) {
      checkArgument(width > 0, "hidden widths must be positive, got %s", hidden);
    }
    checkArgument(heads > 0, "number of heads must be positive, got %s", heads);
    checkArgument(classesPerHead > 1, "a head needs at least 2 classes, got %s", classesPerHead);
    activations = List.copyOf(activations);
    checkArgument(
        activations.size() == hidden.size(),
        "%s hidden layers need %s activations, got %s",
        hidden.size(),
        hidden.size(),
        activations);
    checkArgument(
        !binarized || !hasOtherActivations(activations),
        "a binarized network's hidden activations are sign functions; got %s",
        activations);
  }

  /** Whether a hidden layer has an activation other than ReLU. */
  public boolean hasOtherActivations() {
    return hasOtherActivations(activations);
  }

  private static boolean hasOtherActivations(List<Activation> activations) {
    return activations.stream().anyMatch(a -> !a.equals(Activation.RELU));
  }

  /** The same architecture with another seed. */
  public MlpSpec withSeed(long newSeed) {
    return new MlpSpec(inputSize, hidden, heads, classesPerHead, newSeed, binarized, activations);
  }

  /** Whether examples carry a task id that selects their head. */
  public boolean multiHead() {
    return heads > 1;
  }

  /**
   * Readable form such as {@code 784-256-256-10}, {@code 784-256-256-5x2} with five heads, {@code
   * binarized 784-256-256-10}, or {@code 784-256-10 (gelu)} when a hidden layer is not ReLU.
   */
  public String describe() {
    StringBuilder s = new StringBuilder(binarized ? "binarized " : "").append(inputSize);
    hidden.forEach(w -> s.append('-').append(w));
    s.append('-');
    if (multiHead()) {
      s.append(heads).append('x');
    }
    s.append(classesPerHead);
    if (hasOtherActivations()) {
      s.append(" (")
          .append(String.join(", ", activations.stream().map(Activation::text).toList()))
          .append(')');
    }
    return s.toString();
  }
}
