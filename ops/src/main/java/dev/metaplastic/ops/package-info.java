/**
 * Plasticity and consolidation rules as TensorFlow graph ops.
 *
 * <p>Every rule is built from TensorFlow ops so it runs wherever TensorFlow runs. A consolidation
 * rule is configured by an immutable {@link dev.metaplastic.ops.RuleConfig}, attached to the
 * trainable {@link dev.metaplastic.ops.Parameter}s of a graph, and implements only the capabilities
 * it has, each one hook taking one context record: {@link dev.metaplastic.ops.Penalty}, {@link
 * dev.metaplastic.ops.StepTransform}, {@link dev.metaplastic.ops.AfterStep}, {@link
 * dev.metaplastic.ops.Consolidation} (or {@link dev.metaplastic.ops.ConsolidationFromData}, which
 * first estimates from examples) and {@link dev.metaplastic.ops.Rebase}. Every variable is created
 * through {@link dev.metaplastic.ops.VariableRegistry}, which gives it the exact name promised by
 * the SavedModel contract ({@code <rule>/<parameter>/<state>}) or refuses; {@link
 * dev.metaplastic.ops.StateVariables} makes a rule's per-parameter state in one call.
 *
 * <p>Fast-weight plasticity within an episode lives beside the consolidation rules as pure
 * equations over operands, batched over a leading batch dimension: {@link
 * dev.metaplastic.ops.HebbianPlasticity} (Miconi et al. 2018), {@link
 * dev.metaplastic.ops.Neuromodulation} (Backpropamine, Miconi et al. 2019, with reward-prediction
 * error and gain gates) and {@link dev.metaplastic.ops.GradientPlasticity} (Duan et al. 2023). The
 * {@link dev.metaplastic.ops.FastWeightRule} contract wires them to learned coefficients, one class
 * per rule ({@link dev.metaplastic.ops.HebbianTraceRule}, {@link dev.metaplastic.ops.OjaTraceRule},
 * {@link dev.metaplastic.ops.BackpropamineRule}, {@link
 * dev.metaplastic.ops.GradientPlasticityRule}, and {@link
 * dev.metaplastic.ops.RewardModulatedHebbianRule}, whose trace follows the reward-prediction error
 * and gain gates of a reward read from the input); a plastic cell chains a rule over an unrolled
 * episode, and each names its coefficients {@code <rule>/<parameter>/<state>}. The
 * noradrenaline-like gain also gates the optimizer as a consolidation rule, {@link
 * dev.metaplastic.ops.NeuromodulatedLearningRate}.
 *
 * <p>Each rule class holds a descriptor ({@link dev.metaplastic.ops.RuleDescriptor}: name, typed
 * hyperparameters, presets per {@link dev.metaplastic.ops.StreamKind}; {@link
 * dev.metaplastic.ops.FastWeightRuleDescriptor} for fast-weight rules), and {@link
 * dev.metaplastic.ops.Rules} lists every descriptor, one line each.
 *
 * <p>The four neuromodulators of Doya's mapping are small pure ops, each computed from the task's
 * own outcomes: {@link dev.metaplastic.ops.Dopamine} (reward-prediction error), {@link
 * dev.metaplastic.ops.Noradrenaline} (unexpected uncertainty), {@link
 * dev.metaplastic.ops.Acetylcholine} (expected uncertainty) and {@link
 * dev.metaplastic.ops.Serotonin} (a slow aversive rate). {@link
 * dev.metaplastic.ops.Neuromodulators} lets any subset of them gate one fast-weight trace, and
 * {@link dev.metaplastic.ops.NeuromodulatoryGate} lets dopamine, noradrenaline and acetylcholine
 * gate the consolidation rules of a graph (the rate of its optimizer and, through {@link
 * dev.metaplastic.ops.PenaltyScale}, the strength of its penalties).
 *
 * <p>This package knows nothing of models, files or training loops; it never runs a session.
 */
package dev.metaplastic.ops;
