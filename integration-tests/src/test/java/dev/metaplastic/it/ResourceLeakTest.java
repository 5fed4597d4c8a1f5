package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.ops.SynapticIntelligence;
import dev.metaplastic.train.ModelSession;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * Opening, training, evaluating and closing models again and again, or training one model for long,
 * must not grow native memory: every Tensor, Session and Graph has one owner that closes it. Memory
 * is measured after a garbage collection, since the JVM heap itself grows until one.
 */
class ResourceLeakTest {
  private static final MlpSpec SPEC = new MlpSpec(784, List.of(128), 3, 2, 1);

  /**
   * The native allocator's footprint swings by tens of MiB from one lifecycle to the next, so the
   * test compares the lowest resident size of the first ten lifecycles with that of the last ten: a
   * leaked graph or session (several MiB each) would raise it by far more than the margin.
   */
  @Test
  void repeatedModelLifecyclesDoNotGrowNativeMemory() {
    cycles(5);
    long[] resident = new long[40];
    for (int i = 0; i < resident.length; i++) {
      cycles(1);
      System.gc();
      resident[i] = Pointer.physicalBytes();
    }
    long early = Arrays.stream(resident, 0, 10).min().orElseThrow();
    long late = Arrays.stream(resident, 30, 40).min().orElseThrow();
    assertTrue(
        late - early < 32L << 20,
        "resident memory grew from "
            + (early >> 20)
            + " MiB to "
            + (late >> 20)
            + " MiB over 30 model lifecycles");
  }

  /** Thousands of training steps in one model do not grow native memory either. */
  @Test
  void longTrainingRunDoesNotGrowNativeMemory() {
    float[] x = new float[64 * 784];
    int[] y = new int[64];
    int[] task = new int[64];
    try (ModelSession model =
        new ModelSession(
            SPEC,
            OptimizerConfig.Adam.withLearningRate(1e-3),
            List.of(SynapticIntelligence.Config.SPLIT))) {
      long[] resident = new long[4];
      for (int sample = 0; sample < resident.length; sample++) {
        for (int s = 0; s < 1000; s++) {
          model.trainStep(x, y, task, 64);
        }
        System.gc();
        resident[sample] = Pointer.physicalBytes();
      }
      long growth = resident[3] - resident[1];
      assertTrue(
          growth < 16L << 20,
          "resident memory grew by " + (growth >> 20) + " MiB over 2000 training steps");
    }
  }

  private static void cycles(int n) {
    float[] x = new float[64 * 784];
    int[] y = new int[64];
    int[] task = new int[64];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i % 13) / 13f;
    }
    for (int c = 0; c < n; c++) {
      try (ModelSession model =
          new ModelSession(
              SPEC,
              OptimizerConfig.Adam.withLearningRate(1e-3),
              List.of(SynapticIntelligence.Config.SPLIT))) {
        for (int s = 0; s < 5; s++) {
          model.trainStep(x, y, task, 64);
        }
        model.consolidate();
        model.predict(x, task, 64);
        model.read("si/dense_0/kernel/importance");
      }
    }
  }
}
