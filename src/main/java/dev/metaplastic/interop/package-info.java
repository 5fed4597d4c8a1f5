/**
 * Exchanging models with Python TensorFlow: {@link dev.metaplastic.interop.SavedModelInfo} opens
 * any SavedModel (tag {@code serve}), lists its signatures and variables, calls a signature with
 * float inputs and reads float variables; {@link dev.metaplastic.interop.KerasImport} reads a dense
 * Keras or TensorFlow classifier from any Keras format ({@code .keras}, legacy {@code .h5},
 * SavedModels with or without Keras metadata) as a chain of layers, maps it onto our {@code
 * dense_<i>} and {@code head_0} variables with each layer's activation, and copies the values into
 * a {@link dev.metaplastic.train.ModelSession}, so that continual learning can continue in Java
 * from a Python-trained model.
 *
 * <p>Data types are named as Python TensorFlow names them ({@code float32}, {@code int64}, {@code
 * string}, ...); shapes are lists of dimensions with {@code -1} for an unknown dimension and {@code
 * null} for an unknown rank.
 */
package dev.metaplastic.interop;
