package dev.metaplastic.it;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.metaplastic.data.Examples;
import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.data.StreamDescription;
import dev.metaplastic.episodes.EpisodeTask;
import dev.metaplastic.episodes.EpisodeTasks;
import dev.metaplastic.episodes.Episodes;
import dev.metaplastic.graphs.Activation;
import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.TrainingGraph;
import dev.metaplastic.ops.BennaFusiSynapse;
import dev.metaplastic.ops.ElasticWeightConsolidation;
import dev.metaplastic.ops.GradientProjectionMemory;
import dev.metaplastic.ops.MemoryAwareSynapses;
import dev.metaplastic.ops.Metaplasticity;
import dev.metaplastic.ops.NeuromodulatedLearningRate;
import dev.metaplastic.ops.OnlineElasticWeightConsolidation;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.SynapticIntelligence;
import dev.metaplastic.savedmodel.EpisodeModels;
import dev.metaplastic.savedmodel.LoadedEpisodeModel;
import dev.metaplastic.savedmodel.LoadedModel;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.train.EpisodeSession;
import dev.metaplastic.train.ModelSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.tensorflow.Result;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The Java side of the Python suite ({@code python/}), which runs it as a program with this
 * module's test classpath: it writes every kind of SavedModel the project writes with the Java
 * values of each signature on real inputs, for Python to compare; runs command lines in one JVM;
 * and checks that state Python trained and saved loads in Java and trains on from where Python left
 * it.
 *
 * <ul>
 *   <li>{@code write DIR}: one directory per kind under DIR, each with {@code model/} and {@code
 *       reference.json};
 *   <li>{@code check KIND_DIR...}: loads each {@code KIND_DIR/saved} and compares it with {@code
 *       KIND_DIR/python.json}; prints one JSON report line per directory, exits 1 on a mismatch;
 *   <li>{@code cli COMMANDS.json}: runs each argument list with the {@code metaplastic} command
 *       line in this JVM and prints each exit status, output and error as JSON.
 * </ul>
 */
public final class PythonParity {
  private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();
  private static final int BATCH = 32;
  private static final long SEED = 7;

  private PythonParity() {}

