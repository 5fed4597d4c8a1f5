package dev.metaplastic.episodes;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Random;

/**
 * Few-shot sine regression, the benchmark of MAML (Finn et al. 2017), laid out as one episode per
 * function.
 *
 * <p>Each episode draws an amplitude {@code a} uniformly from [{@value #MIN_AMPLITUDE}, {@value
 * #MAX_AMPLITUDE}] and a phase {@code φ} uniformly from [0, π], which define {@code f(x) = a ·
 * sin(x + φ)}. Every step draws its own {@code x} uniformly from [{@value #MIN_X}, {@value
 * #MAX_X}]. An episode has {@code support + query} steps and 4 input channels {@code (x, y, support
 * flag, query flag)}:
 *
 * <ul>
 *   <li>support, steps {@code 0 .. S − 1}: inputs {@code (x, f(x), 1, 0)}; not scored;
 *   <li>query, steps {@code S .. S + Q − 1}: inputs {@code (x, 0, 0, 1)}; the single target channel
 *       is {@code f(x)}, and these are the only scored steps.
 * </ul>
 *
 * <p>Targets of unscored steps are 0. The kind is {@link Episodes.Kind#REGRESSION}. Values are
 * computed in double precision and rounded to float.
 */
public final class FewShotRegressionTask implements EpisodeTask {
  static final double MIN_AMPLITUDE = 0.1;
  static final double MAX_AMPLITUDE = 5;
  static final double MIN_X = -5;
  static final double MAX_X = 5;
  static final int STANDARD_SUPPORT = 10;
  static final int STANDARD_QUERY = 10;

  /** Input channel of {@code x}. */
  public static final int X_CHANNEL = 0;

  /** Input channel of {@code f(x)} on support steps, 0 on query steps. */
  public static final int Y_CHANNEL = 1;

  /** Input channel that is 1 on support steps. */
  public static final int SUPPORT_CHANNEL = 2;

  /** Input channel that is 1 on query steps. */
  public static final int QUERY_CHANNEL = 3;

  private final int support;
  private final int query;

  /**
   * Creates the task.
   *
   * @param support number S of support steps per episode, at least 1
   * @param query number Q of query steps per episode, at least 1
   */
  public FewShotRegressionTask(int support, int query) {
    checkArgument(
        support >= 1, "few-shot regression needs at least 1 support step, got %s", support);
    checkArgument(query >= 1, "few-shot regression needs at least 1 query step, got %s", query);
    checkArgument(
        (long) support + query <= Integer.MAX_VALUE,
        "few-shot regression with %s support and %s query steps has too many steps",
        support,
        query);
    this.support = support;
    this.query = query;
  }

  /**
   * The standard sizes: {@value #STANDARD_SUPPORT} support and {@value #STANDARD_QUERY} query
   * steps.
   */
  public static FewShotRegressionTask standard() {
    return new FewShotRegressionTask(STANDARD_SUPPORT, STANDARD_QUERY);
  }

  /** Number S of support steps. */
  public int support() {
    return support;
  }

  /** Number Q of query steps. */
  public int query() {
    return query;
  }

  @Override
  public String name() {
    return "regression";
  }

  @Override
  public int inputSize() {
    return 4;
  }

  @Override
  public int outputSize() {
    return 1;
  }

  @Override
  public int steps() {
    return support + query;
  }

  @Override
  public Episodes.Kind kind() {
    return Episodes.Kind.REGRESSION;
  }

  @Override
  public Episodes sample(int batch, Random random) {
    checkArgument(batch >= 1, "batch must be positive, got %s", batch);
    checkNotNull(random, "random");
    EpisodeBuffer buffer = new EpisodeBuffer(batch, steps(), inputSize(), outputSize());
    for (int b = 0; b < batch; b++) {
      double amplitude = uniform(random, MIN_AMPLITUDE, MAX_AMPLITUDE);
      double phase = uniform(random, 0, Math.PI);
      for (int t = 0; t < steps(); t++) {
        double x = uniform(random, MIN_X, MAX_X);
        float y = (float) (amplitude * Math.sin(x + phase));
        buffer.input(b, t, X_CHANNEL, (float) x);
        if (t < support) {
          buffer.input(b, t, Y_CHANNEL, y);
          buffer.input(b, t, SUPPORT_CHANNEL, 1);
        } else {
          buffer.input(b, t, QUERY_CHANNEL, 1);
          buffer.target(b, t, 0, y);
          buffer.score(b, t);
        }
      }
    }
    return buffer.build(kind());
  }

  private static double uniform(Random random, double low, double high) {
    return low + (high - low) * random.nextDouble();
  }

  @Override
  public String describe() {
    return String.format(
        "regression: predict a·sin(x + φ) at %s query points after %s support points (%s steps,"
            + " %s inputs, 1 output)",
        query, support, steps(), inputSize());
  }
}
