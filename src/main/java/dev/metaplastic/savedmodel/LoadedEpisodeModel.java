package dev.metaplastic.savedmodel;

import dev.metaplastic.train.EpisodeSession;

/**
 * A plastic RNN SavedModel loaded into a new episode training graph: the model, ready to predict
 * and keep training, and what its manifest says. Closing it closes the model.
 *
 * @param model the model, owned by this object
 * @param description what the SavedModel's manifest says, in today's names ({@link
 *     dev.metaplastic.graphs.Manifests#upgrade})
 */
public record LoadedEpisodeModel(EpisodeSession model, ModelDescription description)
    implements AutoCloseable {
  @Override
  public void close() {
    model.close();
  }
}
