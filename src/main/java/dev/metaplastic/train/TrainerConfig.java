package dev.metaplastic.train;

import static com.google.common.base.Preconditions.checkArgument;

import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.ops.RuleConfig;
import java.util.List;

/**
 * How a {@link ContinualTrainer} trains: model widths, epochs per task, batch size, optimizer,
 * consolidation rules, and the seed of weight initialisation and shuffling.
 *
 * @param hidden widths of the MLP's hidden layers
 * @param epochs passes over each task's training set
 * @param batchSize examples per optimizer step
 * @param optimizer the optimizer
 * @param rules consolidation rules (empty for plain fine-tuning)
 * @param seed seed of the initial weights and of the minibatch order
 * @param binarized whether the model is a binarized MLP instead of a real-valued one
 */
public record TrainerConfig(
    List<Integer> hidden,
    int epochs,
    int batchSize,
    OptimizerConfig optimizer,
    List<RuleConfig> rules,
    long seed,
    boolean binarized) {
  /** A configuration for a real-valued MLP. */
  public TrainerConfig(
      List<Integer> hidden,
      int epochs,
      int batchSize,
      OptimizerConfig optimizer,
      List<RuleConfig> rules,
      long seed) {
    this(hidden, epochs, batchSize, optimizer, rules, seed, false);
  }

  public TrainerConfig {
    hidden = List.copyOf(hidden);
    rules = List.copyOf(rules);
    checkArgument(epochs > 0, "epochs must be positive, got %s", epochs);
    checkArgument(batchSize > 0, "batch size must be positive, got %s", batchSize);
  }

  /** The same configuration with other rules. */
  public TrainerConfig withRules(List<RuleConfig> newRules) {
    return new TrainerConfig(hidden, epochs, batchSize, optimizer, newRules, seed, binarized);
  }

  /** The same configuration with another seed. */
  public TrainerConfig withSeed(long newSeed) {
    return new TrainerConfig(hidden, epochs, batchSize, optimizer, rules, newSeed, binarized);
  }

  /** The model for a stream with these input and output sizes. */
  public MlpSpec modelFor(int inputSize, int heads, int classesPerHead) {
    return new MlpSpec(inputSize, hidden, heads, classesPerHead, seed, binarized);
  }

  /**
   * Short description of the method, such as {@code fine-tuning} or {@code si(c=1.0, xi=0.001)}.
   */
  public String methodName() {
    if (rules.isEmpty()) {
      return "fine-tuning";
    }
    StringBuilder s = new StringBuilder();
    for (RuleConfig rule : rules) {
      if (s.length() > 0) {
        s.append('+');
      }
      s.append(rule.name());
    }
    return s.toString();
  }
}
