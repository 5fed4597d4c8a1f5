package dev.metaplastic.savedmodel;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.graphs.proto.Model;
import dev.metaplastic.graphs.proto.Rule;
import dev.metaplastic.internal.ManifestFiles;
import dev.metaplastic.interop.SavedModelInfo;
import dev.metaplastic.ops.Rules;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Checks a SavedModel's files against each other before TensorFlow loads it, as TensorFlow Serving
 * validates a model before serving it: the variables the graph needs have saved values, and a
 * Metaplastic manifest agrees with the graph it travels with. It reads {@code saved_model.pb} and
 * the manifest; it loads nothing and writes nothing.
 *
 * <p>What it checks:
 *
 * <ul>
 *   <li>a graph with variables comes with {@code variables/variables.index} (without it, TensorFlow
 *       loads the graph and leaves every variable uninitialized, so the first prediction fails);
 *       that the index lists every variable and that the values are intact is checked by
 *       TensorFlow's restore at load, whose failure is reported on one line;
 *   <li>for a Metaplastic manifest: every variable it names (parameters, optimizer slots, rule
 *       state) is in the graph; its model kind, plasticity, optimizer and rules are known and their
 *       hyperparameters valid; for an MLP, each layer's kernel has the shape the manifest's input
 *       size, hidden widths and classes give, the graph has exactly the manifest's number of heads,
 *       and the {@code x} input and {@code probabilities} output of the inference signature have
 *       the manifest's sizes.
 * </ul>
 *
 * <p>{@link SavedModels#load}, {@link EpisodeModels#load} and {@code Predictor.open} refuse a
 * SavedModel with a problem ({@link #check}); {@code metaplastic inspect} shows the problems as
 * warnings ({@link #problems}).
 */
public final class SavedModelValidator {
  private static final Pattern HEAD_KERNEL = Pattern.compile("head_\\d+/kernel");

  private SavedModelValidator() {}

  /**
   * Refuses a SavedModel with a problem.
   *
   * @throws InvalidInputException naming the directory, the first problem and how many others there
   *     are
   */
  public static void check(Path dir) {
    List<String> problems = problems(dir);
    if (!problems.isEmpty()) {
      throw new InvalidInputException(
          String.format(
              "SavedModel %s is inconsistent: %s%s",
              dir,
              problems.get(0),
              problems.size() == 1 ? "" : " (and " + (problems.size() - 1) + " more problems)"));
    }
  }

  /**
   * The problems of a SavedModel, each a sentence; empty when there are none.
   *
   * @throws InvalidInputException if the directory is not a SavedModel at all, or its {@code
   *     saved_model.pb} or manifest cannot be read
   */
  public static List<String> problems(Path dir) {
    SavedModelInfo.checkLayout(dir);
    Map<String, List<Long>> variables = variableShapes(dir);
    List<String> problems = new ArrayList<>();
    if (!variables.isEmpty() && !Files.isRegularFile(dir.resolve("variables/variables.index"))) {
      problems.add(
          String.format(
              "its graph has %d variables (such as %s) but there is no variables/variables.index:"
                  + " their values were not saved",
              variables.size(), variables.keySet().iterator().next()));
    }
    if (Files.isRegularFile(dir.resolve(SavedModels.MANIFEST))) {
      checkManifest(ManifestFiles.read(dir), variables, signatures(dir), problems);
    }
    return problems;
  }

  private static void checkManifest(
      Manifest manifest,
      Map<String, List<Long>> variables,
      Map<String, SignatureDef> signatures,
      List<String> problems) {
    List<String> promised = Manifests.promisedVariables(manifest);
    List<String> missing = new ArrayList<>();
    for (String name : promised) {
      if (!variables.containsKey(name)) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty() && missing.size() == promised.size()) {
      problems.add(
          String.format(
              "it has a Metaplastic manifest but none of the %d variables it names: a SavedModel"
                  + " written by tf.saved_model.save from a loaded Metaplastic model holds no"
                  + " values (TensorFlow 2 does not save reference variables); save trained state"
                  + " with the model's save signature into a copy of its SavedModel instead",
              missing.size()));
    } else if (!missing.isEmpty()) {
      problems.add("the graph lacks variables its manifest names: " + missing);
    }
    valid(problems, "the manifest's optimizer", () -> Manifests.optimizer(manifest));
    if (Manifests.isPlasticRnn(manifest)) {
      valid(problems, "the manifest's model", () -> Manifests.plasticRnnSpec(manifest));
      return;
    }
    for (Rule rule : manifest.getRulesList()) {
      if (!Rules.names().contains(rule.getName())) {
        problems.add(
            String.format(
                "the manifest names unknown rule '%s'; expected one of %s",
                rule.getName(), Rules.names()));
      } else {
        valid(
            problems,
            "rule " + rule.getName(),
            () -> Rules.fromHyperparameters(rule.getName(), rule.getHyperparametersMap()));
      }
    }
    if (valid(problems, "the manifest's model", () -> Manifests.spec(manifest))) {
      checkShapes(manifest.getModel(), variables, signatures, problems);
    }
  }

  /** The MLP's kernels, heads, and inference signature against the manifest's sizes. */
  private static void checkShapes(
      Model model,
      Map<String, List<Long>> variables,
      Map<String, SignatureDef> signatures,
      List<String> problems) {
    long in = model.getInputSize();
    for (int i = 0; i < model.getHiddenCount(); i++) {
      checkShape(
          variables, "dense_" + i + "/kernel", List.of(in, (long) model.getHidden(i)), problems);
      in = model.getHidden(i);
    }
    long heads = variables.keySet().stream().filter(n -> HEAD_KERNEL.matcher(n).matches()).count();
    if (heads != model.getHeads()) {
      problems.add(
          String.format(
              "the manifest says %d heads, the graph has %d (head_<t>/kernel variables)",
              model.getHeads(), heads));
    }
    for (int t = 0; t < Math.min(heads, model.getHeads()); t++) {
      checkShape(
          variables,
          "head_" + t + "/kernel",
          List.of(in, (long) model.getClassesPerHead()),
          problems);
    }
    SignatureDef inference = signatures.get(SavedModels.PREDICT_KEY);
    if (inference == null) {
      inference = signatures.get("serving_default");
    }
    if (inference != null) {
      checkSignature(inference.getInputsMap().get("x"), "x", model.getInputSize(), problems);
      checkSignature(
          inference.getOutputsMap().get("probabilities"),
          "probabilities",
          model.getClassesPerHead(),
          problems);
    }
  }

  private static void checkShape(
      Map<String, List<Long>> variables, String name, List<Long> expected, List<String> problems) {
    List<Long> shape = variables.get(name);
    if (shape != null && !shape.equals(expected)) {
      problems.add(
          String.format(
              "the manifest's sizes give %s the shape %s, the graph has %s",
              name, expected, shape));
    }
  }

  private static void checkSignature(
      TensorInfo tensor, String name, long size, List<String> problems) {
    if (tensor == null || !tensor.hasTensorShape() || tensor.getTensorShape().getDimCount() != 2) {
      return;
    }
    long actual = tensor.getTensorShape().getDim(1).getSize();
    if (actual != size) {
      problems.add(
          String.format(
              "the manifest gives '%s' %d values per example, the inference signature %d",
              name, size, actual));
    }
  }

  /** Runs a validation; records its failure as a problem and returns whether it passed. */
  private static boolean valid(List<String> problems, String what, Supplier<?> validation) {
    try {
      validation.get();
      return true;
    } catch (IllegalArgumentException e) {
      problems.add(what + ": " + e.getMessage());
      return false;
    }
  }

  /** Every variable of the {@code serve} meta graph, with its shape (empty if unknown). */
  static Map<String, List<Long>> variableShapes(Path dir) {
    Map<String, List<Long>> shapes = new LinkedHashMap<>();
    MetaGraphDef meta = serveMetaGraph(dir);
    if (meta == null) {
      return shapes;
    }
    for (NodeDef node : meta.getGraphDef().getNodeList()) {
      if (node.getOp().equals("VariableV2") || node.getOp().equals("VarHandleOp")) {
        List<Long> dims = new ArrayList<>();
        TensorShapeProto shape =
            node.containsAttr("shape")
                ? node.getAttrOrThrow("shape").getShape()
                : TensorShapeProto.getDefaultInstance();
        shape.getDimList().forEach(d -> dims.add(d.getSize()));
        shapes.put(node.getName(), dims);
      }
    }
    return shapes;
  }

  private static Map<String, SignatureDef> signatures(Path dir) {
    MetaGraphDef meta = serveMetaGraph(dir);
    return meta == null ? Map.of() : meta.getSignatureDefMap();
  }

  private static MetaGraphDef serveMetaGraph(Path dir) {
    Path file = dir.resolve("saved_model.pb");
    if (!Files.isRegularFile(file)) {
      return null; // saved_model.pbtxt: TensorFlow reads it; we do not check it
    }
    SavedModel savedModel;
    try (InputStream in = Files.newInputStream(file)) {
      savedModel = SavedModel.parseFrom(in);
    } catch (IOException e) {
      throw new InvalidInputException(
          "cannot load SavedModel "
              + dir
              + " (its graph or variables are damaged): "
              + file.getFileName()
              + " is not a SavedModel protocol buffer ("
              + e.getMessage()
              + ")",
          e);
    }
    for (MetaGraphDef meta : savedModel.getMetaGraphsList()) {
      if (meta.getMetaInfoDef().getTagsList().contains(SavedModelBundle.DEFAULT_TAG)) {
        return meta;
      }
    }
    return null;
  }
}
