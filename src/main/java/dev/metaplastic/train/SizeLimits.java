package dev.metaplastic.train;

import com.sun.management.OperatingSystemMXBean;
import dev.metaplastic.InvalidInputException;
import dev.metaplastic.graphs.MlpSpec;
import java.lang.management.ManagementFactory;

/**
 * Bounds on what training allocates, checked before anything is allocated, so that a size too large
 * for this machine is one clear message instead of an out-of-memory failure minutes later.
 *
 * <p>The model's variables live in TensorFlow's native memory: each parameter needs its value, its
 * gradient, up to two optimizer slots (Adam) and up to four per-synapse rule states, {@value
 * #COPIES_PER_PARAMETER} float32 values in all. A batch is fed from one Java array of batch × input
 * values, and its activations need about {@value #COPIES_PER_ACTIVATION} float32 values per unit
 * and example (pre-activation, activation, and the gradients of both). Both must fit in this
 * machine's physical memory.
 */
public final class SizeLimits {
  /** Values one Java array can hold; every batch is fed from one. */
  public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  static final int COPIES_PER_PARAMETER = 8;
  static final int COPIES_PER_ACTIVATION = 4;

  private SizeLimits() {}

  /**
   * Refuses a model whose variables would not fit in this machine's memory.
   *
   * @throws InvalidInputException naming the model, its size and the limit
   */
  public static void checkModel(MlpSpec spec) {
    double parameters = parameters(spec);
    double bytes = parameters * Float.BYTES * COPIES_PER_PARAMETER;
    long memory = physicalMemory();
    InvalidInputException.check(
        bytes <= memory,
        "the model %s has %s parameters; with their gradients, optimizer slots and rule state that"
            + " is about %s, more than this machine's %s of memory",
        spec.describe(),
        String.format("%.3g", parameters),
        bytesText(bytes),
        bytesText(memory));
  }

  /**
   * Refuses a batch size whose batch would not fit in one Java array, or whose activations would
   * not fit in this machine's memory.
   *
   * @throws InvalidInputException naming the batch size, what it needs and the limit
   */
  public static void checkBatch(int batch, MlpSpec spec) {
    long values = (long) batch * spec.inputSize();
    InvalidInputException.check(
        values <= MAX_ARRAY,
        "batch size %s is too large: one batch holds %s × %s = %s input values, more than the %s"
            + " one Java array holds",
        batch,
        batch,
        spec.inputSize(),
        values,
        MAX_ARRAY);
    long units = spec.inputSize() + (long) spec.heads() * spec.classesPerHead();
    for (int width : spec.hidden()) {
      units += width;
    }
    double bytes = (double) batch * units * Float.BYTES * COPIES_PER_ACTIVATION;
    long memory = physicalMemory();
    InvalidInputException.check(
        bytes <= memory,
        "batch size %s is too large for the model %s: its activations need about %s, more than"
            + " this machine's %s of memory",
        batch,
        spec.describe(),
        bytesText(bytes),
        bytesText(memory));
  }

  /** Weights and biases of every layer and head. */
  private static double parameters(MlpSpec spec) {
    double count = 0;
    long in = spec.inputSize();
    for (int width : spec.hidden()) {
      count += (double) in * width + width;
      in = width;
    }
    return count + (double) spec.heads() * (in * spec.classesPerHead() + spec.classesPerHead());
  }

  private static long physicalMemory() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
  }

  private static String bytesText(double bytes) {
    String[] units = {"bytes", "KB", "MB", "GB", "TB", "PB"};
    int unit = 0;
    while (bytes >= 1024 && unit < units.length - 1) {
      bytes /= 1024;
      unit++;
    }
    return String.format("%.3g %s", bytes, units[unit]);
  }
}
