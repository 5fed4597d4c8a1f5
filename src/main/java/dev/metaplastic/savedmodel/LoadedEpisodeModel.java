package dev.metaplastic.savedmodel;

import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.train.EpisodeSession;

/**
 * A plastic RNN SavedModel loaded into a new episode training graph: the model, ready to predict
 * and keep training, and the manifest it was saved with. Closing it closes the model.
 *
 * @param model the model, owned by this object
 * @param manifest the SavedModel's manifest, in today's names ({@link
 *     dev.metaplastic.graphs.Manifests#upgrade})
 */
public record LoadedEpisodeModel(EpisodeSession model, Manifest manifest) implements AutoCloseable {
  @Override
  public void close() {
    model.close();
  }
}
