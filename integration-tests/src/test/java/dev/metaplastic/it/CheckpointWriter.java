package dev.metaplastic.it;

import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.proto.DataStream;
import dev.metaplastic.graphs.proto.TrainingRun;
import dev.metaplastic.internal.CheckpointFiles;
import dev.metaplastic.ops.SynapticIntelligence;
import dev.metaplastic.train.Checkpoints;
import dev.metaplastic.train.ModelSession;
import java.nio.file.Path;
import java.util.List;

/**
 * A child process for {@link CheckpointKillTest}: resumes from the latest checkpoint if there is
 * one, then trains a sizeable model and writes a checkpoint after every step, until it is killed.
 */
public final class CheckpointWriter {
  private CheckpointWriter() {}

  /** The model both processes build. */
  static final MlpSpec SPEC = new MlpSpec(784, List.of(512, 512), 1, 10, 3);

  static ModelSession model() {
    return new ModelSession(
        SPEC,
        OptimizerConfig.Adam.withLearningRate(1e-3),
        List.of(SynapticIntelligence.Config.SPLIT));
  }

  /** Arguments: the checkpoint directory. */
  public static void main(String[] args) {
    Checkpoints store = new Checkpoints(Path.of(args[0]));
    float[] x = new float[16 * 784];
    int[] y = new int[16];
    int[] task = new int[16];
    try (ModelSession model = model()) {
      long first = 1;
      if (store.latest().isPresent()) {
        Checkpoints.restore(model, store.latest().get());
        first = Checkpoints.read(store.latest().get()).steps() + 1;
      }
      for (long step = first; ; step++) {
        x[(int) (step % x.length)] = 1;
        model.trainStep(x, y, task, 16);
        CheckpointFiles.save(
            store.root(),
            model,
            TrainingRun.newBuilder()
                .setManifest(
                    Manifests.describe(
                        model.graph(), 0, DataStream.newBuilder().setTasks(1).build()))
                .setEpochs(1)
                .setBatchSize(16)
                .setSteps(step)
                .build());
        System.out.println("saved " + step);
      }
    }
  }
}
