/**
 * Running training graphs: a {@link dev.metaplastic.train.ModelSession} owns one graph and its
 * session, and a {@link dev.metaplastic.train.ContinualTrainer} trains it on a sequence of tasks
 * and measures an {@link dev.metaplastic.train.AccuracyMatrix}.
 */
package dev.metaplastic.train;
