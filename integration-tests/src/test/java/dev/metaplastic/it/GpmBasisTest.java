package dev.metaplastic.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.data.StreamDescription;
import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.SessionOptions;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.internal.ManifestFiles;
import dev.metaplastic.ops.GradientProjectionMemory;
import dev.metaplastic.savedmodel.LoadedModel;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.train.ContinualTrainer;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.TrainerConfig;
import dev.metaplastic.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.family.TType;

/**
 * GPM's basis: training through it (on layers whose protected subspace is small) and through the
 * projection (on layers where it is large) gives the same bits run after run and whatever the
 * threads; and a SavedModel written before GPM kept a basis loads with one derived from its
 * projection.
 */
class GpmBasisTest {
  @TempDir Path dir;

  private static final TrainerConfig CONFIG =
      new TrainerConfig(
          List.of(32, 4),
          1,
          64,
          OptimizerConfig.Adam.withLearningRate(0.002),
          List.of(new GradientProjectionMemory.Config(0.999, 40)),
          7,
          false);

  /** The layers GPM governs in {@link #CONFIG}'s model, by kernel. */
  private static final List<String> LAYERS =
      List.of("dense_0/kernel", "dense_1/kernel", "head_0/kernel");

  /**
   * Three tasks, two boundaries: the same losses and state, to the bit, in three fresh runs, one of
   * them on one thread; by then some layer projects through its basis (2k ≤ in + 1) and some
   * through P.
   */
  @Test
  void trainingThroughTheBasisIsBitReproducible() {
    Losses first = new Losses();
    Map<String, float[]> state = run(SessionOptions.DEFAULT, first);
    for (SessionOptions options : List.of(SessionOptions.DEFAULT, new SessionOptions(1))) {
      Losses again = new Losses();
      Map<String, float[]> stateAgain = run(options, again);
      assertEquals(first.values, again.values, "losses, threads " + options.threads());
      state.forEach((name, values) -> assertArrayEquals(values, stateAgain.get(name), name));
    }
    boolean viaBasis = false;
    boolean viaProjection = false;
    List<String> ranks = new ArrayList<>();
    for (String name : state.keySet().stream().filter(v -> v.endsWith("/rank")).toList()) {
      String layer = name.substring(0, name.length() - "rank".length());
      float rank = state.get(name)[0];
      int n = (int) Math.round(Math.sqrt(state.get(layer + "projection").length));
      viaBasis |= rank >= 1 && 2 * rank <= n;
      viaProjection |= 2 * rank > n;
      ranks.add(layer + ": " + rank + " of " + n);
    }
    assertTrue(viaBasis && viaProjection, "both ways of projecting are taken: " + ranks);
  }

  private static Map<String, float[]> run(SessionOptions options, Losses losses) {
    ContinualTrainer trainer = new ContinualTrainer(CONFIG, losses).withSessionOptions(options);
    try (ModelSession model = trainer.open(Fixtures.STREAM)) {
      for (int task = 0; task < 3; task++) {
        trainer.trainTask(model, Fixtures.STREAM, task);
      }
      return Fixtures.snapshot(model);
    }
  }

