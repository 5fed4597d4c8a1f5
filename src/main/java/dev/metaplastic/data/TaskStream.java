package dev.metaplastic.data;

import java.util.List;

/**
 * An ordered sequence of tasks to learn one after another, with the model shape it needs.
 *
 * <p>Every task of a stream has examples of {@link #featureSize()} features whose labels lie in
 * {@code [0, classesPerHead())} and whose task ids lie in {@code [0, tasks().size())}. A model for
 * the stream has {@link #heads()} output heads; when there is more than one, each example's task id
 * selects its head.
 */
public interface TaskStream {
  /** Readable name of the stream, such as {@code "split-fashion-mnist (task-incremental)"}. */
  String name();

  /** Number of input features of every example. */
  int featureSize();

  /** Number of output heads a model needs: one per task if task-incremental, otherwise 1. */
  int heads();

  /** Number of classes, hence logits, of each head. */
  int classesPerHead();

  /** The tasks, in training order; task {@code i} has id {@code i}. */
  List<Task> tasks();

  /** Where the data came from: a directory, or {@code "generated (no data set needed)"}. */
  String source();

  /**
   * The fingerprint of the data set the stream was built from ({@link FashionMnist#fingerprint()}),
   * or empty for a stream that reads no files.
   */
  default String fingerprint() {
    return "";
  }
}
