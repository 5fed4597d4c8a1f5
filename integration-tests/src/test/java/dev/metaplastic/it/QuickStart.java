package dev.metaplastic.it;

import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.data.TaskStreams;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.ops.SynapticIntelligence;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.train.ContinualTrainer;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.TrainerConfig;
import dev.metaplastic.train.TrainingListener;
import java.nio.file.Path;
import java.util.List;

/** The README's Java quick start, verbatim between the markers, so that it always compiles. */
final class QuickStart {
  private QuickStart() {}

  /** Trains two tasks of split Fashion-MNIST with SI, evaluates both, exports a SavedModel. */
  static double[] run(Path exportDir) {
    // README quick start begins
    TaskStream stream = TaskStreams.named("split", FashionMnist.DEFAULT_DIR, 5, 0);
    TrainerConfig config =
        new TrainerConfig(
            List.of(256, 256), // hidden layers
            2, // epochs per task
            256, // batch size
            OptimizerConfig.Adam.withLearningRate(1e-3),
            List.of(SynapticIntelligence.Config.SPLIT), // c = 1, xi = 1e-3
            0); // seed
    ContinualTrainer trainer = new ContinualTrainer(config, TrainingListener.NONE);
    double[] accuracy = new double[2];
    try (ModelSession model = trainer.open(stream)) {
      trainer.trainTask(model, stream, 0); // train task 0, then consolidate
      trainer.trainTask(model, stream, 1); // task 1, its importance protecting task 0
      for (int t = 0; t < 2; t++) {
        accuracy[t] = model.evaluate(stream.tasks().get(t).test(), 1000);
      }
      float[] importance = model.read("si/dense_0/kernel/importance"); // per-synapse state
      System.out.printf(
          "accuracy %.3f %.3f, %d importances%n", accuracy[0], accuracy[1], importance.length);
      SavedModels.export(model, ContinualTrainer.describe(stream), exportDir);
    }
    // README quick start ends
    return accuracy;
  }
}
