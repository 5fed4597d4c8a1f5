/**
 * Running training graphs. Each graph has one owner of the graph and its session: a {@link
 * dev.metaplastic.train.ModelSession} for a classifier's {@code TrainingGraph}, an {@link
 * dev.metaplastic.train.EpisodeSession} for a plastic RNN's {@code EpisodeTrainingGraph} and a
 * {@link dev.metaplastic.train.GoNoGoSession} for a Go/No-Go agent's {@code GoNoGoTrainingGraph};
 * all three open, run, read and close their session through one package-private {@code
 * GraphSession}, the one place a session is configured ({@link
 * dev.metaplastic.graphs.SessionOptions}). A {@link dev.metaplastic.train.ContinualTrainer} trains
 * a {@code ModelSession} on a sequence of tasks and measures an {@link
 * dev.metaplastic.train.AccuracyMatrix}.
 */
package dev.metaplastic.train;
