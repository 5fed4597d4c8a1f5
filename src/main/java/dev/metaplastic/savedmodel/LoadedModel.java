package dev.metaplastic.savedmodel;

import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.TrainerConfig;

/**
 * A Metaplastic SavedModel loaded into a training graph: the model, ready to predict and train, and
 * the manifest it was saved with. Closing it closes the model.
 *
 * @param model the model, owned by this object
 * @param manifest the SavedModel's manifest
 */
public record LoadedModel(ModelSession model, Manifest manifest) implements AutoCloseable {
  /**
   * The configuration that continues training this model: its architecture, optimizer and rules,
   * with the given epochs, batch size and seed.
   */
  public TrainerConfig trainerConfig(int epochs, int batchSize, long seed) {
    return new TrainerConfig(
        manifest.getModel().getHiddenList(),
        epochs,
        batchSize,
        Manifests.optimizer(manifest),
        Manifests.rules(manifest),
        seed);
  }

  /**
   * The model, the tasks it consolidated, its optimizer and rules, such as {@code 784-256-256-10
   * MLP, 5 tasks consolidated, adam(...), rules [si(...)]}.
   */
  public String describe() {
    return String.format(
        "%s, %d tasks consolidated, %s, rules %s",
        model.spec().describe(),
        manifest.getTasksConsolidated(),
        Manifests.optimizer(manifest),
        Manifests.rules(manifest));
  }

  @Override
  public void close() {
    model.close();
  }
}
