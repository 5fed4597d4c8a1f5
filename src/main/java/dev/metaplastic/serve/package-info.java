/**
 * Production inference on a SavedModel in the JVM: a {@link dev.metaplastic.serve.Predictor} wraps
 * one loaded model's {@code serving_default} signature behind a validated, thread-safe, closeable
 * API, and {@link dev.metaplastic.serve.PredictorBenchmark} measures its latency against a raw
 * {@code Session.runner()} call of the same graph.
 *
 * <p>The SavedModel contract it reads: tag {@code serve}; signature {@code serving_default} with
 * input {@code x} (float32 {@code [-1, inputSize]}), for multi-head models also {@code task} (int32
 * {@code [-1]}, the head of each example), and output {@code probabilities} (float32 {@code [-1,
 * classes]}). Other signatures ({@code train_step}, {@code consolidate}, {@code evaluate}) are
 * never run here.
 */
package dev.metaplastic.serve;
