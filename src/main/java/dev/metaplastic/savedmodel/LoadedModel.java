package dev.metaplastic.savedmodel;

import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.TrainerConfig;

/**
 * A Metaplastic SavedModel loaded into a training graph: the model, ready to predict and train, and
 * what its manifest says. Closing it closes the model.
 */
public final class LoadedModel implements AutoCloseable {
  private final ModelSession model;
  private final Manifest manifest;

  LoadedModel(ModelSession model, Manifest manifest) {
    this.model = model;
    this.manifest = manifest;
  }

  /** The model, owned by this object. */
  public ModelSession model() {
    return model;
  }

  /** What the SavedModel's manifest says. */
  public ModelDescription description() {
    return ModelDescription.of(manifest);
  }

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
