package dev.metaplastic.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.metaplastic.data.GeneratedStream;
import dev.metaplastic.data.StreamDescription;
import dev.metaplastic.data.Task;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.ops.ElasticWeightConsolidation;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The trainer's entry points for a model that learned its first task elsewhere: consolidation
 * without training, a run that starts after the learned tasks, and joint training for a given
 * number of steps.
 */
class ContinueFromLearnedTest {
  private static final TaskStream STREAM = GeneratedStream.of(3, 5, 2000);

  private static final class StepCounter implements TrainingListener {
    long steps;

    @Override
    public void stepFinished(Task task, long step, ModelSession.StepResult result) {
      steps++;
    }
  }

  private static TrainerConfig config() {
    return new TrainerConfig(
        List.of(16),
        1,
        64,
        OptimizerConfig.Adam.withLearningRate(0.002),
        List.of(new ElasticWeightConsolidation.Config(10, 32)),
        3);
  }

  @Test
  void runAfterLearnedTasksKeepsTheirRowsAndTrainsOnlyTheRest() {
    StepCounter counter = new StepCounter();
    ContinualTrainer trainer = new ContinualTrainer(config(), counter);
    try (ModelSession model = trainer.open(STREAM)) {
      trainer.consolidateLearned(model, STREAM, 0, 16);
      assertEquals(1, model.tasksConsolidated());
      AccuracyMatrix m =
          trainer.run(model, STREAM, StreamDescription.of(STREAM), new double[][] {{0.25}});
      assertEquals(3, m.tasks());
      assertEquals(0.25, m.get(0, 0));
      assertArrayEquals(new double[] {m.get(2, 0), m.get(2, 1), m.get(2, 2)}, m.finalAccuracies());
      assertEquals(3, model.tasksConsolidated());
      assertEquals(
          trainer.steps(STREAM.tasks().get(1)) + trainer.steps(STREAM.tasks().get(2)),
          counter.steps);
    }
  }

  @Test
  void jointTrainingOfAnExistingModelTakesTheStepsAsked() {
    StepCounter counter = new StepCounter();
    ContinualTrainer trainer = new ContinualTrainer(config().withRules(List.of()), counter);
    int union = STREAM.tasks().stream().mapToInt(t -> t.train().size()).sum();
    long steps = (union + 63) / 64 + 3; // into a second epoch, cut short
    try (ModelSession model = trainer.open(STREAM)) {
      double[] accuracies = trainer.trainJointly(model, STREAM, steps);
      assertEquals(3, accuracies.length);
    }
    assertEquals(steps, counter.steps);
  }
}
