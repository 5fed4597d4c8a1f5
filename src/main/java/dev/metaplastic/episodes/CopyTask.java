package dev.metaplastic.episodes;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Random;

/**
 * Sequential recall: remember a sequence of symbols over a delay and reproduce it in order.
 *
 * <p>An episode has {@code 2 × length + delay} steps and {@code symbols + 1} input channels:
 * channels {@code 0 .. symbols − 1} one-hot encode a symbol and channel {@code symbols} is the "go"
 * flag. Each episode draws {@code length} symbols {@code s_0 .. s_{L−1}} independently and
 * uniformly from {@code [0, symbols)} (repeats allowed) and lays them out as:
 *
 * <ul>
 *   <li>presentation, steps {@code i = 0 .. L − 1}: symbol channel {@code s_i} is 1, everything
 *       else 0; not scored;
 *   <li>delay, steps {@code L .. L + D − 1}: all inputs 0; not scored;
 *   <li>recall, steps {@code L + D + i} for {@code i = 0 .. L − 1}: the go flag is 1 and the symbol
 *       channels 0; the target is {@code s_i} one-hot over {@code symbols} classes, and these are
 *       the only scored steps.
 * </ul>
 *
 * <p>Targets of unscored steps are 0. The kind is {@link Episodes.Kind#CLASSIFICATION}.
 */
public final class CopyTask implements EpisodeTask {
  static final int STANDARD_SYMBOLS = 8;
  static final int STANDARD_LENGTH = 5;
  static final int STANDARD_DELAY = 5;

  private final int symbols;
  private final int length;
  private final int delay;

  /**
   * Creates the task.
   *
   * @param symbols alphabet size K, at least 2
   * @param length sequence length L, at least 1
   * @param delay number D of blank steps between presentation and recall, at least 0
   */
  public CopyTask(int symbols, int length, int delay) {
    checkArgument(symbols >= 2, "copy task needs at least 2 symbols, got %s", symbols);
    checkArgument(length >= 1, "copy task needs a sequence length of at least 1, got %s", length);
    checkArgument(delay >= 0, "copy task delay must be non-negative, got %s", delay);
    checkArgument(
        2L * length + delay <= Integer.MAX_VALUE,
        "copy task of length %s and delay %s has too many steps",
        length,
        delay);
    this.symbols = symbols;
    this.length = length;
    this.delay = delay;
  }

  /**
   * The standard sizes: {@value #STANDARD_SYMBOLS} symbols, sequences of {@value #STANDARD_LENGTH},
   * a delay of {@value #STANDARD_DELAY} steps.
   */
  public static CopyTask standard() {
    return new CopyTask(STANDARD_SYMBOLS, STANDARD_LENGTH, STANDARD_DELAY);
  }

  /** Alphabet size K. */
  public int symbols() {
    return symbols;
  }

  /** Sequence length L. */
  public int length() {
    return length;
  }

  /** Number D of blank delay steps. */
  public int delay() {
    return delay;
  }

  /** The input channel of the go flag, after the symbol channels. */
  public int goChannel() {
    return symbols;
  }

  /** The first recall step, {@code L + D}. */
  public int firstRecallStep() {
    return length + delay;
  }

  @Override
  public String name() {
    return "copy";
  }

  @Override
  public int inputSize() {
    return symbols + 1;
  }

  @Override
  public int outputSize() {
    return symbols;
  }

  @Override
  public int steps() {
    return 2 * length + delay;
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
    int recall = firstRecallStep();
    for (int b = 0; b < batch; b++) {
      for (int i = 0; i < length; i++) {
        int symbol = random.nextInt(symbols);
        buffer.input(b, i, symbol, 1);
        buffer.input(b, recall + i, goChannel(), 1);
        buffer.target(b, recall + i, symbol, 1);
        buffer.score(b, recall + i);
      }
    }
    return buffer.build(kind());
  }

  @Override
  public String describe() {
    return String.format(
        "copy: recall %s symbols of %s in order after a %s-step delay (%s steps, %s inputs, %s"
            + " classes)",
        length, symbols, delay, steps(), inputSize(), outputSize());
  }
}
