package dev.metaplastic.savedmodel;

import dev.metaplastic.data.StreamDescription;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.internal.DataStreams;
import java.util.List;
import java.util.Optional;

/**
 * What a Metaplastic SavedModel's manifest says, read-only: the facts a user needs to judge and
 * continue a model. The manifest itself ({@code assets/metaplastic.pbtxt}) stays the format.
 *
 * @param formatVersion the manifest's format version
 * @param writtenBy the program that wrote it, such as {@code metaplastic 0.1.0}
 * @param kind the model's kind: {@code mlp}, {@code binarized_mlp} or {@code plastic_rnn}
 * @param inputSize input features
 * @param hidden hidden layer sizes
 * @param outputSize outputs per head (a classifier's classes per head, a plastic RNN's outputs)
 * @param heads output heads (1 for a plastic RNN)
 * @param optimizer the optimizer's name, such as {@code adam}
 * @param rules the names of the consolidation or plasticity rules, in order
 * @param tasksConsolidated tasks the rules consolidated so far
 * @param stream the data the model was trained on
 * @param importedFrom the SavedModel or Keras file a model was imported from, if it was
 * @param episodeTask the episodic task a plastic RNN was trained on, if any
 */
public record ModelDescription(
    int formatVersion,
    String writtenBy,
    String kind,
    int inputSize,
    List<Integer> hidden,
    int outputSize,
    int heads,
    String optimizer,
    List<String> rules,
    int tasksConsolidated,
    StreamDescription stream,
    Optional<String> importedFrom,
    Optional<String> episodeTask) {
  public ModelDescription {
    hidden = List.copyOf(hidden);
    rules = List.copyOf(rules);
  }

  /** The facts of {@code manifest}. */
  static ModelDescription of(Manifest manifest) {
    var model = manifest.getModel();
    return new ModelDescription(
        manifest.getFormatVersion(),
        manifest.getWrittenBy(),
        model.getKind(),
        model.getInputSize(),
        model.getHiddenList(),
        model.getOutputSize() != 0 ? model.getOutputSize() : model.getClassesPerHead(),
        Math.max(1, model.getHeads()),
        manifest.getOptimizer().getName(),
        manifest.getRulesList().stream().map(r -> r.getName()).toList(),
        manifest.getTasksConsolidated(),
        DataStreams.of(manifest.getDataStream()),
        manifest.hasSource() && !manifest.getSource().getKerasSavedModel().isEmpty()
            ? Optional.of(manifest.getSource().getKerasSavedModel())
            : Optional.empty(),
        manifest.hasEpisodeTraining()
            ? Optional.of(manifest.getEpisodeTraining().getTask())
            : Optional.empty());
  }
}
