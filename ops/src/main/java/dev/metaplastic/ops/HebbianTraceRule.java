package dev.metaplastic.ops;

import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Differentiable Hebbian plasticity with the plain decaying trace (Miconi, Clune &amp; Stanley,
 * "Differentiable plasticity: training plastic neural networks with backpropagation", ICML 2018),
 * registered as {@value #NAME}.
 *
 * <ul>
 *   <li>output, eq. (1) before σ: pre·W + pre·(α ⊙ Hebb);
 *   <li>trace, eq. (2): Hebb ← (1 − η) Hebb + η · pre ⊗ post ({@link
 *       HebbianPlasticity#plainUpdate}).
 * </ul>
 *
 * <p>Learned: {@code hebbian/<parameter>/alpha} α [in, out], uniform in [0, {@value #ALPHA_SCALE})
 * from stateless stream {@value #ALPHA_STREAM}; {@code hebbian/<parameter>/eta} η, a scalar
 * starting at {@value #INITIAL_ETA}.
 */
public final class HebbianTraceRule extends HebbianTraceConnection {
  /** The rule's name, the first segment of its coefficients' names. */
  public static final String NAME = "hebbian";

  /** Upper bound of the uniform initial α (also Oja's and Backpropamine's). */
  public static final double ALPHA_SCALE = 0.1;

  /** Initial value of the learned η. */
  public static final double INITIAL_ETA = 0.1;

  /** Index of the stateless random stream α is drawn from. */
  public static final int ALPHA_STREAM = 3;

  /** The rule as {@link Rules} lists it. */
  public static final FastWeightRuleDescriptor DESCRIPTOR =
      new FastWeightRuleDescriptor(
          NAME,
          HebbianTraceRule::new,
          false,
          Map.of(),
          Optional.empty(),
          new RuleSummary(
              "Hebbian trace", "Miconi, Clune & Stanley 2018", "`trace`, learned `alpha`, `eta`"));

  /** Creates α and η for the connection of {@code at}. */
  public HebbianTraceRule(Attachment at) {
    super(NAME, at);
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Eq. (2): Hebb ← (1 − η) Hebb + η · pre ⊗ post; the pre-activation is not used. */
  @Override
  public Operand<TFloat32> nextTrace(Step s) {
    return HebbianPlasticity.plainUpdate(s.tf(), s.trace(), s.pre(), s.post(), eta.variable());
  }
}
