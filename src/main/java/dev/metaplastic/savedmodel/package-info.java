/**
 * Metaplastic SavedModels: standard TensorFlow SavedModels (tag {@code serve}) that carry every
 * weight, optimizer slot and per-synapse rule state, plus a manifest in {@code
 * assets/metaplastic.pbtxt}, so a model can be served, inspected from Python, and reloaded in Java
 * to keep learning: MLPs through {@link dev.metaplastic.savedmodel.SavedModels}, plastic RNNs
 * through {@link dev.metaplastic.savedmodel.EpisodeModels}. What a manifest says reaches users as a
 * {@link dev.metaplastic.savedmodel.ModelDescription}; the manifest's protobuf messages stay
 * inside.
 */
package dev.metaplastic.savedmodel;
