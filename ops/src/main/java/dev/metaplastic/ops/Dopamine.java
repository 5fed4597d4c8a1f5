package dev.metaplastic.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Dopamine as the reward-prediction error (Schultz, Dayan &amp; Montague, "A neural substrate of
 * prediction and reward", Science 275, 1997): phasic dopamine reports δ = r − V, the outcome r
 * minus its prediction V, here for one trial (the temporal-difference error with no later state: an
 * outcome that ends its trial). As the third factor of a Hebbian rule (Backpropamine, Miconi et al.
 * 2019: the modulator M of ΔHebb = M · pre ⊗ post) it sets the sign and size of plasticity:
 * co-activity that led to a better outcome than expected is strengthened, co-activity that led to a
 * worse one weakened, and an outcome that was predicted changes nothing.
 */
public final class Dopamine {
  private Dopamine() {}

  /**
   * δ = r − V ({@link Neuromodulation#rewardPredictionError}).
   *
   * @param reward r, [B]
   * @param value the prediction V, [B]
   * @return δ, [B]
   */
  public static Operand<TFloat32> predictionError(
      Ops tf, Operand<TFloat32> reward, Operand<TFloat32> value) {
    return Neuromodulation.rewardPredictionError(tf, reward, value);
  }

  /**
   * The modulator M of a Hebbian step: δ when dopamine acts, else 1 (an unmodulated Hebbian step).
   *
   * @param error δ, [B]
   * @param acts whether dopamine gates the step
   */
  public static Operand<TFloat32> modulator(Ops tf, Operand<TFloat32> error, boolean acts) {
    // ZerosLike + 1 rather than OnesLike, which has no gradient in TensorFlow's C++ registry.
    return acts ? error : tf.math.add(tf.zerosLike(error), tf.constant(1f));
  }
}