  public static void main(String[] args) throws IOException {
    switch (args[0]) {
      case "write" -> write(Path.of(args[1]));
      case "check" -> {
        boolean ok = true;
        for (int i = 1; i < args.length; i++) {
          try {
            ok &= check(Path.of(args[i]));
          } catch (RuntimeException e) {
            JsonObject failed = new JsonObject();
            failed.addProperty("ok", false);
            failed.addProperty("error", e.toString());
            System.out.println(GSON.toJson(failed));
            ok = false;
          }
        }
        System.exit(ok ? 0 : 1);
      }
      case "cli" -> cli(Path.of(args[1]));
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
  }

  /** One MLP kind: its spec and rules. */
  private record Kind(String name, MlpSpec spec, List<RuleConfig> rules) {}

  private static List<Kind> kinds() {
    MlpSpec split = new MlpSpec(784, List.of(16), 5, 2, 3);
    MlpSpec tenClasses =
        new MlpSpec(
            784,
            List.of(16, 12),
            1,
            10,
            3,
            false,
            List.of(Activation.parse("gelu"), Activation.parse("tanh")));
    return List.of(
        new Kind("si", split, List.of(SynapticIntelligence.Config.SPLIT)),
        new Kind("ewc", split, List.of(new ElasticWeightConsolidation.Config(100, 64))),
        new Kind(
            "online_ewc", split, List.of(new OnlineElasticWeightConsolidation.Config(100, 1, 64))),
        new Kind("mas", split, List.of(new MemoryAwareSynapses.Config(1, 64))),
        new Kind("gpm", split, List.of(new GradientProjectionMemory.Config(0.97, 64))),
        new Kind("benna_fusi", split, List.of(new BennaFusiSynapse.Config(8, 0.01))),
        new Kind(
            "meta", split, List.of(new Metaplasticity.Config(30, Metaplasticity.Reference.ANCHOR))),
        new Kind(
            "ewc_neuromod_lr",
            split,
            List.of(
                new ElasticWeightConsolidation.Config(100, 64),
                NeuromodulatedLearningRate.Config.DEFAULT)),
        new Kind(
            "single_head_gelu_tanh_ewc",
            tenClasses,
            List.of(new ElasticWeightConsolidation.Config(10, 64))),
        new Kind(
            "binarized_meta",
            new MlpSpec(784, List.of(16), 5, 2, 3, true),
            List.of(new Metaplasticity.Config(20, Metaplasticity.Reference.ZERO))));
  }

  private static void write(Path dir) throws IOException {
    FashionMnist data = FashionMnist.load(FashionMnist.DEFAULT_DIR);
    for (Kind kind : kinds()) {
      Path kindDir = dir.resolve(kind.name());
      Files.createDirectories(kindDir);
      Batch train = Batch.of(data.train(), 0, kind.spec());
      try (ModelSession model =
          new ModelSession(
              kind.spec(), OptimizerConfig.Adam.withLearningRate(0.01), kind.rules())) {
        for (int step = 0; step < 3; step++) {
          Batch b = Batch.of(data.train(), (step + 1) * BATCH, kind.spec());
          model.trainStep(b.x, b.y, b.task, BATCH);
        }
        model.estimateImportance(data.train(), 64, SEED);
        model.consolidate();
        model.trainStep(train.x, train.y, train.task, BATCH);
        SavedModels.export(
            model, StreamDescription.origin("split", "", ""), kindDir.resolve("model"));
      }
      JsonObject reference = new JsonObject();
      reference.addProperty("kind", "mlp");
      reference.addProperty("heads", kind.spec().heads());
      reference.addProperty("multi_head", kind.spec().multiHead());
      Batch test = Batch.of(data.test(), 0, kind.spec());
      Batch next = Batch.of(data.test(), BATCH, kind.spec());
      reference.add("batch", test.json());
      reference.add("next_batch", next.json());
      Path model = kindDir.resolve("model");
      try (LoadedModel loaded = SavedModels.load(model)) {
        ModelSession m = loaded.model();
        JsonObject serving = new JsonObject();
        serving.add("probabilities", array(m.predict(test.x, test.task, BATCH)));
        serving.add("logits", array(fetch(m, test, m.graph().logits())));
        reference.add("serving_default", serving);
        JsonObject evaluate = new JsonObject();
        evaluate.addProperty("accuracy", scalar(m, test, m.graph().accuracy()));
        evaluate.addProperty("correct", scalar(m, test, m.graph().correct()));
        reference.add("evaluate", evaluate);
        reference.add("state", stats(m));
      }
      try (LoadedModel loaded = SavedModels.load(model)) {
        ModelSession.StepResult step = loaded.model().trainStep(test.x, test.y, test.task, BATCH);
        JsonObject trained = new JsonObject();
        trained.addProperty("loss", step.loss());
        trained.addProperty("penalty", step.penalty());
        trained.add("state", stats(loaded.model()));
        reference.add("train_step", trained);
      }
      try (LoadedModel loaded = SavedModels.load(model)) {
        ModelSession m = loaded.model();
        JsonObject withData = new JsonObject();
        try (TInt64 seed = TInt64.scalarOf(SEED);
            Feeds f = new Feeds(test, m.spec());
            Result r =
                f.feed(m.session().runner(), m.graph())
                    .feed(m.graph().estimateSeed(), seed)
                    .fetch(m.graph().consolidatedWithData())
                    .run()) {
          withData.addProperty("tasks_consolidated", ((TInt32) r.get(0)).getInt());
        }
        withData.add("state", stats(m));
        reference.add("consolidate_with_data", withData);
      }
      Files.writeString(kindDir.resolve("reference.json"), GSON.toJson(reference));
    }
    writePlastic(dir);
  }

  private static void writePlastic(Path dir) throws IOException {
    EpisodeTask task = EpisodeTasks.named("copy");
    for (String rule : List.of("hebbian", "gradient")) {
      Path kindDir = dir.resolve("plastic_" + rule);
      CliRun run =
          CliRun.of(
              "plastic",
              "--task",
              "copy",
              "--rules",
              rule,
              "--hidden",
              "16",
              "--episodes",
              "6",
              "--batch",
              "4",
              "--eval-every",
              "6",
              "--no-progress",
              "--eval-episodes",
              "8",
              "--out",
              kindDir.resolve("report").toString(),
              "--export",
              kindDir.resolve("export").toString());
      if (run.status() != 0) {
        throw new IllegalStateException("plastic failed: " + run.err());
      }
      Files.move(kindDir.resolve("export").resolve(rule), kindDir.resolve("model"));
      Episodes episodes = task.sample(4, new Random(SEED));
      JsonObject reference = new JsonObject();
      reference.addProperty("kind", "plastic");
      reference.add("batch", episodesJson(episodes));
      reference.add("next_batch", episodesJson(task.sample(4, new Random(SEED + 1))));
      try (LoadedEpisodeModel loaded = EpisodeModels.load(kindDir.resolve("model"))) {
        EpisodeSession m = loaded.model();
        reference.add("predict_episode", array(m.predict(episodes.inputs(), episodes.batch())));
        EpisodeSession.Evaluation e =
            m.evaluate(episodes.inputs(), episodes.targets(), episodes.mask(), episodes.batch());
        JsonObject evaluate = new JsonObject();
        evaluate.addProperty("loss", e.loss());
        evaluate.addProperty("metric", e.metric());
        reference.add("evaluate_episode", evaluate);
        reference.add("state", stats(m));
      }
      try (LoadedEpisodeModel loaded = EpisodeModels.load(kindDir.resolve("model"))) {
        EpisodeSession m = loaded.model();
        JsonObject train = new JsonObject();
        train.addProperty(
            "loss",
            m.trainEpisode(
                episodes.inputs(), episodes.targets(), episodes.mask(), episodes.batch()));
        train.add("state", stats(m));
        reference.add("train_episode", train);
      }
      Files.writeString(kindDir.resolve("reference.json"), GSON.toJson(reference));
    }
  }

  /**
   * Loads what Python saved into {@code KIND_DIR/saved} and compares it with {@code python.json}:
   * the variables Python's {@code state} gave after its training, then the loss of one more step on
   * the next batch, which Python took from a fresh load of the same directory; then trains on.
   */
  private static boolean check(Path kindDir) throws IOException {
    JsonObject python =
        JsonParser.parseString(Files.readString(kindDir.resolve("python.json"))).getAsJsonObject();
    JsonObject reference =
        JsonParser.parseString(Files.readString(kindDir.resolve("reference.json")))
            .getAsJsonObject();
    JsonObject report = new JsonObject();
    boolean ok;
    if (reference.get("kind").getAsString().equals("mlp")) {
      try (LoadedModel loaded = SavedModels.load(kindDir.resolve("saved"))) {
        ModelSession m = loaded.model();
        ok = compareStats(stats(m), python.getAsJsonObject("state"), report);
        report.addProperty("tasks_consolidated", m.tasksConsolidated());
        ok &= m.tasksConsolidated() == python.get("tasks_consolidated").getAsInt();
        Batch next = Batch.of(reference.getAsJsonObject("next_batch"), m.spec());
        float loss = m.trainStep(next.x, next.y, next.task, BATCH).loss();
        report.addProperty("next_loss", loss);
        ok &= close(loss, python.get("next_loss").getAsDouble(), 1e-5);
        for (int i = 0; i < 3; i++) {
          ok &= Float.isFinite(m.trainStep(next.x, next.y, next.task, BATCH).loss());
        }
      }
    } else {
      try (LoadedEpisodeModel loaded = EpisodeModels.load(kindDir.resolve("saved"))) {
        EpisodeSession m = loaded.model();
        ok = compareStats(stats(m), python.getAsJsonObject("state"), report);
        report.addProperty("training_steps", m.trainingSteps());
        ok &= m.trainingSteps() == python.get("training_steps").getAsLong();
        Episodes next = episodes(reference.getAsJsonObject("next_batch"));
        float loss = m.trainEpisode(next.inputs(), next.targets(), next.mask(), next.batch());
        report.addProperty("next_loss", loss);
        ok &= close(loss, python.get("next_loss").getAsDouble(), 1e-5);
      }
    }
    report.addProperty("ok", ok);
    System.out.println(GSON.toJson(report));
    return ok;
  }

  private static void cli(Path commands) throws IOException {
    JsonArray out = new JsonArray();
    for (JsonElement command :
        JsonParser.parseString(Files.readString(commands)).getAsJsonArray()) {
      String[] args = GSON.fromJson(command, String[].class);
      CliRun run = CliRun.of(args);
      JsonObject result = new JsonObject();
      result.addProperty("status", run.status());
      result.addProperty("out", run.out());
      result.addProperty("err", run.err());
      out.add(result);
    }
    System.out.println(GSON.toJson(out));
  }

  private static boolean compareStats(JsonObject java, JsonObject python, JsonObject report) {
    boolean ok = java.keySet().equals(python.keySet());
    JsonArray mismatches = new JsonArray();
    for (String name : java.keySet()) {
      if (!python.has(name)) {
        mismatches.add(name + " missing in Python");
        continue;
      }
      JsonArray a = java.getAsJsonArray(name);
      JsonArray b = python.getAsJsonArray(name);
      for (int i = 0; i < a.size(); i++) {
        if (!close(a.get(i).getAsDouble(), b.get(i).getAsDouble(), 1e-6)) {
          ok = false;
          mismatches.add(name + ": Java " + a + ", Python " + b);
          break;
        }
      }
    }
    report.add("mismatches", mismatches);
    return ok;
  }

  private static boolean close(double a, double b, double rtol) {
    return Math.abs(a - b) <= rtol * Math.max(1e-3, Math.max(Math.abs(a), Math.abs(b)));
  }

  /** Sum and sum of squares of every variable, by name (float variables; counters as one value). */
  private static JsonObject stats(ModelSession m) {
    JsonObject out = new JsonObject();
    for (String name : m.graph().loaders().keySet()) {
      out.add(name, stats(m.read(name)));
    }
    return out;
  }

  private static JsonObject stats(EpisodeSession m) {
    JsonObject out = new JsonObject();
    m.training()
        .variables()
        .forEach(
            (name, v) -> {
              if (v.type() == TFloat32.class) {
                out.add(name, stats(m.read(name)));
              }
            });
    return out;
  }

  private static JsonArray stats(float[] values) {
    double sum = 0;
    double squares = 0;
    for (float v : values) {
      sum += v;
      squares += (double) v * v;
    }
    JsonArray a = new JsonArray();
    a.add(sum);
    a.add(squares);
    return a;
  }

  private static float[] fetch(ModelSession m, Batch b, org.tensorflow.Operand<TFloat32> output) {
    try (Feeds f = new Feeds(b, m.spec());
        Result r = f.feed(m.session().runner(), m.graph()).fetch(output).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] values = new float[(int) t.shape().size()];
      t.asRawTensor().data().asFloats().read(values);
      return values;
    }
  }

