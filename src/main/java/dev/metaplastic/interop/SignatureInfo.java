package dev.metaplastic.interop;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import java.util.Optional;

/**
 * One signature of a SavedModel: a named function with named tensor inputs and outputs.
 *
 * @param key the signature's name, such as {@code serving_default}
 * @param methodName its method, such as {@code tensorflow/serving/predict} (may be empty)
 * @param inputs its inputs, sorted by key
 * @param outputs its outputs, sorted by key
 */
public record SignatureInfo(
    String key, String methodName, List<TensorInfo> inputs, List<TensorInfo> outputs) {
  /** Copies the lists; checks that every part is present. */
  public SignatureInfo {
    checkNotNull(key, "key");
    checkNotNull(methodName, "methodName");
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /** The input of that key, if the signature has one. */
  public Optional<TensorInfo> input(String inputKey) {
    return inputs.stream().filter(t -> t.key().equals(inputKey)).findFirst();
  }

  /** The output of that key, if the signature has one. */
  public Optional<TensorInfo> output(String outputKey) {
    return outputs.stream().filter(t -> t.key().equals(outputKey)).findFirst();
  }
}
