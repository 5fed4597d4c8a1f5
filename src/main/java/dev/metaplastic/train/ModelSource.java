package dev.metaplastic.train;

import java.util.List;

/**
 * Where an imported model came from and the serving interface it keeps: a {@link ModelSession}
 * opened with one reproduces the source's {@code serving_default}, and {@code SavedModels.export}
 * records it in the manifest.
 *
 * @param savedModel the imported file or SavedModel directory, absolute
 * @param inputName input key of the source's {@code serving_default}, such as {@code input_1}
 * @param inputShape dimensions of one input example, the batch dimension left out, such as {@code
 *     [28, 28]}; their product is the model's input size
 * @param outputName output key of the source's {@code serving_default}, such as {@code dense_2}
 * @param outputActivation what that output holds: {@code softmax} (class probabilities), {@code
 *     linear} (logits), or another activation of the last layer, as {@code Activation} text
 * @param hiddenActivations the activation of each hidden layer, in order
 * @param activationsFrom where the layers and activations were read, such as {@code config.json} or
 *     {@code serving_default}
 * @param referenceAccuracy the source's accuracy on {@code referenceData}, 0 if not measured
 * @param referenceData the data {@code referenceAccuracy} was measured on, empty if none
 * @param mappings source → target of every kernel and bias, layer by layer
 * @param inputScale per-feature scale of the fixed input transform before the first dense layer,
 *     one per input value; empty when there is no transform
 * @param inputOffset per-feature offset of that transform, as {@code inputScale}
 */
public record ModelSource(
    String savedModel,
    String inputName,
    List<Long> inputShape,
    String outputName,
    String outputActivation,
    List<String> hiddenActivations,
    String activationsFrom,
    double referenceAccuracy,
    String referenceData,
    List<VariableMapping> mappings,
    List<Float> inputScale,
    List<Float> inputOffset) {
  /** Copies the lists. */
  public ModelSource {
    inputShape = List.copyOf(inputShape);
    hiddenActivations = List.copyOf(hiddenActivations);
    mappings = List.copyOf(mappings);
    inputScale = List.copyOf(inputScale);
    inputOffset = List.copyOf(inputOffset);
  }
}
