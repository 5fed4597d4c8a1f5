package dev.metaplastic.internal;

import dev.metaplastic.graphs.proto.Source;
import dev.metaplastic.train.ModelSource;
import dev.metaplastic.train.VariableMapping;

/**
 * Converts a {@link ModelSource} to and from the manifest's {@code Source} message, at the boundary
 * between the façade and the files. Not part of the API.
 */
public final class ModelSources {
  private ModelSources() {}

  /**
   * The message recording {@code source}, {@code null} for none (a model made here); an empty field
   * is left unset, as proto3 writes it.
   */
  public static Source toProto(ModelSource source) {
    if (source == null) {
      return null;
    }
    Source.Builder s =
        Source.newBuilder()
            .setKerasSavedModel(source.savedModel())
            .setInputName(source.inputName())
            .addAllInputShape(source.inputShape())
            .setOutputName(source.outputName())
            .setOutputActivation(source.outputActivation())
            .addAllHiddenActivations(source.hiddenActivations())
            .setActivationsFrom(source.activationsFrom())
            .setReferenceAccuracy(source.referenceAccuracy())
            .setReferenceData(source.referenceData())
            .addAllInputScale(source.inputScale())
            .addAllInputOffset(source.inputOffset());
    for (VariableMapping m : source.mappings()) {
      s.addMappings(
          dev.metaplastic.graphs.proto.VariableMapping.newBuilder()
              .setSource(m.source())
              .setTarget(m.target())
              .addAllShape(m.shape())
              .addAllFolded(m.folded()));
    }
    return s.build();
  }

  /** The source a message records, {@code null} for none. */
  public static ModelSource of(Source source) {
    if (source == null) {
      return null;
    }
    return new ModelSource(
        source.getKerasSavedModel(),
        source.getInputName(),
        source.getInputShapeList(),
        source.getOutputName(),
        source.getOutputActivation(),
        source.getHiddenActivationsList(),
        source.getActivationsFrom(),
        source.getReferenceAccuracy(),
        source.getReferenceData(),
        source.getMappingsList().stream()
            .map(
                m ->
                    new VariableMapping(
                        m.getSource(), m.getTarget(), m.getShapeList(), m.getFoldedList()))
            .toList(),
        source.getInputScaleList(),
        source.getInputOffsetList());
  }
}