  /**
   * A GPM SavedModel written before GPM kept a basis holds the projection P of each layer but no
   * {@code basis} or {@code rank}: such a file (today's export with those variables and their
   * manifest entries taken out, which is what the earlier version wrote) loads with a basis derived
   * from P that spans P's range with P's rank, and continues training as the same model saved with
   * its basis does, to float rounding.
   */
  @Test
  void aFileWithoutTheBasisLoadsDerivesItAndKeepsTraining() throws IOException {
    TrainerConfig config = CONFIG;
    Path today = dir.resolve("today");
    try (ModelSession model =
        new ContinualTrainer(config, TrainingListener.NONE).open(Fixtures.STREAM)) {
      ContinualTrainer trainer = new ContinualTrainer(config, TrainingListener.NONE);
      trainer.trainTask(model, Fixtures.STREAM, 0);
      trainer.trainTask(model, Fixtures.STREAM, 1);
      SavedModels.export(model, StreamDescription.of(Fixtures.STREAM), today);
    }
    Path earlier = dir.resolve("earlier");
    writeWithoutBasis(today, earlier);

    Losses fromToday = new Losses();
    Losses fromEarlier = new Losses();
    try (LoadedModel withBasis = SavedModels.load(today);
        LoadedModel derived = SavedModels.load(earlier)) {
      for (String layer : LAYERS) {
        String prefix = "gpm/" + layer + "/";
        float[] rank = derived.model().read(prefix + "rank");
        assertEquals(withBasis.model().read(prefix + "rank")[0], rank[0], layer + ": rank");
        assertTrue(rank[0] >= 1, layer + ": something is protected");
        checkSpans(
            derived.model().read(prefix + "basis"),
            (int) rank[0],
            derived.model().read(prefix + "projection"),
            layer);
      }
      new ContinualTrainer(config, fromToday).trainTask(withBasis.model(), Fixtures.STREAM, 2);
      new ContinualTrainer(config, fromEarlier).trainTask(derived.model(), Fixtures.STREAM, 2);
      assertEquals(fromToday.values.size(), fromEarlier.values.size());
      for (int i = 0; i < fromToday.values.size(); i++) {
        assertEquals(fromToday.values.get(i), fromEarlier.values.get(i), 1e-3, "loss of step " + i);
      }
      float[] weights = withBasis.model().read("dense_0/kernel");
      float[] continued = derived.model().read("dense_0/kernel");
      for (int i = 0; i < weights.length; i++) {
        assertEquals(weights[i], continued[i], 1e-3, "dense_0/kernel[" + i + "]");
      }
    }
  }

  /** The first k rows of the basis (U_kᵀ) are orthonormal, the rest zero, and U_k·U_kᵀ = P. */
  private static void checkSpans(float[] basis, int k, float[] projection, String layer) {
    int n = (int) Math.round(Math.sqrt(projection.length));
    for (int a = 0; a < n; a++) {
      for (int c = a; c < n; c++) {
        double dot = 0;
        for (int i = 0; i < n; i++) {
          dot += (double) basis[a * n + i] * basis[c * n + i];
        }
        assertEquals(a == c && a < k ? 1 : 0, dot, 1e-5, layer + ": row " + a + " · " + c);
      }
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double p = 0;
        for (int a = 0; a < k; a++) {
          p += (double) basis[a * n + i] * basis[a * n + j];
        }
        assertEquals(projection[i * n + j], p, 1e-5, layer + ": P[" + i + ", " + j + "]");
      }
    }
  }

  /**
   * Copies the SavedModel {@code from} to {@code to} without GPM's basis and rank: out of its
   * variables, and out of its manifest's state.
   */
  private static void writeWithoutBasis(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getParent().endsWith("variables")) {
          Files.copy(p, target);
        }
      }
    }
    Manifest manifest = ManifestFiles.read(from);
    Manifest.Builder earlier = manifest.toBuilder();
    earlier
        .getRulesBuilder(0)
        .clearState()
        .addAllState(
            manifest.getRules(0).getStateList().stream()
                .filter(s -> !s.getState().equals("basis") && !s.getState().equals("rank"))
                .toList());
    Files.writeString(to.resolve(SavedModels.MANIFEST), Manifests.toText(earlier.build()), UTF_8);
    List<String> names = new ArrayList<>();
    List<Class<? extends TType>> types = new ArrayList<>();
    try (LoadedModel loaded = SavedModels.load(from)) {
      for (Iterator<GraphOperation> it = loaded.model().session().graph().operations();
          it.hasNext(); ) {
        GraphOperation op = it.next();
        if (op.type().equals("VariableV2")
            && !op.name().endsWith("/basis")
            && !op.name().endsWith("/rank")) {
          names.add(op.name());
          types.add(op.output(0).type());
        }
      }
    }
    String[] slices = new String[names.size()];
    Arrays.fill(slices, "");
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Restore read =
          tf.train.restore(
              tf.constant(from.resolve("variables/variables").toString()),
              tf.constant(UTF_8, names.toArray(new String[0])),
              tf.constant(UTF_8, slices),
              types);
      session.run(
          tf.train.save(
              tf.constant(to.resolve("variables/variables").toString()),
              tf.constant(UTF_8, names.toArray(new String[0])),
              tf.constant(UTF_8, slices),
              new ArrayList<Operand<?>>(read.tensors())));
    }
  }
}
