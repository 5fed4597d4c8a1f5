package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.SwitchCond;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.linalg.SelfAdjointEig;
import org.tensorflow.op.math.Cumsum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Gradient Projection Memory (Saha, Garg &amp; Roy, "Gradient Projection Memory for Continual
 * Learning", ICLR 2021): after each task, every dense layer remembers the subspace its inputs
 * spanned on that task, and later steps may only move the layer's weights orthogonally to it, so
 * the layer's response to inputs of past tasks stays what it was.
 *
 * <p>A dense layer computes z = x·W + b = a·[W; b] with the augmented input a = [x, 1]. If a step
 * ΔW, Δb satisfies a·[ΔW; Δb] = 0 for an input a, that input's pre-activation does not change. With
 * P the orthogonal projection onto the span of past tasks' augmented inputs, the rule replaces the
 * optimizer's step S = [ΔW; Δb] (shape [in + 1, out]) of every layer by
 *
 * <pre>
 *   S ← S − P·S                                   (the paper's gradient projection, on the step)
 * </pre>
 *
 * which the paper applies to the gradient before SGD; applied to the optimizer's final step it
 * holds exactly for Adam too. P = U_k·U_kᵀ for the orthonormal basis U_k [in + 1, k] of the
 * protected subspace (the paper's basis M), so the step is computed as S − U_k·(U_kᵀ·S), 2·(in +
 * 1)·k·out multiply-adds instead of (in + 1)²·out, while 2k ≤ in + 1, and as S − P·S above. Folding
 * the bias in as the constant input 1 is our extension: the paper's networks have no biases, and a
 * free bias would shift every past input's pre-activation.
 *
 * <p>At a task boundary the rule estimates the task's input correlation C = 1/N Σ_k a_k a_kᵀ from N
 * training examples and grows P until it keeps a fraction ε (the threshold) of the task's input
 * energy tr(C) (the paper's threshold criterion on the representation's energy): with Ĉ = (I −
 * P)·C·(I − P) the part P does not capture and λ_1 ≥ λ_2 ≥ … its eigenvalues with eigenvectors v_i,
 * the smallest m with
 *
 * <pre>
 *   tr(P·C) + Σ_{i ≤ m} λ_i ≥ ε · tr(C)
 * </pre>
 *
 * is chosen, P ← P + Σ_{i ≤ m} v_i v_iᵀ, v_1 … v_m become the basis' rows k + 1 … k + m and k ← k +
 * m. (The paper takes the SVD of the representation matrix R = [a_1 … a_N]; the eigenvectors of
 * R·Rᵀ are its left singular vectors and the eigenvalues its squared singular values, so the
 * criterion is the same.) ε near 1 protects past tasks most and leaves new tasks the least room.
 *
 * <p>The estimator needs each example's augmented input a. On a model of plain dense layers it
 * takes them from the layers' inputs, a batch at a time ({@link BatchEstimator}). Fed one example
 * at a time, it recovers a from the per-example gradients the training graph hands every estimator:
 * for any scalar objective, one example's gradient is G = [∂/∂W; ∂/∂b] = a·δᵀ with δ =
 * ∂objective/∂z, so G·δ = a‖δ‖² and a = G·g_b/‖g_b‖² with g_b = δ the bias gradient. The objective
 * is a seeded random-normal combination of the logits, whose δ vanishes at a layer only when no
 * unit between it and the output is active (or at the head of another task); such an example adds
 * nothing there, in a batch too.
 *
 * <p>The rule governs whole dense layers, which it takes from the model ({@link
 * RuleConfig.Attachment#denseLayers()}): every governed parameter must be the kernel or the bias of
 * one of them, and a layer's kernel and bias are governed together. State, for each governed layer,
 * named on its kernel {@code <kernel>} (such as {@code dense_0/kernel}): {@code
 * gpm/<kernel>/projection} P [in + 1, in + 1]; {@code gpm/<kernel>/representation} C [in + 1, in +
 * 1], the running estimate of the task being consolidated (cleared by {@link #consolidate} and
 * {@link #rebase}); {@code gpm/<kernel>/basis} Uᵀ [in + 1, in + 1], whose first k rows are the
 * orthonormal basis and the others zero; and {@code gpm/<kernel>/rank} k, a float scalar. A file
 * written before the basis was state holds only P; the basis is derived from it when it loads
 * ({@link #derive}). The rule has no penalty and needs no bookkeeping during training; it
 * transforms the steps, so it cannot be combined with another step-transforming rule.
 *
 * <p>Presets ({@link #DESCRIPTOR}): ε = 0.97 on every stream (ε ∈ {0.9, 0.95, 0.97, 0.99, 0.999}
 * swept on the {@code continue} protocol; the README gives the runs), inputs from 512 examples.
 */
public final class GradientProjectionMemory
    implements StepTransform, ConsolidationFromData, Rebase, DerivedState {
  /** Name of the rule, the first segment of its state variables. */
  public static final String NAME = "gpm";

  /** The rule's hyperparameters and presets. */
  public static final RuleDescriptor<Config> DESCRIPTOR =
      RuleDescriptor.builder(NAME, h -> new Config(h.real("threshold"), h.whole("samples")))
          .hyperparameter(
              Hyperparameter.real(
                  "threshold",
                  0.97,
                  "threshold epsilon in (0, 1]: the share of each task's input energy whose"
                      + " subspace is protected"))
          .hyperparameter(
              Hyperparameter.whole(
                  "samples", 512, "examples of each task whose inputs are collected, >= 1"))
          .summary(
              "Gradient Projection Memory",
              "Saha, Garg & Roy 2021",
              "per dense kernel: `projection` P, `representation` C, `basis` U and its `rank` k")
          .presetSource(
              "swept ε ∈ {0.9, 0.95, 0.97, 0.99, 0.999} on the Keras continue protocol; inputs"
                  + " from 512 examples")
          .build();

  /** Eigenvalues below this fraction of tr(C) are numerical noise and never enter P. */
  static final double NOISE_FLOOR = 1e-9;

  /** Name of the state that holds an orthonormal basis of P's range in its first k rows. */
  static final String BASIS = "basis";

  /** Name of the state that holds k, the dimension of P's range. */
  static final String RANK = "rank";

  private final Config config;
  private final List<Parameter> parameters;
  private final List<Layer> layers = new ArrayList<>();
  private final List<StateVariable> state;

  /**
   * Hyperparameters of gradient projection memory.
   *
   * @param threshold ε in (0, 1]: the fraction of each task's input energy the protected subspace
   *     must keep
   * @param samples training examples whose inputs are collected at each boundary, ≥ 1
   */
  public record Config(double threshold, int samples) implements RuleConfig {
    public Config {
      checkArgument(
          threshold > 0 && threshold <= 1, "GPM threshold must be in (0, 1], got %s", threshold);
      checkArgument(samples >= 1, "GPM samples must be >= 1, got %s", samples);
    }

    @Override
    public RuleDescriptor<Config> descriptor() {
      return DESCRIPTOR;
    }

    @Override
    public Map<String, Double> hyperparameters() {
      return ImmutableMap.of("threshold", threshold, "samples", (double) samples);
    }

    @Override
    public ConsolidationRule attach(Attachment attachment) {
      return new GradientProjectionMemory(this, attachment);
    }

    @Override
    public String toString() {
      return describe();
    }
  }

  /**
   * A dense layer's kernel [in, out] and bias [out], by index into the governed parameters, and its
   * state.
   */
  private record Layer(
      int kernel,
      int bias,
      long inputs,
      Variable<TFloat32> projection,
      Variable<TFloat32> representation,
      Variable<TFloat32> basis,
      Variable<TFloat32> rank) {}

  private GradientProjectionMemory(Config config, RuleConfig.Attachment attachment) {
    this.config = config;
    this.parameters = attachment.parameters();
    StateVariables state = new StateVariables(attachment.variables(), NAME);
    for (int i = 0; i < parameters.size(); i++) {
      Parameter p = parameters.get(i);
      DenseLayer layer = layerOf(p, attachment.denseLayers());
      if (!p.equals(layer.kernel())) {
        checkArgument(
            parameters.contains(layer.kernel()),
            "GPM governs whole dense layers: bias %s is governed without its kernel %s",
            p.name(),
            layer.kernel().name());
        continue;
      }
      int bias = parameters.indexOf(layer.bias());
      checkArgument(
          bias >= 0,
          "GPM governs whole dense layers: kernel %s is governed without its bias %s",
          p.name(),
          layer.bias().name());
      long inputs = layer.inputs() + 1;
      Ops init = state.init();
      Operand<TFloat32> zeros = InitialValue.zeros(init, Shape.of(inputs, inputs)).value();
      Variable<TFloat32> projection = state.create(p.name(), "projection", zeros);
      Variable<TFloat32> representation = state.create(p.name(), "representation", zeros);
      Variable<TFloat32> basis = state.create(p.name(), BASIS, zeros);
      Variable<TFloat32> rank =
          state.create(p.name(), RANK, InitialValue.zeros(init, Shape.scalar()).value());
      layers.add(new Layer(i, bias, inputs, projection, representation, basis, rank));
    }
    this.state = state.recorded();
  }

  /**
   * The dense layer whose kernel or bias {@code parameter} is.
   *
   * @throws IllegalArgumentException if it is in none of {@code layers}
   */
  private static DenseLayer layerOf(Parameter parameter, List<DenseLayer> layers) {
    for (DenseLayer layer : layers) {
      if (parameter.equals(layer.kernel()) || parameter.equals(layer.bias())) {
        return layer;
      }
    }
    throw new IllegalArgumentException(
        String.format(
            "GPM governs the model's plain dense layers (a kernel [in, out] and its bias [out]);"
                + " %s of shape %s is in none of them (a binarized network, whose layers end in"
                + " batch normalization instead, cannot use GPM)",
            parameter.name(), parameter.shape()));
  }

  @Override
  public Config config() {
    return config;
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  public List<StateVariable> state() {
    return state;
  }

  /** S ← S − U_k·(U_kᵀ·S) = S − P·S on every layer's augmented step S = [ΔW; Δb]. */
  @Override
  public List<Operand<TFloat32>> transformSteps(StepTransform.Context context) {
    Ops ops = context.tf();
    List<Operand<TFloat32>> steps = context.steps(parameters);
    List<Operand<TFloat32>> out = new ArrayList<>(steps);
    for (Layer layer : layers) {
      Operand<TFloat32> step = augment(ops, steps.get(layer.kernel()), steps.get(layer.bias()));
      Operand<TFloat32> kept = project(ops, layer.projection(), layer.basis(), layer.rank(), step);
      long in = layer.inputs() - 1;
      long width = parameters.get(layer.kernel()).shape().get(1);
      out.set(
          layer.kernel(),
          ops.slice(kept, ops.constant(new long[] {0, 0}), ops.constant(new long[] {in, width})));
      out.set(
          layer.bias(),
          ops.reshape(
              ops.slice(
                  kept, ops.constant(new long[] {in, 0}), ops.constant(new long[] {1, width})),
              ops.constant(new long[] {width})));
    }
    return out;
  }

  /**
   * S − P·S = S − U_k·(U_kᵀ·S), with U_kᵀ the first k rows of the basis: the product with U_k costs
   * 2·(in + 1)·k·out multiply-adds, the one with P (in + 1)²·out, so U_k serves while 2k ≤ in + 1
   * and P above. Only the branch taken runs (a switch on k, the same for every step between two
   * boundaries, so training stays deterministic).
   */
  static Operand<TFloat32> project(
      Ops ops,
      Operand<TFloat32> projection,
      Operand<TFloat32> basis,
      Operand<TFloat32> rank,
      Operand<TFloat32> augmented) {
    long n = projection.shape().get(0);
    Operand<TInt32> k = ops.dtypes.cast(rank, TInt32.class);
    Operand<TBool> lowRank = ops.math.lessEqual(k, ops.constant((int) (n / 2)));
    SwitchCond<TFloat32> step = ops.switchCond(augmented, lowRank);
    Operand<TFloat32> onBasis = ops.switchCond(basis, lowRank).outputTrue();
    // U_kᵀ: the first k rows of the row-major basis, a slice that copies nothing.
    Operand<TFloat32> rows =
        ops.slice(onBasis, ops.constant(new int[] {0, 0}), ops.stack(List.of(k, ops.constant(-1))));
    Operand<TFloat32> coordinates = ops.linalg.matMul(rows, step.outputTrue());
    Operand<TFloat32> viaBasis =
        ops.math.sub(
            step.outputTrue(), ops.linalg.matMul(rows, coordinates, MatMul.transposeA(true)));
    Operand<TFloat32> viaProjection =
        ops.math.sub(step.outputFalse(), ops.linalg.matMul(projection, step.outputFalse()));
    return ops.merge(List.of(viaBasis, viaProjection)).output();
  }

  /** [K; b] of a kernel K [in, out] and a bias b [out]: shape [in + 1, out]. */
  static Operand<TFloat32> augment(Ops ops, Operand<TFloat32> kernel, Operand<TFloat32> bias) {
    return ops.concat(List.of(kernel, ops.expandDims(bias, ops.constant(0))), ops.constant(0));
  }

  @Override
  public BatchEstimator estimator() {
    return new InputCollector();
  }

  /**
   * Collects C = Σ_k w_k a_k a_kᵀ: one example at a time from its gradients (see the class
   * Javadoc), or a batch at a time from the layers' inputs themselves, each where its δ does not
   * vanish.
   */
  private final class InputCollector implements BatchEstimator {
    @Override
    public int samples() {
      return config.samples();
    }

    /** A random-normal combination r·z of the logits z, r drawn from the example's seed. */
    @Override
    public Operand<TFloat32> objective(Example example) {
      return randomCombination(example.tf(), example.logits(), example.seed());
    }

    @Override
    public List<Op> accumulate(ExampleGradients example) {
      Ops ops = example.tf();
      List<Operand<TFloat32>> gradients = example.gradients();
      Operand<TFloat32> weight = example.weight();
      checkOnePerParameter(gradients.size());
      List<Op> out = new ArrayList<>();
      for (Layer layer : layers) {
        Operand<TFloat32> input =
            augmentedInput(ops, gradients.get(layer.kernel()), gradients.get(layer.bias()));
        Operand<TFloat32> outer = ops.linalg.matMul(input, input, MatMul.transposeA(true));
        out.add(ops.assignAdd(layer.representation(), ops.math.mul(weight, outer)));
      }
      return out;
    }

    /**
     * A random-normal combination of each row's logits, all rows' coefficients drawn from the first
     * row's seed: only whether an example's δ vanishes at a layer matters here, and for
     * coefficients drawn from a continuous distribution that is, with probability 1, whether it
     * vanishes under the example's own coefficients.
     */
    @Override
    public Operand<TFloat32> batchObjective(Batch batch) {
      Ops ops = batch.tf();
      return randomCombination(
          ops, batch.logits(), ops.gather(batch.seeds(), ops.constant(0), ops.constant(0)));
    }

    /**
     * C ← C + Σ_k w_k m_k a_k a_kᵀ = C + aᵀ·(w ⊙ m ⊙ a), with a the layer's augmented inputs [N, in
     * + 1] and m_k = 1 where example k's δ at the layer is nonzero, as where its input can be
     * recovered from its gradients one example at a time.
     */
    @Override
    public List<Op> accumulateBatch(BatchGradients batch) {
      Ops ops = batch.tf();
      List<PerExampleGradients> gradients = batch.gradients();
      Operand<TFloat32> weights = batch.weights();
      checkOnePerParameter(gradients.size());
      List<Op> out = new ArrayList<>();
      for (Layer layer : layers) {
        PerExampleGradients kernel = gradients.get(layer.kernel());
        Operand<TFloat32> reached =
            ops.dtypes.cast(
                ops.math.greater(
                    ops.reduceSum(ops.math.square(kernel.delta()), ops.constant(1)),
                    ops.constant(0f)),
                TFloat32.class);
        Operand<TFloat32> column = ops.expandDims(ops.math.mul(weights, reached), ops.constant(1));
        Operand<TFloat32> augmented =
            ops.concat(
                List.of(kernel.input(), ops.onesLike(ops.expandDims(weights, ops.constant(1)))),
                ops.constant(1));
        Operand<TFloat32> correlation =
            ops.linalg.matMul(augmented, ops.math.mul(augmented, column), MatMul.transposeA(true));
        out.add(ops.assignAdd(layer.representation(), correlation));
      }
      return out;
    }

    private void checkOnePerParameter(int gradients) {
      checkArgument(
          gradients == parameters.size(),
          "expected %s gradients, one per governed parameter, got %s",
          parameters.size(),
          gradients);
    }

    /** Σ r ⊙ z with r random normal of z's shape, drawn from {@code seed}. */
    private Operand<TFloat32> randomCombination(
        Ops ops, Operand<TFloat32> logits, Operand<TInt64> seed) {
      Operand<TFloat32> weights =
          ops.stopGradient(
              ops.random.statelessRandomNormal(
                  ops.shape(logits, TInt64.class), seed, TFloat32.class));
      return Reductions.sumAll(ops, ops.math.mul(weights, logits));
    }
  }

  /**
   * One example's augmented input a = G·g_b / ‖g_b‖² as a row [1, in + 1], from its gradients G_W
   * [in, out] and g_b [out]; zero when g_b = 0.
   */
  static Operand<TFloat32> augmentedInput(
      Ops ops, Operand<TFloat32> kernelGradient, Operand<TFloat32> biasGradient) {
    Operand<TFloat32> g = augment(ops, kernelGradient, biasGradient);
    Operand<TFloat32> delta = ops.expandDims(biasGradient, ops.constant(1));
    Operand<TFloat32> energy = Reductions.sumAll(ops, ops.math.square(biasGradient));
    Operand<TFloat32> column = ops.math.divNoNan(ops.linalg.matMul(g, delta), energy);
    return ops.linalg.transpose(column, ops.constant(new int[] {1, 0}));
  }

  /**
   * For every layer, P ← P + Σ_{i ≤ m} v_i v_iᵀ with the criterion of the class Javadoc (in double
   * precision), the basis gains v_1 … v_m as its rows k + 1 … k + m and k ← k + m, then C ← 0. A
   * layer that saw no input of the task (C = 0, such as the head of another task) keeps P, U and k
   * without an eigendecomposition, as the criterion would (it chooses nothing when tr(C) = 0).
   */
  @Override
  public List<Op> consolidate(Consolidation.Context context) {
    Ops ops = context.tf();
    List<Op> out = new ArrayList<>();
    for (Layer layer : layers) {
      Operand<TBool> seen =
          ops.math.greater(
              Reductions.sumAll(ops, ops.linalg.tensorDiagPart(layer.representation())),
              ops.constant(0f));
      Growth grown =
          grow(
              ops,
              layer.projection(),
              ops.switchCond(layer.representation(), seen).outputTrue(),
              layer.basis(),
              layer.rank(),
              config.threshold());
      List<Op> assigns =
          List.of(
              ops.assign(
                  layer.projection(),
                  grownOrKept(ops, grown.projection(), layer.projection(), seen)),
              ops.assign(
                  layer.basis(), grownOrKept(ops, grown.basis().rows(), layer.basis(), seen)),
              ops.assign(layer.rank(), grownOrKept(ops, grown.basis().rank(), layer.rank(), seen)));
      out.addAll(assigns);
      out.add(
          ops.withControlDependencies(assigns)
              .assign(layer.representation(), ops.zerosLike(layer.representation())));
    }
    return out;
  }

  /** {@code grown} where {@code seen} holds (it runs only then), else the state as it is. */
  private static Operand<TFloat32> grownOrKept(
      Ops ops, Operand<TFloat32> grown, Operand<TFloat32> state, Operand<TBool> seen) {
    return ops.merge(List.of(grown, ops.switchCond(state, seen).outputFalse())).output();
  }

  /** A basis Uᵀ [in + 1, in + 1] whose first k rows are orthonormal and the rest zero, and k. */
  record Basis(Operand<TFloat32> rows, Operand<TFloat32> rank) {}

  /** A layer's projection P and basis after a boundary. */
  record Growth(Operand<TFloat32> projection, Basis basis) {}

  /**
   * P, U and k after one boundary, from P, the task's C, U, k and the threshold ε: the eigenvectors
   * v_1 … v_m of (I − P)·C·(I − P) = (I − U_k·U_kᵀ)·C·(I − U_k·U_kᵀ) (in double precision) that the
   * criterion of the class Javadoc chooses, largest eigenvalue first, join P as Σ v_i v_iᵀ and U as
   * its rows k + 1 … k + m.
   */
  static Growth grow(
      Ops ops,
      Operand<TFloat32> projection,
      Operand<TFloat32> correlation,
      Operand<TFloat32> basis,
      Operand<TFloat32> rank,
      double threshold) {
    Operand<TFloat64> p = ops.dtypes.cast(projection, TFloat64.class);
    Operand<TFloat64> c = ops.dtypes.cast(correlation, TFloat64.class);
    Operand<TFloat64> total = Reductions.sumAll(ops, ops.linalg.tensorDiagPart(c));
    Operand<TFloat64> captured = Reductions.sumAll(ops, ops.math.mul(p, c));
    Operand<TInt32> k = ops.dtypes.cast(rank, TInt32.class);
    Operand<TInt32> n =
        ops.gather(ops.shape(basis, TInt32.class), ops.constant(0), ops.constant(0));
    Operand<TInt32> origin = ops.constant(new int[] {0, 0});
    Operand<TFloat32> protectedRows = ops.slice(basis, origin, ops.stack(List.of(k, n)));
    // (I − P)·C·(I − P) with P = U_k·U_kᵀ: 8·(in + 1)²·k multiply-adds instead of 4·(in + 1)³.
    Operand<TFloat64> ut = ops.dtypes.cast(protectedRows, TFloat64.class);
    Operand<TFloat64> outside =
        ops.math.sub(c, ops.linalg.matMul(ut, ops.linalg.matMul(ut, c), MatMul.transposeA(true)));
    Operand<TFloat64> residual =
        ops.math.sub(
            outside,
            ops.linalg.matMul(ops.linalg.matMul(outside, ut, MatMul.transposeB(true)), ut));
    Eigenpairs eigen = descending(ops, residual);
    Operand<TFloat64> before =
        ops.math.add(
            captured, ops.math.cumsum(eigen.values(), ops.constant(0), Cumsum.exclusive(true)));
    Operand<TFloat64> target = ops.math.mul(total, ops.constant(threshold));
    Operand<TFloat64> floor = ops.math.mul(total, ops.constant(NOISE_FLOOR));
    // The criterion chooses a prefix of the eigenpairs (largest first): v_1 … v_m.
    Operand<TInt32> m =
        Reductions.sumAll(
            ops,
            ops.dtypes.cast(
                ops.math.logicalAnd(
                    ops.math.less(before, target), ops.math.greater(eigen.values(), floor)),
                TInt32.class));
    Operand<TFloat64> chosen = ops.slice(eigen.vectors(), origin, ops.stack(List.of(n, m)));
    Operand<TFloat64> added = ops.linalg.matMul(chosen, chosen, MatMul.transposeB(true));
    Operand<TFloat32> grownProjection = ops.dtypes.cast(ops.math.add(p, added), TFloat32.class);
    Operand<TFloat32> grownBasis =
        ops.concat(
            List.of(
                protectedRows,
                ops.dtypes.cast(
                    ops.linalg.transpose(chosen, ops.constant(new int[] {1, 0})), TFloat32.class),
                ops.fill(
                    ops.stack(List.of(ops.math.sub(ops.math.sub(n, k), m), n)), ops.constant(0f))),
            ops.constant(0));
    Operand<TFloat32> grownRank = ops.dtypes.cast(ops.math.add(k, m), TFloat32.class);
    return new Growth(grownProjection, new Basis(grownBasis, grownRank));
  }

  /** Eigenvalues of a symmetric matrix, largest first, and their eigenvectors as columns. */
  private record Eigenpairs(Operand<TFloat64> values, Operand<TFloat64> vectors) {}

  private static Eigenpairs descending(Ops ops, Operand<TFloat64> symmetric) {
    SelfAdjointEig<TFloat64> eig =
        ops.linalg.selfAdjointEig(symmetric, SelfAdjointEig.computeV(true));
    // SelfAdjointEig gives them in ascending order.
    return new Eigenpairs(
        ops.reverse(eig.e(), ops.constant(new int[] {0})),
        ops.reverse(eig.v(), ops.constant(new int[] {1})));
  }

  /**
   * The basis Uᵀ (first k rows) and the rank k of a projection P = U·Uᵀ, for a file written before
   * the basis was state: P's eigenvectors of eigenvalue 1 (above ½; the others are 0), largest
   * first, computed in double precision. They span what the stored basis would have, but are
   * another orthonormal basis of it.
   */
  static Basis basisOf(Ops ops, Operand<TFloat32> projection) {
    Eigenpairs eigen = descending(ops, ops.dtypes.cast(projection, TFloat64.class));
    Operand<TFloat64> kept =
        ops.dtypes.cast(ops.math.greater(eigen.values(), ops.constant(0.5)), TFloat64.class);
    return new Basis(
        ops.dtypes.cast(
            ops.linalg.transpose(
                ops.math.mul(eigen.vectors(), kept), ops.constant(new int[] {1, 0})),
            TFloat32.class),
        ops.dtypes.cast(Reductions.sumAll(ops, kept), TFloat32.class));
  }

  /**
   * For a file written before the basis was state: each layer's basis and rank from its stored
   * projection ({@link #basisOf}).
   */
  @Override
  public Map<String, Operand<TFloat32>> derive(Ops tf, Function<String, Operand<TFloat32>> stored) {
    Map<String, Operand<TFloat32>> derived = new LinkedHashMap<>();
    for (Layer layer : layers) {
      Basis basis = basisOf(tf, stored.apply(layer.projection().op().name()));
      derived.put(layer.basis().op().name(), basis.rows());
      derived.put(layer.rank().op().name(), basis.rank());
    }
    return derived;
  }

  /** Clears the estimate in progress; the projection and basis of past tasks stay. */
  @Override
  public List<Op> rebase(Rebase.Context context) {
    Ops tf = context.tf();
    List<Op> out = new ArrayList<>();
    for (Layer layer : layers) {
      out.add(tf.assign(layer.representation(), tf.zerosLike(layer.representation())));
    }
    return out;
  }
}
