package dev.metaplastic.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Serotonin as a slow signal of aversive outcomes. Daw, Kakade &amp; Dayan ("Opponent interactions
 * between serotonin and dopamine", Neural Networks 15, 2002) cast serotonin as dopamine's opponent:
 * a tonic signal on the time scale of average rates and a phasic one that reports prediction errors
 * for punishment. Here the worse-than-expected part of the prediction error, max(0, −δ), is
 * averaged slowly:
 *
 * <pre>
 *   s ← s + β_5HT (max(0, −δ) − s)                  {@link #aversiveRate}
 * </pre>
 *
 * and acts as punishment-induced behavioural inhibition (Soubrié, Behav. Brain Sci. 9, 1986;
 * Crockett, Clark &amp; Robbins, J. Neurosci. 29, 2009, where depleting serotonin abolished the
 * slowing of responses under punishment in a Go/No-Go task): the evidence for acting is lowered by
 * κ_5HT · s, so that after a run of false alarms the response is withheld more readily ({@link
 * #inhibit}). This is the one modulator that acts on action selection rather than on a synapse; the
 * linear inhibition is our form.
 */
public final class Serotonin {
  private Serotonin() {}

  /**
   * s ← s + β_5HT (max(0, −δ) − s).
   *
   * @param rate s before the outcome, [B]
   * @param error the outcome's prediction error δ, [B]
   * @param slowRate β_5HT ∈ (0, 1]
   */
  public static Operand<TFloat32> aversiveRate(
      Ops tf, Operand<TFloat32> rate, Operand<TFloat32> error, float slowRate) {
    Operand<TFloat32> aversive = tf.math.maximum(tf.math.neg(error), tf.constant(0f));
    return Neuromodulation.baselineUpdate(tf, rate, aversive, slowRate);
  }

  /**
   * The evidence for responding after inhibition, e − κ_5HT · s.
   *
   * @param evidence e, [B] (the response's logit)
   * @param rate s, [B]
   * @param slope κ_5HT ≥ 0
   */
  public static Operand<TFloat32> inhibit(
      Ops tf, Operand<TFloat32> evidence, Operand<TFloat32> rate, float slope) {
    return tf.math.sub(evidence, tf.math.mul(tf.constant(slope), rate));
  }
}
