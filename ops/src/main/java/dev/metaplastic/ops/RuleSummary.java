package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * How a rule presents itself in the README's rule table, which is generated from the registry
 * ({@code ReadmeTablesTest}): its title, where it comes from and its per-synapse state.
 *
 * @param title the method's name, such as {@code Synaptic Intelligence}
 * @param source the paper, such as {@code Zenke, Poole & Ganguli 2017}, or what it is after
 * @param state its state variables in Markdown, each name in backquotes with the paper's symbol,
 *     such as {@code `importance` Ω}
 */
public record RuleSummary(String title, String source, String state) {
  public RuleSummary {
    checkNotNull(title, "title");
    checkNotNull(source, "source");
    checkNotNull(state, "state");
  }
}
