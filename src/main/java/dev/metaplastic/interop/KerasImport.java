package dev.metaplastic.interop;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.metaplastic.data.Examples;
import dev.metaplastic.graphs.Activation;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.proto.Source;
import dev.metaplastic.train.ModelSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Imports a dense classifier trained with Keras (or plain TensorFlow), so that continual learning
 * continues in Java from a Python-trained model: {@link #load} reads and checks everything and
 * gives an {@link ImportedModel}; nothing is written.
 *
 * <p>Every format a Keras user has:
 *
 * <ul>
 *   <li>a native {@code .keras} file of Keras 3 ({@code model.save("m.keras")}): layers from {@code
 *       config.json}, weights from {@code model.weights.h5};
 *   <li>a legacy {@code .h5} file ({@code model.save("m.h5")}): layers from its {@code
 *       model_config}, weights from {@code model_weights/};
 *   <li>a SavedModel of a Keras 2 model: layers from {@code keras_metadata.pb}, weights from its
 *       variables;
 *   <li>a SavedModel without Keras metadata, such as Keras 3's {@code model.export(dir)} and {@code
 *       tf.saved_model.save(model, dir)}: layers read from the ops of its {@code serving_default}
 *       ({@link ServingGraph}), weights from its checkpoint.
 * </ul>
 *
 * <p>The model must be a chain (Sequential, or functional without branches) of the layers {@link
 * KerasConfig#SUPPORTED} lists: dense layers with any {@link Activation}, activation layers, layers
 * that are the identity at inference, Rescaling and Normalization before the first dense layer
 * (kept as a fixed input transform), and BatchNormalization folded into the dense layer before it
 * (or after it, past an activation). Layers and activations are read from what the file records,
 * never guessed. Where the source has a {@code serving_default} that runs here, our forward pass is
 * checked against it on real images (or probe inputs) and a difference above {@value
 * #FORWARD_TOLERANCE} is an error.
 */
public final class KerasImport {
  /** The signature whose interface an import reads and a drop-in export keeps. */
  public static final String SERVING_DEFAULT = "serving_default";

  /** The output key Keras 3's {@code model.export} gives, used for files without a signature. */
  static final String KERAS_OUTPUT = "output_0";

  /** Largest difference from {@code serving_default}, relative to max(1, |value|), accepted. */
  private static final double FORWARD_TOLERANCE = 1e-4;

  private static final int PROBES = 64;
  private static final long PROBE_SEED = 20261123L;

  private KerasImport() {}

  /** {@link #load(Path, Examples)} checking the forward pass on probe inputs. */
  public static ImportedModel load(Path source) {
    return load(source, null);
  }

  /**
   * Reads a dense classifier from a Keras file or a SavedModel directory (see the class comment);
   * the source is closed again before this returns and nothing is written.
   *
   * @param images examples to check our forward pass against the source's {@code serving_default}
   *     on (their first {@value #PROBES}), used when they have as many values as the model's input;
   *     null or otherwise, seeded probe inputs uniform in [0, 1)
   * @throws IllegalArgumentException if the source is missing, not a format above, not a chain of
   *     supported layers, or computes something else than our import of it; the message names the
   *     file, the layer and what is supported
   */
  public static ImportedModel load(Path source, Examples images) {
    checkNotNull(source, "source");
    checkArgument(Files.exists(source), "%s does not exist", source);
    if (Files.isDirectory(source)) {
      return fromSavedModel(source, images);
    }
    String name = source.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean keras = name.endsWith(".keras") || isZip(source);
    checkArgument(
        keras || KerasFiles.isHdf5(source),
        "%s is a file but neither a .keras archive nor a Keras HDF5 (.h5) file; import a .keras"
            + " file (Keras 3: model.save(\"model.keras\")), a legacy .h5 file or a SavedModel"
            + " directory (model.export(\"dir\"))",
        source);
    KerasConfig.Model model = keras ? KerasFiles.readKeras(source) : KerasFiles.readH5(source);
    return imported(
        source,
        model.inputName(),
        KerasConfig.requireInputShape(model, source.toString()),
        KERAS_OUTPUT,
        model.steps(),
        keras
            ? KerasFiles.KERAS_CONFIG + " (.keras file)"
            : KerasFiles.H5_CONFIG + " (legacy .h5 file)",
        null);
  }

  private static ImportedModel fromSavedModel(Path dir, Examples images) {
    try (SavedModelInfo info = SavedModelInfo.open(dir)) {
      String from;
      String inputName;
      List<Long> inputShape;
      String outputName;
      List<LayerStep> steps;
      if (Files.isRegularFile(dir.resolve(KerasMetadata.FILE))) {
        SignatureInfo serving = info.signature(SERVING_DEFAULT);
        checkArgument(
            serving.inputs().size() == 1 && serving.outputs().size() == 1,
            "%s of %s has inputs %s and outputs %s; a dense classifier has one of each",
            SERVING_DEFAULT,
            dir,
            serving.inputs().stream().map(TensorInfo::key).toList(),
            serving.outputs().stream().map(TensorInfo::key).toList());
        KerasConfig.Model model =
            KerasConfig.read(
                KerasMetadata.rootJson(dir.resolve(KerasMetadata.FILE)),
                (layer, key, index, weight) -> variable(info, layer + "/" + weight),
                dir.toString());
        inputName = serving.inputs().get(0).key();
        TensorInfo input = serving.inputs().get(0);
        inputShape =
            model.inputShape() != null || !input.rankKnown()
                ? model.inputShape()
                : input.shape().subList(1, input.shape().size());
        checkArgument(
            inputShape != null && !inputShape.contains(-1L),
            "%s: neither keras_metadata.pb nor %s records a fixed input shape",
            dir,
            SERVING_DEFAULT);
        outputName = serving.outputs().get(0).key();
        steps = model.steps();
        from = KerasMetadata.FILE;
      } else {
        ServingGraph.Model model = ServingGraph.read(dir, info);
        inputName = model.inputName();
        inputShape = model.inputShape();
        outputName = model.outputName();
        steps = model.steps();
        from = SERVING_DEFAULT;
      }
      return imported(dir, inputName, inputShape, outputName, steps, from, new Check(info, images));
    }
  }

  /** What the forward-pass check needs: the open source and the images to run it on. */
  private record Check(SavedModelInfo info, Examples images) {}

  private static KerasConfig.Weight variable(SavedModelInfo info, String name) {
    VariableInfo v =
        info.variable(name)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        info.directory()
                            + " has no variable "
                            + name
                            + ", which its keras_metadata.pb implies"));
    return new KerasConfig.Weight(name, v.shape(), info.readFloat(name));
  }

  private static ImportedModel imported(
      Path source,
      String inputName,
      List<Long> inputShape,
      String outputName,
      List<LayerStep> steps,
      String from,
      Check check) {
    LayerChain.Mapped mapped = LayerChain.map(source.toString(), inputShape, steps);
    Source.Builder s =
        Source.newBuilder()
            .setKerasSavedModel(source.toAbsolutePath().normalize().toString())
            .setInputName(inputName)
            .addAllInputShape(inputShape)
            .setOutputName(outputName)
            .setOutputActivation(mapped.output().text())
            .addAllHiddenActivations(
                mapped.spec().activations().stream().map(Activation::text).toList())
            .setActivationsFrom(from)
            .addAllMappings(mapped.mappings());
    if (mapped.inputScale() != null) {
      for (int i = 0; i < mapped.inputScale().length; i++) {
        s.addInputScale(mapped.inputScale()[i]).addInputOffset(mapped.inputOffset()[i]);
      }
    }
    ImportedModel model =
        new ImportedModel(mapped.spec(), mapped.weights(), s.build(), mapped.description());
    return check == null ? model : checkForward(model, check);
  }

  /**
   * Runs our import and the source's {@code serving_default} on the same inputs; returns the model
   * with the largest difference recorded, or with a note that the signature cannot run here.
   */
  private static ImportedModel checkForward(ImportedModel model, Check check) {
    int size = model.spec(0).inputSize();
    float[] inputs;
    String on;
    int count;
    if (check.images() != null && check.images().featureSize() == size) {
      count = Math.min(PROBES, check.images().size());
      inputs = new float[count * size];
      int[] order = new int[count];
      for (int i = 0; i < count; i++) {
        order[i] = i;
      }
      check.images().gather(order, 0, count, inputs, new int[count], new int[count]);
      on = "the first " + count + " of the given images";
    } else {
      count = PROBES;
      inputs = new float[count * size];
      SplittableRandom random = new SplittableRandom(PROBE_SEED);
      for (int i = 0; i < inputs.length; i++) {
        inputs[i] = (float) random.nextDouble();
      }
      on = count + " probe inputs uniform in [0, 1)";
    }
    long[] shape = new long[model.inputShape().size() + 1];
    shape[0] = count;
    for (int i = 1; i < shape.length; i++) {
      shape[i] = model.inputShape().get(i - 1);
    }
    float[] served;
    try {
      served =
          check
              .info()
              .call(
                  SERVING_DEFAULT,
                  java.util.Map.of(model.inputName(), inputs),
                  java.util.Map.of(model.inputName(), shape))
              .get(model.outputName());
    } catch (IllegalArgumentException e) {
      return model.withForwardCheck(
          SERVING_DEFAULT
              + " does not run outside Python TensorFlow here (as for tf.saved_model.save of a"
              + " Keras 3 model): our forward pass was not checked against it");
    }
    float[] ours;
    try (ModelSession session = model.open(new OptimizerConfig.Sgd(0.01), List.of(), 0)) {
      ours = session.serve(inputs, count);
    }
    double worst = 0;
    for (int i = 0; i < ours.length; i++) {
      worst = Math.max(worst, Math.abs(ours[i] - served[i]) / Math.max(1, Math.abs(served[i])));
    }
    checkArgument(
        worst <= FORWARD_TOLERANCE,
        "%s of %s does not compute what its import does: on %s they differ by up to %s; it may use"
            + " layers or activations its file does not record",
        SERVING_DEFAULT,
        model.savedModel(),
        on,
        String.format(Locale.ROOT, "%.3g", worst));
    return model.withForwardCheck(
        String.format(
            Locale.ROOT,
            "checked against %s on %s: largest difference %.3g",
            SERVING_DEFAULT,
            on,
            worst));
  }

  private static boolean isZip(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(4);
      return head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
