/**
 * Plasticity and consolidation rules as TensorFlow graph ops.
 *
 * <p>Every rule is built from TensorFlow ops so it runs wherever TensorFlow runs. A rule is
 * configured by an immutable {@link dev.metaplastic.ops.RuleConfig}, attached to the trainable
 * {@link dev.metaplastic.ops.Parameter}s of a graph, and then exposes the graph hooks of {@link
 * dev.metaplastic.ops.ConsolidationRule}: a penalty added to the loss, an accumulation after each
 * optimizer step, and a consolidation at each task boundary. Every variable is created through
 * {@link dev.metaplastic.ops.VariableRegistry}, which gives it the exact name promised by the
 * SavedModel contract ({@code <rule>/<parameter>/<state>}) or refuses.
 *
 * <p>This package knows nothing of models, files or training loops; it never runs a session.
 */
package dev.metaplastic.ops;
