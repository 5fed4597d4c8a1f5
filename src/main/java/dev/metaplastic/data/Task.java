package dev.metaplastic.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * One task of a continual-learning stream.
 *
 * @param id position of the task in its stream, from 0; also the head selector of its examples in
 *     task-incremental streams
 * @param name readable name, such as {@code "T-shirt/top vs Trouser"} or {@code "permutation 3"}
 * @param train training examples
 * @param test held-out test examples
 */
public record Task(int id, String name, Examples train, Examples test) {
  /** Checks that the id is non-negative and both example sets have the same feature size. */
  public Task {
    checkArgument(id >= 0, "task id must be non-negative, got %s", id);
    checkNotNull(name, "name");
    checkNotNull(train, "train");
    checkNotNull(test, "test");
    checkArgument(
        train.featureSize() == test.featureSize(),
        "task %s has training feature size %s but test feature size %s",
        name,
        train.featureSize(),
        test.featureSize());
  }
}
