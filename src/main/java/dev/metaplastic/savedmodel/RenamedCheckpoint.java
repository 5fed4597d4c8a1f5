package dev.metaplastic.savedmodel;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.family.TType;

/**
 * Restores a checkpoint that stores some variables under older names into a session whose graph
 * names them as this version does: a separate graph reads every variable under its stored name and
 * writes it under its name today into a temporary checkpoint, which the session restores.
 * TensorFlow's saver restores by name only, and the session's own graph gains no op.
 */
final class RenamedCheckpoint {
  private RenamedCheckpoint() {}

  /**
   * @param session a session whose graph has every variable of the checkpoint
   * @param prefix the checkpoint, such as {@code <SavedModel>/variables/variables}
   * @param storedNames for each variable of the session's graph stored under another name, that
   *     name
   */
  static void restore(Session session, String prefix, Map<String, String> storedNames) {
    List<String> names = new ArrayList<>();
    List<String> stored = new ArrayList<>();
    List<Class<? extends TType>> types = new ArrayList<>();
    for (Iterator<GraphOperation> it = session.graph().operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      if (op.type().equals("VariableV2")) {
        names.add(op.name());
        stored.add(storedNames.getOrDefault(op.name(), op.name()));
        types.add(op.output(0).type());
      }
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("metaplastic-renamed");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary checkpoint", e);
    }
    try {
      String renamed = dir.resolve("variables").toString();
      String[] slices = new String[names.size()];
      Arrays.fill(slices, "");
      try (Graph graph = new Graph();
          Session copy = new Session(graph)) {
        Ops tf = Ops.create(graph);
        Restore read =
            tf.train.restore(
                tf.constant(prefix),
                tf.constant(UTF_8, stored.toArray(new String[0])),
                tf.constant(UTF_8, slices),
                types);
        copy.run(
            tf.train.save(
                tf.constant(renamed),
                tf.constant(UTF_8, names.toArray(new String[0])),
                tf.constant(UTF_8, slices),
                new ArrayList<Operand<?>>(read.tensors())));
      }
      session.restore(renamed);
    } finally {
      delete(dir);
    }
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
