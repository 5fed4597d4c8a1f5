package dev.metaplastic.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.graphs.SessionOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Checks {@link GraphSession} on a graph of two variables: reads by name with the messages of a
 * wrong name or type, fetches of several outputs, counters, closing, and a failed build that leaves
 * no open graph behind.
 */
class GraphSessionTest {
  /** Two variables, {@code w} = [1, 2, 3] and {@code count} = 7, and the sum of {@code w}. */
  private record Built(Map<String, Variable<?>> variables, Operand<TFloat32> sum) {}

  private static Built build(Graph g) {
    Ops tf = Ops.create(g);
    Variable<TFloat32> w = tf.withName("w").variable(tf.constant(new float[] {1, 2, 3}));
    Variable<TInt32> count = tf.withName("count").variable(tf.constant(7));
    Map<String, Variable<?>> variables = new LinkedHashMap<>();
    variables.put("w", w);
    variables.put("count", count);
    return new Built(variables, tf.reduceSum(w, tf.constant(0)));
  }

  @Test
  void readsFetchesAndCountsWithTheSessionOptions() {
    try (GraphSession<Built> session =
        new GraphSession<>(
            "the test session", GraphSessionTest::build, new SessionOptions(1).configProto())) {
      Built built = session.built();
      assertArrayEquals(new float[] {1, 2, 3}, session.read("w", built.variables()));
      float[][] values =
          GraphSession.fetch(session.runner(), List.of(built.sum(), tensorOf(built, "w")));
      assertArrayEquals(new float[] {6}, values[0]);
      assertArrayEquals(new float[] {1, 2, 3}, values[1]);
      assertEquals(7, session.fetchInt(built.variables().get("count")));
    }
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> tensorOf(Built built, String name) {
    return (Operand<TFloat32>) built.variables().get(name);
  }

  @Test
  void aWrongNameOrTypeIsRefusedWithTheVariablesNamed() {
    try (GraphSession<Built> session =
        new GraphSession<>(
            "the test session", GraphSessionTest::build, SessionOptions.DEFAULT.configProto())) {
      Map<String, Variable<?>> variables = session.built().variables();
      IllegalArgumentException unknown =
          assertThrows(IllegalArgumentException.class, () -> session.read("v", variables));
      assertEquals("no variable named 'v'; the variables are [w, count]", unknown.getMessage());
      IllegalArgumentException notFloat =
          assertThrows(IllegalArgumentException.class, () -> session.read("count", variables));
      assertEquals("variable 'count' holds TInt32, not float", notFloat.getMessage());
    }
  }

  @Test
  void closeIsIdempotentAndLaterCallsFail() {
    GraphSession<Built> session =
        new GraphSession<>(
            "the test session", GraphSessionTest::build, SessionOptions.DEFAULT.configProto());
    session.close();
    assertTrue(session.isClosed());
    assertDoesNotThrow(session::close);
    IllegalStateException e = assertThrows(IllegalStateException.class, session::runner);
    assertEquals("the test session is closed", e.getMessage());
    assertThrows(IllegalStateException.class, () -> session.read("w", Map.of()));
  }

  @Test
  void aFailedBuildClosesTheGraph() {
    Graph[] graph = new Graph[1];
    IllegalArgumentException refused = new IllegalArgumentException("refused");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new GraphSession<>(
                    "the test session",
                    g -> {
                      graph[0] = g;
                      build(g);
                      throw refused;
                    },
                    SessionOptions.DEFAULT.configProto()));
    assertSame(refused, e);
    assertThrows(IllegalStateException.class, () -> graph[0].operation("w"));
  }
}
