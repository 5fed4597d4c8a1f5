package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkArgument;

import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * How TensorFlow runs the sessions of our graphs; the one place that builds their {@code
 * ConfigProto}.
 *
 * <p>{@code threads} sizes both of TensorFlow's thread pools: the intra-op pool, which splits one
 * op's work (a large matrix product), and the inter-op pool, which runs independent ops at once. 0
 * leaves both to TensorFlow, which uses one thread per core. With a number, the session gets pools
 * of its own ({@code use_per_session_threads}); otherwise TensorFlow would size its process-wide
 * inter-op pool from whichever session came first. Training is bit-identical whatever the setting:
 * every update of a step waits for all of the step's gradients.
 *
 * @param threads intra- and inter-op threads, ≥ 0; 0 lets TensorFlow choose
 */
public record SessionOptions(int threads) {
  /** TensorFlow's own choice of threads. */
  public static final SessionOptions DEFAULT = new SessionOptions(0);

  public SessionOptions {
    checkArgument(threads >= 0, "threads must be >= 0 (0: TensorFlow's choice), got %s", threads);
  }

  /**
   * The configuration of a classifier's session and of the Go/No-Go agent's (which no file keeps).
   * The graph runs as built, without Grappler's rewrites: they bring no measurable speed to these
   * graphs but cost 0.1–0.3 s at the first call of every entry point (measured with {@code
   * metaplastic bench}), which dominated short runs.
   */
  public ConfigProto configProto() {
    return threads(
        ConfigProto.newBuilder()
            .setGraphOptions(
                GraphOptions.newBuilder()
                    .setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(true))));
  }

  /**
   * The configuration of a plastic RNN's session: with Grappler's rewrites, as a {@code
   * SavedModelBundle} or TensorFlow Serving runs the graph, because they change the order of some
   * float sums of an unrolled episode, and a model loaded from a file must compute to the bit what
   * the file's own graph computes. They cost about a second at the first training step (T = 15, H =
   * 64 on a loaded 2-core machine), nothing per step afterwards.
   */
  public ConfigProto rewritingConfigProto() {
    return threads(ConfigProto.newBuilder());
  }

  private ConfigProto threads(ConfigProto.Builder config) {
    if (threads > 0) {
      config
          .setIntraOpParallelismThreads(threads)
          .setInterOpParallelismThreads(threads)
          .setUsePerSessionThreads(true);
    }
    return config.build();
  }

  /** "TensorFlow's default threads" or "2 intra-op and 2 inter-op threads". */
  public String describe() {
    return threads == 0
        ? "TensorFlow's default threads (one per core)"
        : threads + " intra-op and " + threads + " inter-op threads";
  }
}
