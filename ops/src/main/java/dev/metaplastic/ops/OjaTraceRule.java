package dev.metaplastic.ops;

import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Differentiable plasticity with Oja's rule as the trace update, the alternative Miconi, Clune
 * &amp; Stanley (ICML 2018) give to their eq. (2) (after Oja 1982), registered as {@value #NAME}.
 *
 * <ul>
 *   <li>output, eq. (1) before σ: pre·W + pre·(α ⊙ Hebb);
 *   <li>trace: Hebb_ij ← Hebb_ij + η post_j (pre_i − post_j Hebb_ij) ({@link
 *       HebbianPlasticity#ojaUpdate}), bounded without a separate decay.
 * </ul>
 *
 * <p>Learned, with the initial values of {@link HebbianTraceRule}: {@code oja/<parameter>/alpha}
 * and {@code oja/<parameter>/eta} (under {@code hebbian/} in manifests before format 5).
 */
public final class OjaTraceRule extends HebbianTraceConnection {
  /** The rule's name, the first segment of its coefficients' names. */
  public static final String NAME = "oja";

  /** The rule as {@link Rules} lists it. */
  public static final FastWeightRuleDescriptor DESCRIPTOR =
      new FastWeightRuleDescriptor(
          NAME,
          OjaTraceRule::new,
          false,
          Map.of(),
          Optional.of(HebbianTraceRule.NAME),
          new RuleSummary(
              "Oja trace", "Miconi, Clune & Stanley 2018", "`trace`, learned `alpha`, `eta`"));

  /** Creates α and η for the connection of {@code at}. */
  public OjaTraceRule(Attachment at) {
    super(NAME, at);
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Oja: Hebb ← Hebb + η post ⊙ (pre − post ⊙ Hebb); the pre-activation is not used. */
  @Override
  public Operand<TFloat32> nextTrace(Step s) {
    return HebbianPlasticity.ojaUpdate(s.tf(), s.trace(), s.pre(), s.post(), eta.variable());
  }
}
