package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkArgument;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The outcome of each Go/No-Go trial, from the agent's action and the cue's type.
 *
 * <pre>
 *                   respond            withhold
 *   Go cue          hit                miss
 *   No-Go cue       false alarm        correct rejection
 * </pre>
 *
 * @param hit reward of responding to a Go cue
 * @param miss reward of withholding on a Go cue
 * @param falseAlarm reward of responding to a No-Go cue
 * @param correctRejection reward of withholding on a No-Go cue
 */
public record RewardSchedule(double hit, double miss, double falseAlarm, double correctRejection) {
  /**
   * The usual values of the animal task: a hit is rewarded (+1, water), a false alarm punished (−1,
   * a time-out or air puff), a miss and a correct rejection give nothing (0). Withholding then
   * reports nothing about the cue: only responding does.
   */
  public static final RewardSchedule USUAL = new RewardSchedule(1, 0, -1, 0);

  public RewardSchedule {
    checkArgument(
        Double.isFinite(hit)
            && Double.isFinite(miss)
            && Double.isFinite(falseAlarm)
            && Double.isFinite(correctRejection),
        "rewards must be finite, got hit %s, miss %s, false alarm %s, correct rejection %s",
        hit,
        miss,
        falseAlarm,
        correctRejection);
    checkArgument(
        hit > miss && correctRejection > falseAlarm,
        "a hit must pay more than a miss (%s vs %s) and a correct rejection more than a false"
            + " alarm (%s vs %s), or there is nothing to learn",
        hit,
        miss,
        correctRejection,
        falseAlarm);
  }

  /**
   * r = a·(g·hit + (1 − g)·falseAlarm) + (1 − a)·(g·miss + (1 − g)·correctRejection).
   *
   * @param respond a, 1 where the agent responded and 0 where it withheld
   * @param go g, 1 where the cue's outcome is that of a Go cue and 0 for No-Go
   */
  public Operand<TFloat32> reward(Ops tf, Operand<TFloat32> respond, Operand<TFloat32> go) {
    Operand<TFloat32> noGo = tf.math.sub(tf.constant(1f), go);
    Operand<TFloat32> ifRespond =
        tf.math.add(
            tf.math.mul(go, tf.constant((float) hit)),
            tf.math.mul(noGo, tf.constant((float) falseAlarm)));
    Operand<TFloat32> ifWithhold =
        tf.math.add(
            tf.math.mul(go, tf.constant((float) miss)),
            tf.math.mul(noGo, tf.constant((float) correctRejection)));
    return tf.math.add(
        tf.math.mul(respond, ifRespond),
        tf.math.mul(tf.math.sub(tf.constant(1f), respond), ifWithhold));
  }
}
