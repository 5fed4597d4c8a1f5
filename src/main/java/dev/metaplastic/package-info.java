/**
 * What every package of the façade shares: {@link dev.metaplastic.InvalidInputException}, the mark
 * of a problem in the user's input rather than in the code, and {@link dev.metaplastic.NativeLog},
 * which loads TensorFlow without its start-up log lines.
 */
package dev.metaplastic;