  private static float scalar(ModelSession m, Batch b, org.tensorflow.Operand<TFloat32> output) {
    return fetch(m, b, output)[0];
  }

  private static JsonArray array(float[] values) {
    JsonArray a = new JsonArray();
    for (float v : values) {
      a.add(v);
    }
    return a;
  }

  private static JsonObject episodesJson(Episodes e) {
    JsonObject o = new JsonObject();
    o.addProperty("batch", e.batch());
    o.addProperty("steps", e.steps());
    o.addProperty("input_size", e.inputSize());
    o.addProperty("output_size", e.outputSize());
    o.add("inputs", array(e.inputs()));
    o.add("targets", array(e.targets()));
    o.add("mask", array(e.mask()));
    o.addProperty("classification", e.kind() == Episodes.Kind.CLASSIFICATION);
    return o;
  }

  private static Episodes episodes(JsonObject o) {
    return new Episodes(
        o.get("batch").getAsInt(),
        o.get("steps").getAsInt(),
        o.get("input_size").getAsInt(),
        o.get("output_size").getAsInt(),
        floats(o.getAsJsonArray("inputs")),
        floats(o.getAsJsonArray("targets")),
        floats(o.getAsJsonArray("mask")),
        o.get("classification").getAsBoolean()
            ? Episodes.Kind.CLASSIFICATION
            : Episodes.Kind.REGRESSION);
  }

