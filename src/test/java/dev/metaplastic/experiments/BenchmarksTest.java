package dev.metaplastic.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.data.GeneratedStream;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.SessionOptions;
import dev.metaplastic.ops.Rules;
import dev.metaplastic.ops.StreamKind;
import dev.metaplastic.train.TrainerConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchmarksTest {
  @Test
  void aWholeRunsPhasesAddUpToItsWallTime() {
    TrainerConfig plain =
        new TrainerConfig(
            List.of(16), 1, 64, OptimizerConfig.Adam.withLearningRate(0.001), List.of(), 0);
    Map<String, TrainerConfig> runs =
        Map.of(
            "plain",
            plain,
            "ewc",
            plain.withRules(List.of(Rules.descriptor("ewc").preset(StreamKind.SPLIT))));

    Map<String, Benchmarks.RunTimes> times =
        Benchmarks.runSeconds(runs, GeneratedStream.of(2, 3, 256), 2, new SessionOptions(1));

    for (Benchmarks.RunTimes run : times.values()) {
      for (int round = 0; round < 2; round++) {
        double setup = run.setup()[round];
        double steps = run.steps()[round];
        double rest = run.rest()[round];
        assertTrue(setup > 0 && steps > 0 && rest > 0, setup + " " + steps + " " + rest);
        // The phases split the wall time, measured from the same start.
        double sum = setup + steps + rest;
        assertTrue(sum <= run.wall()[round] + 1e-9, sum + " > " + run.wall()[round]);
        assertEquals(run.wall()[round], sum, 0.05 * run.wall()[round] + 0.01);
      }
    }
  }
}
