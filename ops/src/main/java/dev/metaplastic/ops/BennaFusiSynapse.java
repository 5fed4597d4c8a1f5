package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import dev.metaplastic.ops.StateVariables.Slot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The Benna–Fusi complex synapse (Benna &amp; Fusi, "Computational principles of synaptic memory
 * consolidation", Nature Neuroscience 19, 2016), as Kaplanis, Shanahan &amp; Clopath ("Continual
 * reinforcement learning with complex synapses", ICML 2018) applied it to the parameters of a
 * network: integrated with one explicit Euler step of Δt = 1 per optimizer step.
 *
 * <p>Each synapse is a chain of N communicating "beakers" u<sub>1</sub> … u<sub>N</sub>: u<sub>1
 * </sub> is the visible weight θ (the model's parameter), u<sub>2</sub> … u<sub>N</sub> are hidden.
 * Beaker k has capacity C<sub>k</sub> = 2<sup>k−1</sup>; beakers k and k+1 are joined by a tube of
 * width g<sub>k,k+1</sub> = g<sub>12</sub> · 2<sup>−(k−1)</sup>, and the last beaker leaks to 0
 * through g<sub>N,N+1</sub>. The time constant C<sub>k</sub>/g<sub>k,k+1</sub> = 4<sup>k−1</sup>/g
 * <sub>12</sub> of beaker k thus grows geometrically, which makes a change of u<sub>1</sub> decay
 * roughly as a power law (1/√t) over the range of time constants instead of exponentially:
 *
 * <pre>
 *   C_1 du_1/dt = Δw_ext + g_12 (u_2 − u_1)
 *   C_k du_k/dt = g_{k−1,k} (u_{k−1} − u_k) + g_{k,k+1} (u_{k+1} − u_k),   k = 2..N,  u_{N+1} = 0
 * </pre>
 *
 * <p>The scaling C<sub>k</sub> = 2<sup>k−1</sup>, g<sub>k,k+1</sub> = g<sub>12</sub> 2<sup>
 * −(k−1)</sup> (capacities doubling, tubes halving, time constants growing by 4 per beaker) is the
 * one of van de Ven's implementation of Benna &amp; Fusi's model for deep learning
 * (github.com/GMvandeVen/complex-synapses, {@code complex_synapses.py}: C<sub>k</sub> = x<sup>k−1
 * </sup>, g<sub>k,k+1</sub> = g<sub>12</sub> x<sup>−(k−1)</sup>, here with x = 2), which this class
 * was checked against. The texts of Benna &amp; Fusi (2016) and Kaplanis et al. (2018) could not be
 * consulted when this was written, so no equation numbers are cited; the alternative g<sub>k,k+1
 * </sub> ∝ 2<sup>−2(k−1)</sup> (time constants growing by 8 per beaker) was considered and not
 * taken. Unlike van de Ven's code, which updates u<sub>k</sub> from the already updated u<sub>k−1
 * </sub>, every update here reads the values from before the step (plain explicit Euler).
 *
 * <p>For each governed parameter θ the rule keeps one variable, {@code
 * benna_fusi/<parameter>/chain} of shape [N−1, θ's shape], stacking u<sub>2</sub> … u<sub>N</sub>
 * (row 0 is u<sub>2</sub>). It starts at θ's initial value.
 *
 * <p>With every value taken before the step (no race with other rules), one optimizer step does:
 *
 * <ul>
 *   <li>u<sub>1</sub> through {@link #transformSteps}: the optimizer's step becomes step −
 *       (g<sub>12 </sub>/C<sub>1</sub>)(u<sub>2</sub> − θ), so θ ← θ − step +
 *       (g<sub>12</sub>/C<sub>1</sub>) (u<sub>2</sub> − θ) ({@link #transformedStep});
 *   <li>u<sub>2</sub> … u<sub>N</sub> in {@link #afterStep}, from u<sub>1</sub> before the step
 *       recovered as θ<sub>after</sub> − Δθ<sub>applied</sub> ({@link #nextHiddenChain}). It writes
 *       only the chain, never θ.
 * </ul>
 *
 * <p>The rule has no penalty and needs no task boundaries: the chain consolidates continuously, on
 * all its time scales at once. Because it transforms the optimizer's steps, it cannot be combined
 * with another rule that does.
 *
 * <p>Presets ({@link #DESCRIPTOR}): N = 8 and g<sub>12</sub> = 0.01 on every stream (g<sub>12</sub>
 * ∈ {0.1, 0.01, 0.001} swept with {@code metaplastic compare}; van de Ven's implementation uses
 * 0.1, {@link Config#REFERENCE_IMPLEMENTATION}).
 */
public final class BennaFusiSynapse extends AttachedRule<BennaFusiSynapse.Config>
    implements StepTransform, AfterStep, Rebase {
  /** Name of the rule, the first segment of its state variables. */
  public static final String NAME = "benna_fusi";

  /**
   * Longest chain accepted. Beaker k exchanges at most 3 g<sub>12</sub> 4<sup>−(k−1)</sup> of its
   * content per step, which for k ≥ 14 is below float32's resolution (2<sup>−24</sup>) even at g
   * <sub>12</sub> = 1: longer chains would only cost memory.
   */
  public static final int MAX_CHAIN_LENGTH = 16;

  /** The rule's hyperparameters and presets. */
  public static final RuleDescriptor<Config> DESCRIPTOR =
      RuleDescriptor.builder(NAME, h -> new Config(h.whole("chain_length"), h.real("coupling")))
          .hyperparameter(
              Hyperparameter.whole(
                  "chain_length",
                  8,
                  "number N of variables per synapse, the visible weight included, in [2, "
                      + MAX_CHAIN_LENGTH
                      + "]"))
          .hyperparameter(
              Hyperparameter.real(
                  "coupling", 0.01, "coupling g_12 of the visible weight to the chain, in (0, 1]"))
          .summary("Benna–Fusi synapse", "Benna & Fusi 2016", "`chain` u₂…u_N")
          .presetSource("swept g₁₂ ∈ {0.1, 0.01, 0.001} (van de Ven's code: 0.1)")
          .build();

  private final List<Variable<TFloat32>> chains;

  /**
   * Hyperparameters of the Benna–Fusi chain.
   *
   * @param chainLength number N of beakers per synapse, the visible weight included; 2 ≤ N ≤
   *     {@value #MAX_CHAIN_LENGTH}
   * @param coupling g<sub>12</sub>, the width of the tube between u<sub>1</sub> and u<sub>2</sub>,
   *     in (0, 1]: with Δt = 1 every Euler update is then a weighted average of the old values with
   *     non-negative weights (the largest rate is g<sub>12</sub>/C<sub>1</sub> = g<sub>12</sub> for
   *     u<sub>1</sub>, and 3 g<sub>12</sub>/4<sup>k−1</sup> ≤ 3/4 for u<sub>k</sub>, k ≥ 2), so the
   *     scheme is stable and never overshoots
   */
  public record Config(int chainLength, double coupling) implements RuleConfig {
    /**
     * The setting of van de Ven's implementation: N = 8 beakers (time constants 10 to about 164 000
     * steps), g<sub>12</sub> = 0.1.
     */
    public static final Config REFERENCE_IMPLEMENTATION = new Config(8, 0.1);

    public Config {
      checkArgument(
          chainLength >= 2 && chainLength <= MAX_CHAIN_LENGTH,
          "Benna-Fusi chain_length N must be an integer in [2, %s] (the visible weight and at least"
              + " one hidden variable), got %s",
          MAX_CHAIN_LENGTH,
          chainLength);
      checkArgument(
          coupling > 0 && coupling <= 1,
          "Benna-Fusi coupling g_12 must be in (0, 1] so that explicit Euler with one step per"
              + " optimizer step is stable, got %s",
          coupling);
    }

    @Override
    public RuleDescriptor<Config> descriptor() {
      return DESCRIPTOR;
    }

    @Override
    public Map<String, Double> hyperparameters() {
      return ImmutableMap.of("chain_length", (double) chainLength, "coupling", coupling);
    }

    @Override
    public ConsolidationRule attach(Attachment attachment) {
      return new BennaFusiSynapse(this, attachment.variables(), attachment.parameters());
    }

    @Override
    public String toString() {
      return describe();
    }
  }

  private BennaFusiSynapse(Config config, VariableRegistry variables, List<Parameter> parameters) {
    super(config, variables, NAME, parameters);
    checkArgument(!parameters.isEmpty(), "the Benna-Fusi synapse needs at least one parameter");
    StateVariables state = stateVariables();
    Slot chain =
        new Slot(
            "chain",
            (init, p) ->
                init.broadcastTo(p.initialValue(), init.constant(chainShape(p.shape()).asArray())));
    this.chains = state.perParameter(parameters, chain).get(0);
  }

  /** Capacity C<sub>k</sub> = 2<sup>k−1</sup> of beaker k (k = 1 is the visible weight). */
  static double capacity(int k) {
    return Math.scalb(1.0, k - 1);
  }

  /**
   * Width g<sub>k,k+1</sub> = g<sub>12</sub> · 2<sup>−(k−1)</sup> of the tube between beakers k and
   * k+1; g<sub>N,N+1</sub> is the leak of the last beaker to 0.
   */
  static double tube(double coupling, int k) {
    return Math.scalb(coupling, -(k - 1));
  }

  /**
   * The step applied to the visible weight u<sub>1</sub> = θ, from the Euler step of C<sub>1</sub>
   * du<sub>1</sub>/dt = Δw<sub>ext</sub> + g<sub>12</sub>(u<sub>2</sub> − u<sub>1</sub>) with Δt =
   * 1, written as θ ← θ − step′: step′ = step − (g<sub>12</sub>/C<sub>1</sub>)(u<sub>2</sub> − θ).
   * The optimizer's step plays −Δw<sub>ext</sub>; as in van de Ven's implementation it is not
   * divided by C<sub>1</sub> (= 1 here anyway).
   *
   * @param step the optimizer's proposed step
   * @param theta θ before the step
   * @param u2 the first hidden variable before the step
   * @param rate g<sub>12</sub>/C<sub>1</sub>
   */
  static Operand<TFloat32> transformedStep(
      Ops tf, Operand<TFloat32> step, Operand<TFloat32> theta, Operand<TFloat32> u2, float rate) {
    return tf.math.sub(step, tf.math.mul(tf.constant(rate), tf.math.sub(u2, theta)));
  }

  /**
   * The hidden chain u<sub>2</sub> … u<sub>N</sub> after one Euler step (Δt = 1) of C<sub>k</sub>
   * du<sub>k</sub>/dt = g<sub>k−1,k</sub>(u<sub>k−1</sub> − u<sub>k</sub>) + g<sub>k,k+1</sub>(u
   * <sub>k+1</sub> − u<sub>k</sub>), k = 2..N, u<sub>N+1</sub> = 0, evaluated as
   *
   * <pre>
   *   u_k ← a_k u_{k−1} + (1 − a_k − b_k) u_k + b_k u_{k+1},   a_k = g_{k−1,k}/C_k,  b_k = g_{k,k+1}/C_k
   * </pre>
   *
   * with every value taken before the step: one product of the [N−1, N] tridiagonal matrix of
   * {@link #transitionMatrix} with the chain [u<sub>1</sub>; u<sub>2</sub>; …; u<sub>N</sub>]
   * flattened to [N, size of θ]. (One pass over the chain; the same sums written with shifted
   * copies of the chain took twice as long.)
   *
   * @param chain u<sub>2</sub> … u<sub>N</sub> stacked on axis 0, shape [N−1, θ's shape]
   * @param u1 the visible weight before the step, θ's shape
   * @param transition {@link #transitionMatrix} as a constant
   * @param shape θ's shape
   */
  static Operand<TFloat32> nextHiddenChain(
      Ops tf,
      Operand<TFloat32> chain,
      Operand<TFloat32> u1,
      Operand<TFloat32> transition,
      Shape shape) {
    int hidden = (int) transition.shape().get(0);
    long size = shape.size();
    Operand<TFloat32> whole =
        tf.concat(
            List.of(
                tf.reshape(u1, tf.constant(new long[] {1, size})),
                tf.reshape(chain, tf.constant(new long[] {hidden, size}))),
            tf.constant(0));
    return tf.reshape(
        tf.linalg.matMul(transition, whole), tf.constant(shape.prepend(hidden).asArray()));
  }

  /**
   * The [N−1, N] matrix T of {@link #nextHiddenChain}, row r for beaker k = r + 2, column j for
   * beaker j + 1: T[r][r] = a<sub>k</sub>, T[r][r+1] = 1 − a<sub>k</sub> − b<sub>k</sub>, T[r][r+2]
   * = b<sub>k</sub> (absent for k = N: the leak to u<sub>N+1</sub> = 0).
   */
  static double[][] transitionMatrix(Config config) {
    int n = config.chainLength();
    double[][] t = new double[n - 1][n];
    for (int k = 2; k <= n; k++) {
      double a = tube(config.coupling(), k - 1) / capacity(k);
      double b = tube(config.coupling(), k) / capacity(k);
      t[k - 2][k - 2] = a;
      t[k - 2][k - 1] = 1 - a - b;
      if (k < n) {
        t[k - 2][k] = b;
      }
    }
    return t;
  }

  private Shape chainShape(Shape parameter) {
    return parameter.prepend(config.chainLength() - 1);
  }

  /** step − (g<sub>12</sub>/C<sub>1</sub>)(u<sub>2</sub> − θ) for each parameter. */
  @Override
  public List<Operand<TFloat32>> transformSteps(StepTransform.Context context) {
    Ops tf = context.tf();
    List<Operand<TFloat32>> steps = context.steps(parameters);
    float rate = (float) (tube(config.coupling(), 1) / capacity(1));
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      Operand<TFloat32> u2 = tf.gather(chains.get(i), tf.constant(0), tf.constant(0));
      out.add(transformedStep(tf, steps.get(i), parameters.get(i).variable(), u2, rate));
    }
    return out;
  }

  @Override
  public boolean needsAppliedUpdates() {
    return true;
  }

  /** Advances u<sub>2</sub> … u<sub>N</sub> by one Euler step; writes only the chain variables. */
  @Override
  public List<Op> afterStep(AfterStep.Context step) {
    List<Operand<TFloat32>> appliedUpdates = step.appliedUpdates();
    checkArgument(
        appliedUpdates.size() == parameters.size(),
        "expected %s applied updates, got %s",
        parameters.size(),
        appliedUpdates.size());
    Ops after = step.tf();
    double[][] matrix = transitionMatrix(config);
    float[] flat = new float[matrix.length * matrix[0].length];
    for (int r = 0; r < matrix.length; r++) {
      for (int j = 0; j < matrix[r].length; j++) {
        flat[r * matrix[r].length + j] = (float) matrix[r][j];
      }
    }
    Operand<TFloat32> transition =
        after.constant(
            Shape.of(matrix.length, matrix[0].length), DataBuffers.of(flat, true, false));
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      Parameter p = parameters.get(i);
      Operand<TFloat32> u1Before = after.math.sub(p.variable(), appliedUpdates.get(i));
      ops.add(
          after.assign(
              chains.get(i),
              nextHiddenChain(after, chains.get(i), u1Before, transition, p.shape())));
    }
    return ops;
  }

  /**
   * u<sub>2</sub> … u<sub>N</sub> ← θ: imported weights become the chain's steady state (up to the
   * slow leak of the last beaker), so they are neither pulled back to older values nor treated as a
   * fresh perturbation.
   */
  @Override
  public List<Op> rebase(Rebase.Context context) {
    Ops tf = context.tf();
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      Parameter p = parameters.get(i);
      ops.add(
          tf.assign(
              chains.get(i),
              tf.broadcastTo(p.variable(), tf.constant(chainShape(p.shape()).asArray()))));
    }
    return ops;
  }
}
