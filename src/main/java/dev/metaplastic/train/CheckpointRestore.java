package dev.metaplastic.train;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.ops.ConsolidationRule;
import dev.metaplastic.ops.DerivedState;
import dev.metaplastic.ops.StateVariable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Restores a checkpoint written by an earlier version into a session whose graph is today's: some
 * variables may be stored under older names, and some rule state the earlier version did not keep
 * may be missing, which its rule derives ({@link DerivedState}) from the state stored. A separate
 * graph reads every stored variable and computes every derived one, and writes them all under their
 * names today into a temporary checkpoint, which the session restores. TensorFlow's saver restores
 * by name only, and the session's own graph gains no op. A checkpoint with neither is restored
 * directly.
 */
public final class CheckpointRestore {
  private CheckpointRestore() {}

  /**
   * Restores a checkpoint some of whose variables are stored under other names.
   *
   * @param session a session whose graph has every variable of the checkpoint
   * @param prefix the checkpoint, such as {@code <SavedModel>/variables/variables}
   * @param storedNames for each variable of the session's graph stored under another name, that
   *     name
   */
  public static void restore(Session session, String prefix, Map<String, String> storedNames) {
    if (storedNames.isEmpty()) {
      session.restore(prefix);
    } else {
      copy(session, prefix, storedNames, Set.of(), (tf, stored) -> Map.of());
    }
  }

  /**
   * Restores the checkpoint of a model whose manifest promised {@code stored}: rule state of the
   * model's graph that is not among them is derived by its rule.
   *
   * @throws InvalidInputException if a rule's state is missing and the rule cannot derive it
   */
  public static void restore(ModelSession model, String prefix, Collection<String> stored) {
    Set<String> promised = new HashSet<>(stored);
    Set<String> missing = new HashSet<>();
    List<DerivedState> deriving = new ArrayList<>();
    for (ConsolidationRule rule : model.graph().rules()) {
      for (StateVariable state : rule.state()) {
        if (!promised.contains(state.name())) {
          missing.add(state.name());
        }
      }
      if (rule instanceof DerivedState derived) {
        deriving.add(derived);
      }
    }
    if (missing.isEmpty()) {
      model.session().restore(prefix);
      return;
    }
    copy(
        model.session(),
        prefix,
        Map.of(),
        missing,
        (tf, read) -> {
          Map<String, Operand<TFloat32>> derived = new HashMap<>();
          deriving.forEach(rule -> derived.putAll(rule.derive(tf, read::get)));
          List<String> underived =
              missing.stream().filter(name -> !derived.containsKey(name)).sorted().toList();
          InvalidInputException.check(
              underived.isEmpty(),
              "the checkpoint %s lacks rule state that cannot be derived from what it holds: %s",
              prefix,
              underived);
          return derived;
        });
  }

  /** Builds, in the copy graph, the values of missing variables from the stored ones, by name. */
  private interface Derivation {
    Map<String, Operand<TFloat32>> values(Ops tf, Map<String, Operand<TFloat32>> stored);
  }

  @SuppressWarnings("unchecked")
  private static void copy(
      Session session,
      String prefix,
      Map<String, String> storedNames,
      Set<String> missing,
      Derivation derivation) {
    List<String> names = new ArrayList<>();
    List<String> stored = new ArrayList<>();
    List<Class<? extends TType>> types = new ArrayList<>();
    List<String> derivedNames = new ArrayList<>();
    for (Iterator<GraphOperation> it = session.graph().operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      if (op.type().equals("VariableV2")) {
        if (missing.contains(op.name())) {
          derivedNames.add(op.name());
        } else {
          names.add(op.name());
          stored.add(storedNames.getOrDefault(op.name(), op.name()));
          types.add(op.output(0).type());
        }
      }
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("metaplastic-restore");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary checkpoint", e);
    }
    try {
      String copied = dir.resolve("variables").toString();
      try (Graph graph = new Graph();
          Session copy = new Session(graph)) {
        Ops tf = Ops.create(graph);
        Restore read =
            tf.train.restore(
                tf.constant(prefix),
                tf.constant(UTF_8, stored.toArray(new String[0])),
                tf.constant(UTF_8, slices(stored.size())),
                types);
        Map<String, Operand<TFloat32>> readByName = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
          if (types.get(i).equals(TFloat32.class)) {
            readByName.put(names.get(i), (Operand<TFloat32>) read.tensors().get(i));
          }
        }
        Map<String, Operand<TFloat32>> derived = derivation.values(tf, readByName);
        List<Operand<?>> values = new ArrayList<>(read.tensors());
        List<String> all = new ArrayList<>(names);
        for (String name : derivedNames) {
          all.add(name);
          values.add(derived.get(name));
        }
        copy.run(
            tf.train.save(
                tf.constant(copied),
                tf.constant(UTF_8, all.toArray(new String[0])),
                tf.constant(UTF_8, slices(all.size())),
                values));
      }
      session.restore(copied);
    } finally {
      delete(dir);
    }
  }

  private static String[] slices(int count) {
    String[] slices = new String[count];
    Arrays.fill(slices, "");
    return slices;
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the temporary checkpoint " + dir, e);
    }
  }
}
