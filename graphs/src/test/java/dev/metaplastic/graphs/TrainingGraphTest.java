package dev.metaplastic.graphs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.ops.ElasticWeightConsolidation;
import dev.metaplastic.ops.GradientProjectionMemory;
import dev.metaplastic.ops.MemoryAwareSynapses;
import dev.metaplastic.ops.Parameter;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.SynapticIntelligence;
import dev.metaplastic.ops.VariableRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

/** Builds small training graphs and checks names, determinism and the SI wiring. */
class TrainingGraphTest {
  private static final MlpSpec SPEC = new MlpSpec(6, List.of(5), 2, 3, 11);
  private static final int BATCH = 8;

  /**
   * Every build of a training graph with every rule that estimates importance or transforms steps
   * is the same op for op, gradient sums included (see EpisodeTrainingGraphTest for why it matters:
   * TensorFlow's gradient builder may order a sum's terms by memory address).
   */
  @Test
  void everyBuildOfTheGraphIsTheSame() {
    List<List<? extends RuleConfig>> ruleSets =
        List.of(
            List.of(SynapticIntelligence.Config.SPLIT),
            List.of(new ElasticWeightConsolidation.Config(10, 4)),
            List.of(new MemoryAwareSynapses.Config(1, 4)),
            List.of(new GradientProjectionMemory.Config(0.9, 4)));
    for (List<? extends RuleConfig> rules : ruleSets) {
      List<String> first = nodes(rules);
      assertEquals(first, nodes(rules), rules.toString());
      assertEquals(first, nodes(rules), rules.toString());
    }
  }

