package dev.metaplastic.episodes;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.graphs.EpisodeTrainingGraph;
import dev.metaplastic.graphs.EpisodeTrainingGraph.Loss;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.PlasticRnnSpec;
import dev.metaplastic.graphs.PlasticRnnSpec.Plasticity;
import dev.metaplastic.train.EpisodeSession;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The dopamine plasticity, reading go/no-go's feedback channel as its reward, learns the standard
 * two-cue task (40 steps, 64 units, Adam 0.003, as {@code plastic} trains it), which a one-step
 * memory solves, as fast as a plain RNN does. With the Hebbian rules' initial α, up to 0.1, the
 * saturated trace kept this network at chance (see {@code RewardModulatedHebbianRule.ALPHA_SCALE}).
 */
class RewardModulatedGoNoGoTest {
  @Test
  void dopamineNetworkLearnsTwoCueGoNoGo() {
    GoNoGoReversalTask task = GoNoGoReversalTask.standard();
    PlasticRnnSpec spec =
        new PlasticRnnSpec(
            task.inputSize(),
            64,
            task.outputSize(),
            task.steps(),
            new Plasticity("dopamine"),
            0,
            task.rewardChannel());
    try (EpisodeSession session =
        new EpisodeSession(
            spec,
            OptimizerConfig.Adam.withLearningRate(0.003),
            Loss.CLASSIFICATION,
            EpisodeTrainingGraph.DEFAULT_CLIP_NORM)) {
      Random data = new Random(1);
      for (int step = 0; step < 150; step++) {
        Episodes batch = task.sample(32, data);
        session.trainEpisode(batch.inputs(), batch.targets(), batch.mask(), batch.batch());
      }
      Episodes test = task.sample(256, new Random(2));
      float accuracy =
          session.evaluate(test.inputs(), test.targets(), test.mask(), test.batch()).metric();
      assertTrue(accuracy > 0.9, "accuracy after 150 steps: " + accuracy);
    }
  }
}
