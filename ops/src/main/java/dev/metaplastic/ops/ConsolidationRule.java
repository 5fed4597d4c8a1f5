package dev.metaplastic.ops;

import java.util.List;

/**
 * A consolidation rule attached to the parameters of a graph: its configuration, the parameters it
 * governs and its per-synapse state. What the rule does is said by the capabilities it implements,
 * each one hook that the training graph calls with one context record:
 *
 * <ol>
 *   <li>{@link Penalty}: a term added to the task loss before gradients are taken;
 *   <li>{@link StepTransform}: rescales the step the optimizer proposes for each parameter before
 *       it is applied (metaplasticity, a neuromodulated learning rate); at most one per graph;
 *   <li>{@link AfterStep}: runs after every optimizer step, with the gradient of the task loss and
 *       the update actually applied;
 *   <li>{@link Consolidation}: runs at each task boundary; {@link ConsolidationFromData} first
 *       estimates something from examples of the task just learned (EWC's Fisher, MAS's
 *       sensitivity, GPM's input subspace);
 *   <li>{@link Rebase}: restarts the rule's bookkeeping of the current task after parameters were
 *       overwritten from outside training.
 * </ol>
 *
 * <p>A rule implements only what it does: the graph builds nothing for a capability a rule lacks. A
 * rule never trains its own state: the optimizer only sees the model's parameters. Rules are
 * described and created through {@link Rules}.
 */
public interface ConsolidationRule {
  /** The configuration this rule was attached from. */
  RuleConfig config();

  /** The governed parameters, in the order every hook's lists follow. */
  List<Parameter> parameters();

  /** Every per-synapse state variable the rule owns. */
  List<StateVariable> state();
}
