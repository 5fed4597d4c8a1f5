/**
 * Continual-learning data: IDX file reading, Fashion-MNIST, and the task streams built from it.
 *
 * <p>A {@link dev.metaplastic.data.TaskStream} is an ordered list of {@link
 * dev.metaplastic.data.Task tasks}, each with its own training and test {@link
 * dev.metaplastic.data.Examples examples}. Streams come from {@link
 * dev.metaplastic.data.TaskStreams#named}: split Fashion-MNIST (task- or class-incremental),
 * permuted Fashion-MNIST (domain- or task-incremental), or a generated stream that needs no
 * download.
 *
 * <p>Problems with data on disk are reported as {@link dev.metaplastic.data.DataException}s whose
 * messages name the file and what was expected; programming errors are {@link
 * IllegalArgumentException}s.
 */
package dev.metaplastic.data;
