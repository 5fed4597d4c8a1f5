package dev.metaplastic.graphs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.train.Save;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * The entry points that let a SavedModel's user read and write the whole training state without
 * this library: {@code state} copies every variable's value, and {@code save(directory)} writes
 * them all where a SavedModel keeps them and brings the manifest's counters up to date.
 *
 * <p>TensorFlow 2's object saver does not see the reference variables of our graphs (saving a
 * loaded SavedModel with {@code tf.saved_model.save} writes no values), so {@code save} runs a
 * {@code SaveV2} op of its own, in the format and under the names {@code Session.restore} reads: it
 * writes {@code <directory>/variables/variables.index} and {@code .data-00000-of-00001}. The
 * directory must hold a copy of the SavedModel (its {@code saved_model.pb} and manifest): {@code
 * save} then rewrites each counter of the manifest {@code assets/metaplastic.pbtxt} from its
 * variable, after the variables, so that the manifest never claims other counts than the variables
 * hold (a load checks that they agree).
 */
public final class StateEntries {
  /**
   * A counter that the manifest copies from a variable.
   *
   * @param block the manifest's message field that holds it, such as {@code episode_training}, or
   *     empty for a top-level field
   * @param field the field's name, such as {@code tasks_consolidated}
   * @param value the variable, an integer scalar
   */
  public record Counter(String block, String field, Operand<?> value) {}

  /** Path of the manifest inside a SavedModel directory. */
  static final String MANIFEST = "/assets/metaplastic.pbtxt";

  /** Prefix of the variable files inside a SavedModel directory. */
  static final String VARIABLES = "/variables/variables";

  private final Map<String, Operand<?>> reads = new LinkedHashMap<>();
  private final Placeholder<TString> directory;
  private final Operand<TString> saved;

  /**
   * Builds both entry points over {@code variables}.
   *
   * @param state the scope of the reads
   * @param save the scope of the save ops
   */
  StateEntries(Ops state, Ops save, Map<String, Variable<?>> variables, List<Counter> counters) {
    variables.forEach((name, variable) -> reads.put(name, snapshot(state, variable)));
    this.directory =
        save.withName("directory").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    Operand<TString> prefix = save.strings.join(List.of(directory, save.constant(VARIABLES)));
    List<String> names = new ArrayList<>(variables.keySet());
    List<Operand<?>> values = new ArrayList<>(variables.values());
    Save write =
        save.train.save(
            prefix,
            save.constant(NdArrays.vectorOfObjects(names.toArray(new String[0]))),
            save.constant(
                NdArrays.vectorOfObjects(
                    Collections.nCopies(names.size(), "").toArray(new String[0]))),
            values);
    Ops after = save.withControlDependencies(List.of(write));
    Operand<TString> manifest = after.strings.join(List.of(directory, after.constant(MANIFEST)));
    Operand<TString> text = after.io.readFile(manifest);
    for (Counter counter : counters) {
      text =
          after.strings.regexReplace(
              text,
              after.constant("(^|\n) *" + counter.field() + ": -?[0-9]+"),
              after.constant(""));
      Operand<TString> line =
          after.strings.join(
              List.of(
                  after.constant(counter.field() + ": "), after.dtypes.asString(counter.value())));
      text =
          counter.block().isEmpty()
              ? after.strings.join(List.of(text, line, after.constant("\n")))
              : after.strings.regexReplace(
                  text,
                  after.constant("(^|\n)" + counter.block() + " \\{"),
                  after.strings.join(
                      List.of(after.constant("\\1" + counter.block() + " {\n  "), line)),
                  org.tensorflow.op.strings.RegexReplace.replaceGlobal(false));
    }
    this.saved =
        save.withControlDependencies(List.of(after.io.writeFile(manifest, text)))
            .withName("written")
            .identity(directory);
  }

  /**
   * A copy of a variable's value: the identity of a reference variable would alias its buffer, and
   * a value handed to Python would change with the next training step.
   */
  private static <T extends TType> Operand<T> snapshot(Ops tf, Variable<T> variable) {
    return tf.deepCopy(variable);
  }

  /** A copy of every variable's value, by contract name. */
  public Map<String, Operand<?>> reads() {
    return Collections.unmodifiableMap(reads);
  }

  /** {@code save}'s input: the SavedModel directory to write, a string scalar. */
  public Placeholder<TString> directory() {
    return directory;
  }

  /** {@code save}'s output: the directory, once the variables and the manifest are written. */
  public Operand<TString> saved() {
    return saved;
  }
}
