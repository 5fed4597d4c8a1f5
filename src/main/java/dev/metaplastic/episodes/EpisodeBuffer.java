package dev.metaplastic.episodes;

/**
 * Zero-filled episode arrays that the tasks write one value at a time, then wrap in {@link
 * Episodes}.
 */
final class EpisodeBuffer {
  private final int batch;
  private final int steps;
  private final int inputSize;
  private final int outputSize;
  private final float[] inputs;
  private final float[] targets;
  private final float[] mask;

  EpisodeBuffer(int batch, int steps, int inputSize, int outputSize) {
    this.batch = batch;
    this.steps = steps;
    this.inputSize = inputSize;
    this.outputSize = outputSize;
    this.inputs = new float[Episodes.checkedSize(batch, steps, inputSize)];
    this.targets = new float[Episodes.checkedSize(batch, steps, outputSize)];
    this.mask = new float[Episodes.checkedSize(batch, steps, 1)];
  }

  void input(int b, int t, int channel, float value) {
    inputs[(b * steps + t) * inputSize + channel] = value;
  }

  void target(int b, int t, int channel, float value) {
    targets[(b * steps + t) * outputSize + channel] = value;
  }

  void score(int b, int t) {
    mask[b * steps + t] = 1;
  }

  Episodes build(Episodes.Kind kind) {
    return new Episodes(batch, steps, inputSize, outputSize, inputs, targets, mask, kind);
  }
}