  /**
   * GPM governs the dense layers the model reports ({@link Model#denseLayers()}): every layer of an
   * MLP, its kernel and bias in parameter order, with state named on each kernel; a binarized
   * network reports none, so GPM refuses it.
   */
  @Test
  void gpmGovernsTheDenseLayersTheModelReports() {
    try (Graph g = new Graph()) {
      Mlp mlp = new Mlp(SPEC, new VariableRegistry(Ops.create(g)));
      List<Parameter> layered = new ArrayList<>();
      mlp.denseLayers().forEach(layer -> layered.addAll(List.of(layer.kernel(), layer.bias())));
      assertEquals(mlp.parameters(), layered);
    }
    try (Graph g = new Graph()) {
      TrainingGraph training =
          new TrainingGraph(
              g,
              SPEC,
              OptimizerConfig.Adam.withLearningRate(0.01),
              List.of(new GradientProjectionMemory.Config(0.9, 4)));
      List<String> state = new ArrayList<>();
      training.rules().get(0).state().forEach(v -> state.add(v.name()));
      List<String> expected = new ArrayList<>();
      for (String layer : List.of("dense_0", "head_0", "head_1")) {
        expected.add("gpm/" + layer + "/kernel/projection");
        expected.add("gpm/" + layer + "/kernel/representation");
        expected.add("gpm/" + layer + "/kernel/basis");
        expected.add("gpm/" + layer + "/kernel/rank");
      }
      assertEquals(expected, state);
    }
    MlpSpec binarized = new MlpSpec(6, List.of(5), 2, 3, 11, true);
    try (Graph g = new Graph()) {
      assertTrue(
          new BinarizedMlp(binarized, new VariableRegistry(Ops.create(g))).denseLayers().isEmpty());
    }
    try (Graph g = new Graph()) {
      var e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  new TrainingGraph(
                      g,
                      binarized,
                      OptimizerConfig.Adam.withLearningRate(0.01),
                      List.of(new GradientProjectionMemory.Config(0.9, 4))));
      assertTrue(e.getMessage().contains("binarized network"), e.getMessage());
    }
  }

  /**
   * A rule that estimates importance from data is refused on a binarized network, whose sign
   * activations pass no gradient from the inference pass to the hidden layers; SI, which takes the
   * training gradients, builds.
   */
  @Test
  void aBinarizedNetworkRefusesImportanceFromData() {
    MlpSpec binarized = new MlpSpec(6, List.of(5), 2, 3, 11, true);
    for (RuleConfig rule :
        List.<RuleConfig>of(
            new ElasticWeightConsolidation.Config(10, 4), new MemoryAwareSynapses.Config(1, 4))) {
      try (Graph g = new Graph()) {
        var e =
            assertThrows(
                IllegalArgumentException.class,
                () ->
                    new TrainingGraph(
                        g, binarized, OptimizerConfig.Adam.withLearningRate(0.01), List.of(rule)));
        assertEquals(
            "rule '"
                + rule.name()
                + "' estimates importance from gradients of the network's inference pass, which"
                + " the sign activations of a binarized network do not pass; choose a rule that"
                + " needs no data, such as si or metaplasticity",
            e.getMessage());
      }
    }
    try (Graph g = new Graph()) {
      new TrainingGraph(
          g,
          binarized,
          OptimizerConfig.Adam.withLearningRate(0.01),
          List.of(new SynapticIntelligence.Config(1, 0.1)));
    }
  }

  /** Each node of a fresh training graph as "name op [inputs]". */
  private static List<String> nodes(List<? extends RuleConfig> rules) {
    try (Graph g = new Graph()) {
      new TrainingGraph(g, SPEC, OptimizerConfig.Adam.withLearningRate(0.01), rules);
      List<String> out = new ArrayList<>();
      g.toGraphDef()
          .getNodeList()
          .forEach(n -> out.add(n.getName() + " " + n.getOp() + " " + n.getInputList()));
      return out;
    }
  }

  @Test
  void variablesCarryContractNames() {
    try (Graph g = new Graph()) {
      TrainingGraph training =
          new TrainingGraph(
              g,
              SPEC,
              OptimizerConfig.Adam.withLearningRate(0.01),
              List.of(SynapticIntelligence.Config.SPLIT));
      List<String> names = new ArrayList<>(training.variables().keySet());
      assertTrue(
          names.containsAll(
              List.of(
                  "dense_0/kernel",
                  "dense_0/bias",
                  "head_0/kernel",
                  "head_1/bias",
                  "si/dense_0/kernel/importance",
                  "si/head_1/bias/path_integral",
                  "si/dense_0/kernel/anchor",
                  "si/dense_0/kernel/task_start",
                  "adam/dense_0/kernel/m",
                  "adam/head_1/bias/v",
                  "adam/beta1_power",
                  "tasks_consolidated")),
          names.toString());
      assertEquals("x", training.x().op().name());
      assertEquals("task", training.task().op().name());
      assertEquals("train_step/loss", training.loss().op().name());
      assertEquals("predict/probabilities", training.probabilities().op().name());
    }
  }

  /**
   * With SGD and c = 0 the penalty has no gradient, so each applied update is Δθ = −η g and the
   * path integral must equal Σ Δθ² / η, computed here from the weights read before and after each
   * step.
   */
  @Test
  void pathIntegralUsesTheAppliedUpdate() {
    double lr = 0.1;
    try (Graph g = new Graph()) {
      TrainingGraph training =
          new TrainingGraph(
              g,
              SPEC,
              new OptimizerConfig.Sgd(lr),
              List.of(new SynapticIntelligence.Config(0, 1e-3)));
      try (Session s = new Session(g)) {
        Random random = new Random(3);
        var kernel = training.parameters().get(0).variable();
        double[] expected = new double[(int) kernel.shape().size()];
        for (int step = 0; step < 5; step++) {
          float[] before = TrainingSteps.read(s, kernel);
          trainStep(s, training, random);
          float[] after = TrainingSteps.read(s, kernel);
          for (int k = 0; k < expected.length; k++) {
            double delta = (double) after[k] - before[k];
            expected[k] += delta * delta / lr;
          }
        }
        float[] omega =
            TrainingSteps.read(s, training.variables().get("si/dense_0/kernel/path_integral"));
        for (int k = 0; k < expected.length; k++) {
          assertEquals(
              expected[k], omega[k], 1e-5 * Math.max(1, Math.abs(expected[k])), "omega[" + k + "]");
        }
      }
    }
  }

  @Test
  void trainingIsBitReproducibleAcrossGraphs() {
    float[] first = lossesOfFreshRun();
    float[] second = lossesOfFreshRun();
    assertArrayEquals(first, second);
    assertTrue(
        first[first.length - 1] < first[0],
        "loss should fall: " + java.util.Arrays.toString(first));
  }

  private static float[] lossesOfFreshRun() {
    try (Graph g = new Graph()) {
      TrainingGraph training =
          new TrainingGraph(
              g,
              SPEC,
              OptimizerConfig.Adam.withLearningRate(0.05),
              List.of(SynapticIntelligence.Config.SPLIT));
      try (Session s = new Session(g)) {
        Random random = new Random(5);
        float[] losses = new float[20];
        for (int i = 0; i < losses.length; i++) {
          losses[i] = trainStep(s, training, new Random(5 + (i % 2)));
          if (i == 9) {
            s.runner().fetch(training.tasksConsolidated()).run().close();
          }
        }
        random.nextInt();
        return losses;
      }
    }
  }

  private static float trainStep(Session s, TrainingGraph training, Random random) {
    float[] x = new float[BATCH * SPEC.inputSize()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return TrainingSteps.trainStep(s, training, x, BATCH, 0);
  }
}
