package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Any subset of the four {@link Modulator}s gating one fast-weight trace ("many-to-one"), with the
 * running state they share. After each outcome with prediction error δ = r − V ({@link Dopamine}):
 *
 * <pre>
 *   f ← f + β_fast (δ² − f),  u ← u + β_slow (δ² − u),  ν = max(0, f − u)/(f + ε)
 *   s ← s + β_5HT (max(0, −δ) − s)
 *   η_t = η · (1 + κ_NA ν)[NA] · 1/(1 + κ_ACh u)[ACh]                 the trace's rate
 *   M_t = δ [DA], else 1                                              its third factor
 *   k_t = (1 − ρ ν)[NA] · (1 − η_t)[no DA]                            the share of the trace kept
 *   Hebb ← clip(k_t · Hebb + η_t · M_t · pre ⊗ post, −c, c)
 * </pre>
 *
 * and, before the next action, serotonin lowers the evidence for responding by κ_5HT · s. A factor
 * marked [X] is 1 unless modulator X acts. With no modulator the rule is Miconi et al.'s plain
 * Hebbian trace (2018), Hebb ← (1 − η) Hebb + η · pre ⊗ post; with dopamine alone it is
 * Backpropamine's simple neuromodulated trace (Miconi et al. 2019, eq. 2) with M = η δ. The state
 * (f, u, s) is tracked whichever modulators act, so switching one on or off changes only its gate.
 * The equations of each modulator are in its own class: {@link Dopamine}, {@link Noradrenaline},
 * {@link Acetylcholine}, {@link Serotonin}.
 */
public final class Neuromodulators {
  private Neuromodulators() {}

