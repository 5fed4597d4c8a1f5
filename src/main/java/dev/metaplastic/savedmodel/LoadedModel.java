package dev.metaplastic.savedmodel;

import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.train.ModelSession;

/**
 * A Metaplastic SavedModel loaded into a training graph: the model, ready to predict and train, and
 * the manifest it was saved with. Closing it closes the model.
 *
 * @param model the model, owned by this object
 * @param manifest the SavedModel's manifest
 */
public record LoadedModel(ModelSession model, Manifest manifest) implements AutoCloseable {
  @Override
  public void close() {
    model.close();
  }
}
