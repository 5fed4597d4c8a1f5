/**
 * The protocols the README reports, as a library: each runs its methods and returns a result
 * object, and writes nothing. {@link dev.metaplastic.experiments.Comparison} trains methods side by
 * side on one stream ({@code metaplastic compare}; {@link dev.metaplastic.experiments.Demo} is the
 * comparison of {@code metaplastic demo}), {@link dev.metaplastic.experiments.Continuation}
 * continues from a model trained elsewhere ({@code metaplastic continue}), and {@link
 * dev.metaplastic.experiments.PlasticComparison} trains plastic RNNs on an episodic task ({@code
 * metaplastic plastic}), and {@link dev.metaplastic.experiments.NeuromodStudy} trains Go/No-Go
 * agents from reward, their trace gated by sets of neuromodulators ({@code metaplastic neuromod}).
 * An {@link dev.metaplastic.experiments.ExperimentListener} follows the runs. The reports
 * (markdown, heat maps, charts) are written by {@link dev.metaplastic.experiments.report}, which
 * needs XChart.
 */
package dev.metaplastic.experiments;
