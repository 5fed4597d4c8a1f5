package dev.metaplastic.episodes;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Random;

/**
 * Key–value association (cue–reward binding): see pairs once each, then recall the value of a
 * queried key.
 *
 * <p>An episode has {@code 2·pairs + 2} steps and {@code keys + values + 1} input channels:
 * channels {@code 0 .. keys − 1} one-hot encode a key, channels {@code keys .. keys + values − 1}
 * one-hot encode a value, and channel {@code keys + values} is the query flag. Each episode draws
 * {@code pairs} distinct keys {@code k_0 .. k_{P−1}} uniformly from {@code [0, keys)} (a uniformly
 * random ordered selection) and, independently for each, a value {@code v_i} uniformly from {@code
 * [0, values)} (values may repeat), so the pairing is new in every episode. The steps are:
 *
 * <ul>
 *   <li>study, for each pair {@code i = 0 .. P − 1}: step {@code 2i} shows key {@code k_i} (key
 *       channel {@code k_i} is 1), step {@code 2i + 1} shows its value (channel {@code keys + v_i}
 *       is 1); not scored. Key and value arrive one after the other, as the two sides of an
 *       association a recurrent Hebbian trace (pre ⊗ post of consecutive states) can store;
 *   <li>query, step {@code 2P}: key channel {@code q} and the query flag are 1, where {@code q} is
 *       one of the shown keys chosen uniformly; not scored;
 *   <li>recall, step {@code 2P + 1}: no input; the target is the value paired with {@code q},
 *       one-hot over {@code values} classes. This is the only scored step.
 * </ul>
 *
 * <p>Targets of unscored steps are 0. The kind is {@link Episodes.Kind#CLASSIFICATION}.
 */
public final class AssociativeRecallTask implements EpisodeTask {
  static final int STANDARD_KEYS = 8;
  static final int STANDARD_VALUES = 8;
  static final int STANDARD_PAIRS = 4;

  private final int keys;
  private final int values;
  private final int pairs;

  /**
   * Creates the task.
   *
   * @param keys number K of possible keys, at least {@code pairs}
   * @param values number V of possible values, at least 2
   * @param pairs number P of pairs shown per episode, at least 1
   */
  public AssociativeRecallTask(int keys, int values, int pairs) {
    checkArgument(pairs >= 1, "associative recall needs at least 1 pair, got %s", pairs);
    checkArgument(values >= 2, "associative recall needs at least 2 values, got %s", values);
    checkArgument(
        keys >= pairs,
        "associative recall needs at least as many keys as pairs, got %s keys for %s pairs",
        keys,
        pairs);
    checkArgument(
        (long) keys + values + 1 <= Integer.MAX_VALUE && pairs < Integer.MAX_VALUE,
        "associative recall sizes are too large");
    this.keys = keys;
    this.values = values;
    this.pairs = pairs;
  }

  /**
   * The standard sizes: {@value #STANDARD_KEYS} keys, {@value #STANDARD_VALUES} values, {@value
   * #STANDARD_PAIRS} pairs per episode.
   */
  public static AssociativeRecallTask standard() {
    return new AssociativeRecallTask(STANDARD_KEYS, STANDARD_VALUES, STANDARD_PAIRS);
  }

  /** Number K of possible keys. */
  public int keys() {
    return keys;
  }

  /** Number V of possible values. */
  public int values() {
    return values;
  }

  /** Number P of pairs shown per episode. */
  public int pairs() {
    return pairs;
  }

  /** The input channel of value {@code 0}; value {@code v} is channel {@code keys + v}. */
  public int firstValueChannel() {
    return keys;
  }

  /** The input channel of the query flag, after the key and value channels. */
  public int queryChannel() {
    return keys + values;
  }

  /** The query step, {@code P}. */
  public int queryStep() {
    return 2 * pairs;
  }

  /** The step at which the queried value must be recalled, the only scored one: {@code 2P + 1}. */
  public int recallStep() {
    return queryStep() + 1;
  }

  @Override
  public String name() {
    return "associative";
  }

  @Override
  public int inputSize() {
    return keys + values + 1;
  }

  @Override
  public int outputSize() {
    return values;
  }

  @Override
  public int steps() {
    return 2 * pairs + 2;
  }

  @Override
  public Episodes.Kind kind() {
    return Episodes.Kind.CLASSIFICATION;
  }

  @Override
  public Episodes sample(int batch, Random random) {
    checkArgument(batch >= 1, "batch must be positive, got %s", batch);
    checkNotNull(random, "random");
    EpisodeBuffer buffer = new EpisodeBuffer(batch, steps(), inputSize(), outputSize());
    int[] deck = new int[keys];
    int[] paired = new int[pairs];
    for (int b = 0; b < batch; b++) {
      for (int k = 0; k < keys; k++) {
        deck[k] = k;
      }
      for (int i = 0; i < pairs; i++) {
        int pick = i + random.nextInt(keys - i);
        int key = deck[pick];
        deck[pick] = deck[i];
        deck[i] = key;
        int value = random.nextInt(values);
        paired[i] = value;
        buffer.input(b, 2 * i, key, 1);
        buffer.input(b, 2 * i + 1, keys + value, 1);
      }
      int query = random.nextInt(pairs);
      buffer.input(b, queryStep(), deck[query], 1);
      buffer.input(b, queryStep(), queryChannel(), 1);
      buffer.target(b, recallStep(), paired[query], 1);
      buffer.score(b, recallStep());
    }
    return buffer.build(kind());
  }

  @Override
  public String describe() {
    return String.format(
        "associative: recall the value of 1 of %s key-value pairs (%s keys, %s values; %s steps,"
            + " %s inputs, %s classes)",
        pairs, keys, values, steps(), inputSize(), outputSize());
  }
}
