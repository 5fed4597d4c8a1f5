/**
 * What every package of the façade shares: {@link dev.metaplastic.InvalidInputException}, the mark
 * of a problem in the user's input rather than in the code.
 */
package dev.metaplastic;
