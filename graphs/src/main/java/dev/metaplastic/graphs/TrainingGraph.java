package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.Sets;
import dev.metaplastic.graphs.proto.Source;
import dev.metaplastic.ops.AfterStep;
import dev.metaplastic.ops.BatchEstimator;
import dev.metaplastic.ops.Consolidation;
import dev.metaplastic.ops.ConsolidationFromData;
import dev.metaplastic.ops.ConsolidationRule;
import dev.metaplastic.ops.ImportanceEstimator;
import dev.metaplastic.ops.Parameter;
import dev.metaplastic.ops.Penalty;
import dev.metaplastic.ops.PenaltyScale;
import dev.metaplastic.ops.Rebase;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.StepTransform;
import dev.metaplastic.ops.VariableRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssertThat;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The whole training graph of a classifier: model, softmax cross-entropy, optimizer and rules.
 *
 * <p>It exposes these entry points, each an output whose evaluation runs what it needs:
 *
 * <ul>
 *   <li>{@code train_step(x, y, task) → loss, penalty}: one optimizer step on the task loss plus
 *       every rule's penalty, then every rule's accumulation with the task-loss gradient and the
 *       update actually applied;
 *   <li>{@code estimate/<rule>(x, task, seed) → n}: adds the n examples' contributions to a rule's
 *       importance estimate, one example at a time (seed (seed, i) and weight 1/n for example i),
 *       for rules that estimate importance from data at a task boundary (see {@link ExampleLoop});
 *   <li>{@code estimate/<rule>_batch(x, task, batch_seeds, batch_weights)}: the same sum for a
 *       fixed-size batch with a seed and a weight per row, in one backward pass, where the model's
 *       layers give per-example gradients in closed form ({@link BatchEstimates});
 *   <li>{@code consolidate() → tasks_consolidated}: every rule's task-boundary update;
 *   <li>{@code consolidate_with_data(x, y, task, seed) → tasks_consolidated}: every rule's estimate
 *       on the batch, then a task boundary (a copy of {@code consolidate}'s ops that waits for the
 *       estimates);
 *   <li>{@code evaluate(x, y, task) → accuracy, correct};
 *   <li>{@code predict(x, task) → probabilities, logits};
 *   <li>{@code state} and {@code save(directory)} ({@link StateEntries}): every variable by name,
 *       and a save of them all with the manifest's counters;
 *   <li>for a model imported from another SavedModel (a {@link Source} with a serving interface),
 *       {@code serving(input) → output}: the same prediction with the source's input and output, so
 *       that an export can stand in for the source (see {@link #servingInput()}).
 * </ul>
 *
 * <p>A task id outside [0, heads) makes every entry point that reads it fail with an assertion,
 * instead of selecting no head. A model imported with a fixed input transform (a {@link Source}
 * with input scales and offsets) applies it to {@code x} before the first layer in every entry
 * point.
 *
 * <p>The whole graph, every head, slot and rule state included, is built by the constructor, so
 * nothing is created after a first save. Gradients are taken over the model's parameters only.
 * Every optimizer update waits for every gradient and every pre-update snapshot, which makes a step
 * deterministic: no backpropagation op can read a weight another update already changed.
 */
public final class TrainingGraph {
  private final Graph graph;
  private final MlpSpec spec;
  private final Model model;
  private final List<ConsolidationRule> rules = new ArrayList<>();
  private final VariableRegistry variables;
  private final Placeholder<TFloat32> x;
  private final Placeholder<TInt32> y;
  private final Placeholder<TInt32> task;
  private final Operand<TFloat32> loss;
  private final Operand<TFloat32> penalty;
  private final Operand<TFloat32> stepPenalty;
  private final Operand<TInt32> tasksConsolidated;
  private final Operand<TFloat32> accuracy;
  private final Operand<TFloat32> correct;
  private final Operand<TFloat32> probabilities;
  private final Operand<TFloat32> logits;
  private final Map<String, Loader> loaders = new LinkedHashMap<>();
  private final OptimizerConfig optimizer;
  private final Op rebase;
  private final Placeholder<TInt64> estimateSeed;
  private final Map<String, Operand<TInt32>> estimates = new LinkedHashMap<>();
  private final Map<String, ExampleLoop.Template> templates = new LinkedHashMap<>();
  private final Operand<TInt32> consolidatedWithData;
  private final StateEntries state;
  private final BatchEstimates batchEstimates;
  private final Source source;
  private final Placeholder<TFloat32> servingInput;
  private final Operand<TFloat32> servingOutput;

  /**
   * Builds the training graph of a model made here, in {@code graph}, which must be empty.
   *
   * @param graph an empty graph; the caller owns and closes it
   * @param spec the model's architecture
   * @param optimizer the optimizer
   * @param ruleConfigs the consolidation rules, each governing every parameter of the model; at
   *     most one of them may be a {@link StepTransform} (metaplasticity, Benna–Fusi, GPM, the
   *     neuromodulated learning rate)
   * @throws IllegalArgumentException if a rule is given twice or two rules transform steps
   */
  public TrainingGraph(
      Graph graph,
      MlpSpec spec,
      OptimizerConfig optimizer,
      List<? extends RuleConfig> ruleConfigs) {
    this(graph, spec, optimizer, ruleConfigs, null);
  }

  /**
   * Builds the training graph in {@code graph}, which must be empty; for an imported model, with a
   * second inference path that reproduces the source's serving interface.
   *
   * @param graph an empty graph; the caller owns and closes it
   * @param spec the model's architecture
   * @param optimizer the optimizer
   * @param ruleConfigs the consolidation rules, each governing every parameter of the model
   * @param source where an imported model came from (see {@link Manifests#checkSource}), or {@code
   *     null} for a model made here
   * @throws IllegalArgumentException if {@code source} does not fit {@code spec}
   */
  public TrainingGraph(
      Graph graph,
      MlpSpec spec,
      OptimizerConfig optimizer,
      List<? extends RuleConfig> ruleConfigs,
      Source source) {
    checkArguments(graph, spec, ruleConfigs, source);
    this.graph = graph;
    this.spec = spec;
    this.optimizer = optimizer;
    this.source = source;
    Ops tf = Ops.create(graph);
    this.variables = new VariableRegistry(tf);
    this.x =
        tf.withName("x")
            .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, spec.inputSize())));
    this.y = labelsLike(tf, "y");
    this.task = spec.multiHead() ? labelsLike(tf, "task") : null;
    Operand<TInt32> checkedTask = task == null ? null : checkedTask(variables.scope("task_check"));
    this.model = Model.create(spec, variables);
    List<Parameter> parameters = model.parameters();
    openScopes(ruleConfigs, parameters);
    for (RuleConfig config : ruleConfigs) {
      rules.add(
          config.attach(new RuleConfig.Attachment(variables, parameters, model.denseLayers())));
    }
    checkEstimatesHaveGradients();
    Optimizer updater = optimizer.attach(variables, parameters);
    Variable<TInt32> consolidated = variables.create("tasks_consolidated", tf.constant(0));

    Operand<TFloat32> inputs = inputTransform(variables.scope("input"), x, source);
    Model.Forward forward = model.forward(variables, inputs, checkedTask);
    this.logits = variables.scope("model").withName("logits").identity(forward.inference());
    Objective objective = objective(forward);
    this.penalty = objective.penalty();
    TrainStep step = trainStep(objective, forward, updater);
    this.loss = step.loss();
    this.stepPenalty = step.penalty();

    Set<String> beforeBoundary = operationNames(graph);
    this.tasksConsolidated = consolidation(consolidated);
    Set<String> boundaryOps = Sets.difference(operationNames(graph), beforeBoundary);

    Ops estimate = variables.scope("estimate");
    this.estimateSeed =
        estimate.withName("seed").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    this.consolidatedWithData = exampleEstimates(estimate, forward, checkedTask, boundaryOps);
    this.batchEstimates = BatchEstimates.build(estimate, forward, parameters, rules);

    this.rebase = rebaseEntry();
    Ops eval = variables.scope("evaluate");
    Operand<TFloat32> hits = hits(eval);
    this.correct = eval.withName("correct").reduceSum(hits, eval.constant(0));
    this.accuracy = eval.withName("accuracy").math.mean(hits, eval.constant(0));
    this.probabilities = variables.scope("predict").withName("probabilities").nn.softmax(logits);
    this.servingInput = source == null ? null : buildServingInput();
    this.servingOutput = source == null ? null : buildServingOutput();
    this.state =
        new StateEntries(
            variables.scope("state"),
            variables.scope("save_state"),
            variables.variables(),
            List.of(new StateEntries.Counter("", "tasks_consolidated", consolidated)));
    buildLoaders();
  }

  /**
   * Checks what the constructor is given.
   *
   * @throws IllegalArgumentException if the graph is not empty, the source does not fit the spec or
   *     a rule is given twice
   */
  private static void checkArguments(
      Graph graph, MlpSpec spec, List<? extends RuleConfig> ruleConfigs, Source source) {
    checkArgument(!graph.operations().hasNext(), "the training graph needs an empty graph");
    if (source != null) {
      Manifests.checkSource(source, spec);
    }
    Set<String> names = new HashSet<>();
    for (RuleConfig rule : ruleConfigs) {
      checkArgument(names.add(rule.name()), "rule '%s' is given twice", rule.name());
    }
  }

  /**
   * Refuses a rule that estimates importance from data on a binarized network: the estimate takes
   * gradients of the inference pass, and its sign activations pass none, so no hidden layer would
   * get any importance.
   */
  private void checkEstimatesHaveGradients() {
    for (ConsolidationRule rule : rules) {
      checkArgument(
          !spec.binarized() || !(rule instanceof ConsolidationFromData),
          "rule '%s' estimates importance from gradients of the network's inference pass, which the"
              + " sign activations of a binarized network do not pass; choose a rule that needs no"
              + " data, such as si or metaplasticity",
          rule.config().name());
    }
  }

  /** An int32 placeholder [batch] named {@code name}, for labels or task ids. */
  private static Placeholder<TInt32> labelsLike(Ops tf, String name) {
    return tf.withName(name).placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
  }

  /**
   * The task loss and the rules' penalties, built in the {@code loss} scope.
   *
   * @param taskLoss the batch's mean softmax cross-entropy
   * @param penalties each {@link Penalty} rule's term, in rule order
   * @param scale the product of the {@link PenaltyScale}s, or null when no rule scales penalties
   * @param penalty the scaled sum of the penalties, {@code loss/penalty}
   */
  private record Objective(
      Operand<TFloat32> taskLoss,
      List<Penalty.Term> penalties,
      Operand<TFloat32> scale,
      Operand<TFloat32> penalty) {}

  /** The mean cross-entropy of the training logits, and every rule's penalty. */
  private Objective objective(Model.Forward forward) {
    Ops lossScope = variables.scope("loss");
    Operand<TFloat32> labels =
        lossScope.oneHot(
            y,
            lossScope.constant(spec.classesPerHead()),
            lossScope.constant(1f),
            lossScope.constant(0f));
    Operand<TFloat32> taskLoss =
        lossScope
            .withName("cross_entropy")
            .math
            .mean(
                lossScope.nn.softmaxCrossEntropyWithLogits(forward.training(), labels).loss(),
                lossScope.constant(0));
    List<Penalty.Term> penalties = new ArrayList<>();
    for (ConsolidationRule rule : rules) {
      if (rule instanceof Penalty p) {
        penalties.add(p.penalty(new Penalty.Context(scopeOf(rule))));
      }
    }
    Operand<TFloat32> scale = penalties.isEmpty() ? null : penaltyScale(lossScope);
    return new Objective(taskLoss, penalties, scale, totalPenalty(lossScope, penalties, scale));
  }

  /**
   * The {@code train_step} outputs, each evaluated after the step's updates and bookkeeping.
   *
   * @param loss {@code train_step/loss}
   * @param penalty {@code train_step/penalty}
   */
  private record TrainStep(Operand<TFloat32> loss, Operand<TFloat32> penalty) {}

  /**
   * The {@code train_step} entry: gradients of the objective, the optimizer's (possibly
   * transformed) updates once every gradient and snapshot is taken, the model's statistic updates,
   * and every {@link AfterStep} rule's bookkeeping after the updates.
   */
  private TrainStep trainStep(Objective objective, Model.Forward forward, Optimizer updater) {
    List<Parameter> parameters = model.parameters();
    Ops step = variables.scope("train_step");
    List<Operand<TFloat32>> taskGradients =
        gradients(step, "task_gradients", objective.taskLoss(), parameters);
    List<Operand<TFloat32>> totalGradients = totalGradients(step, taskGradients, objective);
    List<Operation> beforeUpdate = new ArrayList<>();
    totalGradients.forEach(g -> beforeUpdate.add(g.op()));
    List<Operand<TFloat32>> before = snapshots(step, beforeUpdate);
    List<Op> updates =
        updates(
            step.withControlDependencyOps(beforeUpdate),
            updater,
            totalGradients,
            objective.taskLoss());
    List<Op> stepOps = new ArrayList<>(updates);
    stepOps.addAll(forward.statisticUpdates());
    stepOps.addAll(
        afterStep(step.withControlDependencies(updates), before, taskGradients, objective));
    Ops done = step.withControlDependencies(stepOps);
    return new TrainStep(
        done.withName("loss").identity(objective.taskLoss()),
        done.withName("penalty").identity(objective.penalty()));
  }

  /** Each parameter's task-loss gradient plus every penalty's gradient times the scale. */
  private List<Operand<TFloat32>> totalGradients(
      Ops step, List<Operand<TFloat32>> taskGradients, Objective objective) {
    List<Operand<TFloat32>> totalGradients = new ArrayList<>(taskGradients);
    Operand<TFloat32> scale = objective.scale();
    for (Penalty.Term term : objective.penalties()) {
      for (int i = 0; i < totalGradients.size(); i++) {
        Operand<TFloat32> g = term.gradients().get(i);
        totalGradients.set(
            i, step.math.add(totalGradients.get(i), scale == null ? g : step.math.mul(scale, g)));
      }
    }
    return totalGradients;
  }

  /**
   * A copy of every parameter before the step, when a rule needs the updates actually applied
   * (empty otherwise); each copy joins {@code beforeUpdate}, the ops the updates wait for.
   */
  private List<Operand<TFloat32>> snapshots(Ops step, List<Operation> beforeUpdate) {
    List<Operand<TFloat32>> before = new ArrayList<>();
    if (rules.stream().anyMatch(r -> r instanceof AfterStep a && a.needsAppliedUpdates())) {
      for (Parameter p : model.parameters()) {
        Operand<TFloat32> copy = step.deepCopy(p.variable());
        before.add(copy);
        beforeUpdate.add(copy.op());
      }
    }
    return before;
  }

  /**
   * The optimizer's updates from {@code gradients}, their steps transformed by the one {@link
   * StepTransform} rule if there is one.
   *
   * @throws IllegalArgumentException if more than one rule transforms steps
   */
  private List<Op> updates(
      Ops updateScope,
      Optimizer updater,
      List<Operand<TFloat32>> gradients,
      Operand<TFloat32> taskLoss) {
    List<StepTransform> transformers = new ArrayList<>();
    for (ConsolidationRule rule : rules) {
      if (rule instanceof StepTransform t) {
        transformers.add(t);
      }
    }
    checkArgument(
        transformers.size() <= 1,
        "at most one rule may transform the optimizer's steps, got %s",
        transformers.stream().map(r -> r.config().name()).toList());
    List<Parameter> parameters = model.parameters();
    return transformers.isEmpty()
        ? updater.apply(updateScope, parameters, gradients)
        : updater.apply(
            updateScope,
            parameters,
            gradients,
            (ops, steps) ->
                transformers
                    .get(0)
                    .transformSteps(new StepTransform.Context(ops, steps, taskLoss)));
  }

  /**
   * Every {@link AfterStep} rule's bookkeeping, built in {@code afterUpdate} (which waits for the
   * updates), with the applied updates θ − {@code before} for the rules that need them.
   */
  private List<Op> afterStep(
      Ops afterUpdate,
      List<Operand<TFloat32>> before,
      List<Operand<TFloat32>> taskGradients,
      Objective objective) {
    List<Operand<TFloat32>> applied = new ArrayList<>();
    for (int i = 0; i < before.size(); i++) {
      applied.add(afterUpdate.math.sub(model.parameters().get(i).variable(), before.get(i)));
    }
    List<Op> out = new ArrayList<>();
    for (ConsolidationRule rule : rules) {
      if (rule instanceof AfterStep a) {
        out.addAll(
            a.afterStep(
                new AfterStep.Context(
                    afterUpdate,
                    taskGradients,
                    a.needsAppliedUpdates() ? applied : List.of(),
                    objective.taskLoss())));
      }
    }
    return out;
  }

  /**
   * The {@code consolidate} entry: every {@link Consolidation} rule's task-boundary update, then
   * one more boundary on {@code consolidated}; outputs the count after it.
   */
  private Operand<TInt32> consolidation(Variable<TInt32> consolidated) {
    Ops boundary = variables.scope("consolidate");
    List<Op> consolidation = new ArrayList<>();
    for (ConsolidationRule rule : rules) {
      if (rule instanceof Consolidation c) {
        consolidation.addAll(c.consolidate(new Consolidation.Context(scopeOf(rule))));
      }
    }
    consolidation.add(boundary.assignAdd(consolidated, boundary.constant(1)));
    return boundary
        .withControlDependencies(consolidation)
        .withName("tasks_consolidated")
        .identity(consolidated);
  }

  /**
   * The {@code estimate/<rule>} entries, one example at a time, and {@code consolidate_with_data}
   * on top of them; returns the latter's output.
   */
  private Operand<TInt32> exampleEstimates(
      Ops estimate, Model.Forward forward, Operand<TInt32> checkedTask, Set<String> boundaryOps) {
    exampleTemplates(estimate, forward);
    OpCopier copier = new OpCopier(graph);
    exampleLoops(estimate, copier, checkedTask);
    return consolidationAfterEstimates(
        copier, variables.scope("consolidate_with_data"), boundaryOps, spec, checkedTask);
  }

  /**
   * Each {@link ConsolidationFromData} rule's per-example template in {@code estimate}: its
   * objective on one example's inference logits, the gradients, and the weighted accumulation.
   */
  private void exampleTemplates(Ops estimate, Model.Forward forward) {
    Placeholder<TInt64> exampleSeed =
        estimate.withName("example_seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
    Placeholder<TFloat32> exampleWeight =
        estimate
            .withName("example_weight")
            .placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    for (ConsolidationRule rule : rules) {
      if (rule instanceof ConsolidationFromData d) {
        String name = rule.config().name();
        BatchEstimator estimator = d.estimator();
        Operand<TFloat32> objective =
            estimator.objective(
                new ImportanceEstimator.Example(estimate, forward.inference(), exampleSeed));
        List<Operand<TFloat32>> signal =
            gradients(estimate, name + "_gradients", objective, model.parameters());
        List<Op> accumulate =
            estimator.accumulate(
                new ImportanceEstimator.ExampleGradients(estimate, signal, exampleWeight));
        templates.put(
            name, new ExampleLoop.Template(x, task, exampleSeed, exampleWeight, accumulate));
      }
    }
  }

  /** The {@code estimate/<rule>} entries: a loop over the batch's examples per template. */
  private void exampleLoops(Ops estimate, OpCopier copier, Operand<TInt32> checkedTask) {
    templates.forEach(
        (name, template) ->
            estimates.put(
                name,
                estimate
                    .withName(name)
                    .identity(
                        ExampleLoop.build(
                            copier,
                            variables.scope("estimate_" + name),
                            name,
                            template,
                            x,
                            checkedTask,
                            estimateSeed))));
  }

  /** The {@code rebase/done} entry: every {@link Rebase} rule's restart. */
  private Op rebaseEntry() {
    Ops restart = variables.scope("rebase");
    List<Op> rebaseOps = new ArrayList<>();
    for (ConsolidationRule rule : rules) {
      if (rule instanceof Rebase r) {
        rebaseOps.addAll(r.rebase(new Rebase.Context(scopeOf(rule))));
      }
    }
    return restart.withControlDependencies(rebaseOps).withName("done").noOp();
  }

  /** 1 where the inference logits' argmax is the label, 0 elsewhere, [batch]. */
  private Operand<TFloat32> hits(Ops eval) {
    return eval.dtypes.cast(
        eval.math.equal(eval.math.argMax(logits, eval.constant(1), TInt32.class), y),
        TFloat32.class);
  }

  /** {@code serving/input}, with the source's input shape. */
  private Placeholder<TFloat32> buildServingInput() {
    long[] dims = new long[source.getInputShapeCount() + 1];
    dims[0] = -1;
    for (int i = 0; i < source.getInputShapeCount(); i++) {
      dims[i + 1] = source.getInputShape(i);
    }
    return variables
        .scope("serving")
        .withName("input")
        .placeholder(TFloat32.class, Placeholder.shape(Shape.of(dims)));
  }

  /**
   * {@code serving/output}: a second inference pass on {@link #servingInput()} flattened and
   * transformed, through the source's output activation.
   */
  private Operand<TFloat32> buildServingOutput() {
    Ops serving = variables.scope("serving");
    Operand<TFloat32> flat =
        serving.reshape(servingInput, serving.constant(new long[] {-1, spec.inputSize()}));
    Operand<TFloat32> servingLogits =
        model
            .forward(
                variables, inputTransform(variables.scope("serving_input"), flat, source), null)
            .inference();
    return serving
        .withName("output")
        .identity(Activation.parse(source.getOutputActivation()).apply(serving, servingLogits));
  }

  /** A {@link Loader} for every float variable, all in the {@code load} scope. */
  private void buildLoaders() {
    // One scope for every loader: creating a sub-scope scans the whole graph in TensorFlow Java,
    // so a scope per variable would cost seconds on a large graph. Loader names are not API.
    Ops load = variables.scope("load");
    for (Map.Entry<String, Variable<?>> entry : variables.variables().entrySet()) {
      if (entry.getValue().type() == TFloat32.class) {
        @SuppressWarnings("unchecked")
        Variable<TFloat32> target = (Variable<TFloat32>) entry.getValue();
        String name = entry.getKey().replace('/', '.');
        Placeholder<TFloat32> value =
            load.withName(name + ".value")
                .placeholder(TFloat32.class, Placeholder.shape(target.shape()));
        loaders.put(
            entry.getKey(),
            new Loader(value, load.withName(name + ".assign").assign(target, value)));
      }
    }
  }

  /**
   * Feeding {@code value} and running {@code assign} overwrites one float variable; every float
   * variable has one, built with the graph, so that values can be loaded after a first save.
   *
   * @param value placeholder with the variable's shape
   * @param assign the assignment
   */
  public record Loader(Placeholder<TFloat32> value, Op assign) {}

  /** The loader of every float variable, by variable name. */
  public Map<String, Loader> loaders() {
    return java.util.Collections.unmodifiableMap(loaders);
  }

  /** {@code task}, after an assertion that every id is in [0, heads). */
  private Operand<TInt32> checkedTask(Ops tf) {
    AssertThat check = assertInRange(tf, "in_range", task, spec.heads(), "task ids");
    return tf.withControlDependencies(List.of(check)).withName("checked").identity(task);
  }

  /**
   * An assertion named {@code name} that every value of {@code ids} is in [0, {@code bound}), whose
   * message names {@code what} and shows the first values.
   */
  private static AssertThat assertInRange(
      Ops tf, String name, Operand<TInt32> ids, int bound, String what) {
    Operand<TBool> inRange =
        tf.reduceAll(
            tf.math.logicalAnd(
                tf.math.greaterEqual(ids, tf.constant(0)), tf.math.less(ids, tf.constant(bound))),
            tf.constant(0));
    return tf.withName(name)
        .assertThat(
            inRange,
            List.of(tf.constant(what + " must be in [0, " + bound + "), got"), ids),
            AssertThat.summarize(8L));
  }

  /**
   * {@code x · input_scale + input_offset} with the source's fixed input transform, or {@code x}
   * itself without one.
   */
  private static Operand<TFloat32> inputTransform(Ops tf, Operand<TFloat32> x, Source source) {
    if (source == null || source.getInputScaleCount() == 0) {
      return x;
    }
    float[] scale = new float[source.getInputScaleCount()];
    float[] offset = new float[source.getInputOffsetCount()];
    for (int i = 0; i < scale.length; i++) {
      scale[i] = source.getInputScale(i);
      offset[i] = source.getInputOffset(i);
    }
    return tf.withName("transformed")
        .math
        .add(tf.math.mul(x, tf.constant(scale)), tf.constant(offset));
  }

  /**
   * A second task boundary for {@code consolidate_with_data}: a copy of the ops {@code consolidate}
   * runs (those named in {@code boundaryOps}) that waits for every rule's estimate on the batch and
   * for the checks of the batch's labels and task ids.
   */
  private Operand<TInt32> consolidationAfterEstimates(
      OpCopier copier, Ops tf, Set<String> boundaryOps, MlpSpec spec, Operand<TInt32> checkedTask) {
    List<Op> before = new ArrayList<>();
    estimates.values().forEach(e -> before.add(e));
    if (checkedTask != null) {
      before.add(checkedTask); // Its assertion, for rules that estimate nothing.
    }
    before.add(assertInRange(tf, "labels_in_range", y, spec.classesPerHead(), "labels"));
    List<GraphOperation> ops =
        copier.ancestors(List.of(tasksConsolidated.op()), op -> !boundaryOps.contains(op.name()));
    Map<String, GraphOperation> copies =
        copier.copy(
            ops,
            graph,
            "consolidate_with_data/",
            output -> output,
            control -> control,
            before.stream().map(Op::op).toList());
    return copier.copied(copies, tasksConsolidated.asOutput()).expect(TInt32.class);
  }

  /** The names of every op {@code graph} holds now. */
  private static Set<String> operationNames(Graph graph) {
    Set<String> names = new HashSet<>();
    graph.operations().forEachRemaining(op -> names.add(op.name()));
    return names;
  }

  /**
   * The sum of the penalties times {@code scale} (none when null), named {@code penalty} in {@code
   * tf}'s scope; zero without any.
   */
  private static Operand<TFloat32> totalPenalty(
      Ops tf, List<Penalty.Term> penalties, Operand<TFloat32> scale) {
    if (penalties.isEmpty()) {
      return tf.withName("penalty").constant(0f);
    }
    List<Operand<TFloat32>> values = new ArrayList<>();
    penalties.forEach(term -> values.add(term.value()));
    return scale == null
        ? tf.withName("penalty").math.addN(values)
        : tf.withName("penalty").math.mul(scale, tf.math.addN(values));
  }

  /**
   * The product of the rules' {@link PenaltyScale}s, each built in its rule's scope from the state
   * before the step, or null when no rule scales penalties.
   */
  private Operand<TFloat32> penaltyScale(Ops tf) {
    Operand<TFloat32> scale = null;
    for (ConsolidationRule rule : rules) {
      if (rule instanceof PenaltyScale scaling) {
        Operand<TFloat32> s = scaling.penaltyScale(new PenaltyScale.Context(scopeOf(rule)));
        scale = scale == null ? s : tf.math.mul(scale, s);
      }
    }
    return scale;
  }

  /**
   * Opens every scope the graph names ops in, while the graph holds only the parameters: creating a
   * sub-scope reads the name of every op already in the graph in TensorFlow Java, so opening them
   * as they come costs time that grows with the square of the graph's size (0.1–0.2 s of a rule's
   * graph). The registry keeps each scope, so the names are the ones opening them later gives.
   */
  private void openScopes(List<? extends RuleConfig> ruleConfigs, List<Parameter> parameters) {
    List<String> owners = new ArrayList<>();
    ruleConfigs.forEach(r -> owners.add(r.name()));
    owners.add(optimizer.name());
    for (String owner : owners) {
      parameters.forEach(p -> variables.scope(owner + "/" + p.name()));
    }
    ruleConfigs.forEach(r -> variables.scope("estimate_" + r.name()));
    for (String scope :
        List.of(
            "task_check",
            "input",
            "heads",
            "model",
            "loss",
            "train_step",
            "consolidate",
            "estimate",
            "consolidate_with_data",
            "rebase",
            "evaluate",
            "predict",
            "serving",
            "serving_input",
            "state",
            "save_state",
            "load")) {
      variables.scope(scope);
    }
  }

  /** The scope a rule builds its hooks' ops in: its name, the first segment of its state. */
  private Ops scopeOf(ConsolidationRule rule) {
    return variables.scope(rule.config().name());
  }

  /** ∂y/∂θ for every parameter θ, in parameter order, built in the sub-scope {@code name}. */
  private static List<Operand<TFloat32>> gradients(
      Ops tf, String name, Operand<TFloat32> y, List<Parameter> parameters) {
    List<Operand<TFloat32>> xs = new ArrayList<>();
    parameters.forEach(p -> xs.add(p.variable()));
    Gradients dy = tf.withSubScope(name).gradients(y, xs);
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (int i = 0; i < xs.size(); i++) {
      out.add(dy.<TFloat32>dy(i));
    }
    return out;
  }

  /** The graph this training graph was built in. */
  public Graph graph() {
    return graph;
  }

  /** The model's architecture. */
  public MlpSpec spec() {
    return spec;
  }

  /** The optimizer's configuration. */
  public OptimizerConfig optimizer() {
    return optimizer;
  }

  /** The model's trainable parameters. */
  public List<Parameter> parameters() {
    return model.parameters();
  }

  /** The attached rules, in the order they were given. */
  public List<ConsolidationRule> rules() {
    return ImmutableList.copyOf(rules);
  }

  /** Every variable of the graph (weights, optimizer slots, rule state) by contract name. */
  public Map<String, Variable<?>> variables() {
    return new LinkedHashMap<>(variables.variables());
  }

  /**
   * The importance-estimation entry point of each {@link ConsolidationFromData} rule, by rule name:
   * evaluating {@code estimate/<rule>} with n examples in {@link #x()} (and {@link #task()}) and a
   * seed in {@link #estimateSeed()} adds the mean of their contributions to the rule's estimate,
   * example i with seed (seed, i); it outputs n.
   */
  public Map<String, Operand<TInt32>> estimates() {
    return java.util.Collections.unmodifiableMap(estimates);
  }

  /**
   * The importance-estimation entry points that take a batch of examples in one backward pass, for
   * the rules whose estimate has a closed form on this model; they add what {@link #estimates()}
   * adds for the same examples, seeds and weights.
   */
  public BatchEstimates batchEstimates() {
    return batchEstimates;
  }

  /**
   * Each estimating rule's per-example template, which the {@link #estimates()} loops copy; for
   * tests that compare the loops with the template run example by example.
   */
  Map<String, ExampleLoop.Template> templates() {
    return java.util.Collections.unmodifiableMap(templates);
  }

  /** {@code estimate/seed}: the int64 seed of an estimate; example i samples with (seed, i). */
  public Placeholder<TInt64> estimateSeed() {
    return estimateSeed;
  }

  /**
   * {@code consolidate_with_data} output: every rule's estimate on the examples in {@link #x()}
   * (labels {@link #y()}, heads {@link #task()}, seed {@link #estimateSeed()}), then a task
   * boundary; the number of boundaries so far, after this one.
   */
  public Operand<TInt32> consolidatedWithData() {
    return consolidatedWithData;
  }

  /** The {@code state} and {@code save} entry points. */
  public StateEntries state() {
    return state;
  }

  /** Input features [batch, inputSize]. */
  public Placeholder<TFloat32> x() {
    return x;
  }

  /** Labels [batch], each the class index within its head. */
  public Placeholder<TInt32> y() {
    return y;
  }

  /** Head index of each example [batch]; {@code null} for a single-head model. */
  public Placeholder<TInt32> task() {
    return task;
  }

  /** {@code train_step} output: mean cross-entropy of the batch, after the step has run. */
  public Operand<TFloat32> loss() {
    return loss;
  }

  /** {@code train_step} output: the sum of the rules' penalties, after the step has run. */
  public Operand<TFloat32> stepPenalty() {
    return stepPenalty;
  }

  /** The sum of the rules' penalties at the current weights, without training. */
  public Operand<TFloat32> penalty() {
    return penalty;
  }

  /** {@code consolidate} output: the number of task boundaries so far, after this one. */
  public Operand<TInt32> tasksConsolidated() {
    return tasksConsolidated;
  }

  /**
   * Restarts every rule's bookkeeping of the current task from the current parameters (see {@link
   * Rebase}); run it after overwriting parameters.
   */
  public Op rebase() {
    return rebase;
  }

  /** {@code evaluate} output: fraction of the batch classified correctly. */
  public Operand<TFloat32> accuracy() {
    return accuracy;
  }

  /** {@code evaluate} output: number of examples of the batch classified correctly. */
  public Operand<TFloat32> correct() {
    return correct;
  }

  /** {@code predict} output: softmax of the logits [batch, classesPerHead]. */
  public Operand<TFloat32> probabilities() {
    return probabilities;
  }

  /** Where an imported model came from, or {@code null} for a model made here. */
  public Source source() {
    return source;
  }

  /**
   * {@code serving/input}: the imported source's input, float32 [batch, {@code
   * source().getInputShapeList()}...], reshaped row-major to [batch, inputSize] before the model;
   * {@code null} without a source.
   */
  public Placeholder<TFloat32> servingInput() {
    return servingInput;
  }

  /**
   * {@code serving/output}: for {@link #servingInput()}, the logits passed through the source's
   * output activation, so probabilities for {@code softmax} and logits for {@code linear}, [batch,
   * classesPerHead]; {@code null} without a source.
   */
  public Operand<TFloat32> servingOutput() {
    return servingOutput;
  }

  /** {@code predict} output: logits of each example's head [batch, classesPerHead]. */
  public Operand<TFloat32> logits() {
    return logits;
  }
}