  /**
   * Which modulators act and their constants.
   *
   * @param active the modulators that gate (the others are tracked but ignored)
   * @param fastRate β_fast of noradrenaline's recent error, in (0, 1]
   * @param slowRate β_slow of acetylcholine's expected uncertainty, in (0, β_fast)
   * @param gainSlope κ_NA ≥ 0, noradrenaline's gain on the rate
   * @param reset ρ ∈ [0, 1], the share of the trace a complete surprise wipes
   * @param trustSlope κ_ACh ≥ 0, acetylcholine's discount of a new outcome
   * @param aversiveRate β_5HT of serotonin's slow average, in (0, 1]
   * @param inhibition κ_5HT ≥ 0, serotonin's inhibition of the response
   */
  public record Config(
      Set<Modulator> active,
      double fastRate,
      double slowRate,
      double gainSlope,
      double reset,
      double trustSlope,
      double aversiveRate,
      double inhibition) {
    /**
     * Our starting constants, before any sweep: β_fast = 0.5 (about two trials), β_slow = 0.05
     * (about twenty), κ_NA = 2, ρ = 0.5, κ_ACh = 2, β_5HT = 0.05, κ_5HT = 2; no modulator acts.
     */
    public static final Config NONE =
        new Config(EnumSet.noneOf(Modulator.class), 0.5, 0.05, 2.0, 0.5, 2.0, 0.05, 2.0);

    public Config {
      checkNotNull(active, "active modulators must be a set (empty for none), got null");
      active = Set.copyOf(active);
      checkArgument(
          fastRate > 0 && fastRate <= 1, "fast rate beta_fast must be in (0, 1], got %s", fastRate);
      checkArgument(
          slowRate > 0 && slowRate < fastRate,
          "slow rate beta_slow must be in (0, beta_fast = %s), got %s",
          fastRate,
          slowRate);
      checkArgument(
          gainSlope >= 0 && Double.isFinite(gainSlope),
          "noradrenaline gain slope kappa_NA must be finite and >= 0, got %s",
          gainSlope);
      checkArgument(
          reset >= 0 && reset <= 1, "noradrenaline reset rho must be in [0, 1], got %s", reset);
      checkArgument(
          trustSlope >= 0 && Double.isFinite(trustSlope),
          "acetylcholine slope kappa_ACh must be finite and >= 0, got %s",
          trustSlope);
      checkArgument(
          aversiveRate > 0 && aversiveRate <= 1,
          "serotonin rate beta_5HT must be in (0, 1], got %s",
          aversiveRate);
      checkArgument(
          inhibition >= 0 && Double.isFinite(inhibition),
          "serotonin inhibition kappa_5HT must be finite and >= 0, got %s",
          inhibition);
    }

    /** Whether {@code modulator} gates. */
    public boolean acts(Modulator modulator) {
      return active.contains(modulator);
    }

    /** The same constants with {@code modulators} acting. */
    public Config withActive(Set<Modulator> modulators) {
      return new Config(
          modulators, fastRate, slowRate, gainSlope, reset, trustSlope, aversiveRate, inhibition);
    }

    /** Short form such as {@code da+na (beta_fast=0.5, …)}. */
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%s (beta_fast=%s, beta_slow=%s, kappa_na=%s, rho=%s, kappa_ach=%s, beta_5ht=%s,"
              + " kappa_5ht=%s)",
          Modulator.describe(active),
          fastRate,
          slowRate,
          gainSlope,
          reset,
          trustSlope,
          aversiveRate,
          inhibition);
    }
  }

  /**
   * The running state of the modulators, one value per example [B] (or scalars).
   *
   * @param recent f, noradrenaline's fast average of δ²
   * @param expected u, acetylcholine's slow average of δ²
   * @param aversive s, serotonin's slow average of max(0, −δ)
   */
  public record State(
      Operand<TFloat32> recent, Operand<TFloat32> expected, Operand<TFloat32> aversive) {
    public State {
      checkNotNull(recent, "recent");
      checkNotNull(expected, "expected");
      checkNotNull(aversive, "aversive");
    }
  }

  /** The state before any outcome: zeros shaped like {@code like}. */
  public static State initial(Ops tf, Operand<TFloat32> like) {
    return new State(tf.zerosLike(like), tf.zerosLike(like), tf.zerosLike(like));
  }

  /** The state after an outcome with prediction error δ. */
  public static State next(Ops tf, State state, Operand<TFloat32> error, Config config) {
    return new State(
        Noradrenaline.recentError(tf, state.recent(), error, (float) config.fastRate()),
        Acetylcholine.expectedUncertainty(tf, state.expected(), error, (float) config.slowRate()),
        Serotonin.aversiveRate(tf, state.aversive(), error, (float) config.aversiveRate()));
  }

  /** Noradrenaline's ν of a state ({@link Noradrenaline#unexpectedUncertainty}). */
  public static Operand<TFloat32> surprise(Ops tf, State state) {
    return Noradrenaline.unexpectedUncertainty(tf, state.recent(), state.expected());
  }

  /** η_t = η · (1 + κ_NA ν)[NA] · 1/(1 + κ_ACh u)[ACh], shaped like the state. */
  public static Operand<TFloat32> rate(Ops tf, Operand<TFloat32> eta, State state, Config config) {
    // η broadcast to the state's shape.
    Operand<TFloat32> rate = tf.math.add(eta, tf.zerosLike(state.expected()));
    if (config.acts(Modulator.NORADRENALINE)) {
      rate =
          tf.math.mul(
              rate, Noradrenaline.gain(tf, surprise(tf, state), (float) config.gainSlope()));
    }
    if (config.acts(Modulator.ACETYLCHOLINE)) {
      rate =
          tf.math.mul(rate, Acetylcholine.trust(tf, state.expected(), (float) config.trustSlope()));
    }
    return rate;
  }

  /**
   * The trace after an outcome, from the state after it (see the class Javadoc).
   *
   * @param hebb Hebb, [B, in, out]
   * @param pre presynaptic activity, [B, in]
   * @param post postsynaptic activity, [B, out]
   * @param error δ, [B]
   * @param state the state after the outcome, [B] each
   * @param eta the base rate η, a scalar
   * @param clip the bound c &gt; 0
   */
  public static Operand<TFloat32> traceUpdate(
      Ops tf,
      Operand<TFloat32> hebb,
      Operand<TFloat32> pre,
      Operand<TFloat32> post,
      Operand<TFloat32> error,
      State state,
      Operand<TFloat32> eta,
      Config config,
      float clip) {
    Operand<TFloat32> rate = rate(tf, eta, state, config);
    boolean dopamine = config.acts(Modulator.DOPAMINE);
    Operand<TFloat32> kept =
        dopamine
            ? tf.math.add(tf.zerosLike(rate), tf.constant(1f))
            : tf.math.sub(tf.constant(1f), rate);
    if (config.acts(Modulator.NORADRENALINE)) {
      kept =
          tf.math.mul(
              kept, Noradrenaline.retention(tf, surprise(tf, state), (float) config.reset()));
    }
    Operand<TFloat32> step =
        tf.math.mul(
            Neuromodulation.perExample(
                tf, tf.math.mul(rate, Dopamine.modulator(tf, error, dopamine))),
            HebbianPlasticity.outerProduct(tf, pre, post));
    return Neuromodulation.clip(
        tf, tf.math.add(tf.math.mul(Neuromodulation.perExample(tf, kept), hebb), step), clip);
  }

  /**
   * The evidence for responding after serotonin's inhibition ({@link Serotonin#inhibit}) when
   * serotonin acts, else {@code evidence} unchanged.
   *
   * @param evidence the response's logit, [B]
   * @param state the state before the outcome of this trial
   */
  public static Operand<TFloat32> responseEvidence(
      Ops tf, Operand<TFloat32> evidence, State state, Config config) {
    return config.acts(Modulator.SEROTONIN)
        ? Serotonin.inhibit(tf, evidence, state.aversive(), (float) config.inhibition())
        : evidence;
  }
}