  private static float[] floats(JsonArray a) {
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsFloat();
    }
    return out;
  }

  /** A batch of examples with each example's head. */
  private static final class Batch {
    final float[] x;
    final int[] y;
    final int[] task;

    private Batch(float[] x, int[] y, int[] task) {
      this.x = x;
      this.y = y;
      this.task = task;
    }

    /** {@value #BATCH} examples from {@code from}; labels folded into the spec's heads. */
    static Batch of(Examples examples, int from, MlpSpec spec) {
      int[] order = new int[BATCH];
      for (int i = 0; i < BATCH; i++) {
        order[i] = from + i;
      }
      float[] x = new float[BATCH * spec.inputSize()];
      int[] labels = new int[BATCH];
      examples.gather(order, 0, BATCH, x, labels, new int[BATCH]);
      int[] y = new int[BATCH];
      int[] task = new int[BATCH];
      for (int i = 0; i < BATCH; i++) {
        task[i] = spec.multiHead() ? labels[i] / spec.classesPerHead() : 0;
        y[i] = labels[i] % spec.classesPerHead();
      }
      return new Batch(x, y, task);
    }

    static Batch of(JsonObject o, MlpSpec spec) {
      float[] x = floats(o.getAsJsonArray("x"));
      int[] y = GSON.fromJson(o.get("y"), int[].class);
      int[] task = GSON.fromJson(o.get("task"), int[].class);
      return new Batch(x, y, task);
    }

    JsonObject json() {
      JsonObject o = new JsonObject();
      o.add("x", array(x));
      o.add("y", GSON.toJsonTree(y));
      o.add("task", GSON.toJsonTree(task));
      return o;
    }
  }

  /** The feeds of a batch, closed together. */
  private static final class Feeds implements AutoCloseable {
    private final List<Tensor> tensors;
    private final MlpSpec spec;

    Feeds(Batch b, MlpSpec spec) {
      this.spec = spec;
      TFloat32 x =
          TFloat32.tensorOf(Shape.of(BATCH, spec.inputSize()), DataBuffers.of(b.x, true, false));
      TInt32 y = TInt32.vectorOf(b.y);
      TInt32 task = TInt32.vectorOf(b.task);
      tensors = List.of(x, y, task);
    }

    org.tensorflow.Session.Runner feed(org.tensorflow.Session.Runner runner, TrainingGraph g) {
      runner.feed(g.x(), (TFloat32) tensors.get(0)).feed(g.y(), (TInt32) tensors.get(1));
      if (spec.multiHead()) {
        runner.feed(g.task(), (TInt32) tensors.get(2));
      }
      return runner;
    }

    @Override
    public void close() {
      tensors.forEach(Tensor::close);
    }
  }
}
